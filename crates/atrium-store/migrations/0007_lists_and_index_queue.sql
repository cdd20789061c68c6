-- Big workspaces. Lists read a page of summaries without touching the bodies, and the full-text index is brought
-- up to date off the write path.

-- The body's size in bytes and the title folded for sorting and filtering (lower case, accents removed: Rust's
-- fold, so `Café` files under `cafe`), both written by every statement that writes a title or a body. The
-- folded titles of existing rows are filled in by the store when it opens (SQLite cannot fold accents).
ALTER TABLE artifacts ADD COLUMN size_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE artifacts ADD COLUMN title_key TEXT;
UPDATE artifacts SET size_bytes = length(CAST(content AS BLOB));
-- The rows still to fold, found at once (empty once they are done).
CREATE INDEX artifacts_title_key_missing ON artifacts(seq) WHERE title_key IS NULL;
-- The content types of a workspace (its type filter) and one type's artifacts, read from the index alone.
CREATE INDEX artifacts_type ON artifacts(workspace_id, content_type);

-- The full-text index moves to a file of its own beside this one (`<this file>-search`), written by its own
-- connection: its write lock is not this file's, so indexing runs beside the writes instead of inside them, on
-- another core. Each write of a title, body or extracted text queues its artifact here, in the writing
-- transaction, so no committed write is ever left out. The indexer reads the queue in large batches, indexes the
-- artifacts as they are then, and records the last entry it indexed in the index file in that same transaction;
-- entries up to it are then removed from here. The index is derived data: when its file is missing, from another
-- format, or behind or ahead of this one, it is rebuilt from `artifacts` (every artifact queued again). The old
-- index, inside this file, goes.
DROP TRIGGER artifacts_fts_insert;
DROP TRIGGER artifacts_fts_delete;
DROP TRIGGER artifacts_fts_update;
DROP TABLE artifacts_fts;

-- AUTOINCREMENT: an id is never reused, so "indexed up to entry N" stays true however the queue empties.
CREATE TABLE search_queue (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The artifact (`artifacts.seq`, the index's rowid).
    seq       INTEGER NOT NULL,
    -- 1 when the index may hold an entry for it that must go first (an edit or a delete), 0 for a new artifact.
    replaces  INTEGER NOT NULL
);

CREATE TRIGGER search_queue_insert AFTER INSERT ON artifacts BEGIN
    INSERT INTO search_queue (seq, replaces) VALUES (new.seq, 0);
END;

CREATE TRIGGER search_queue_update AFTER UPDATE OF title, content, extracted ON artifacts
WHEN new.title IS NOT old.title OR new.content IS NOT old.content OR new.extracted IS NOT old.extracted BEGIN
    INSERT INTO search_queue (seq, replaces) VALUES (new.seq, 1);
END;

CREATE TRIGGER search_queue_delete AFTER DELETE ON artifacts BEGIN
    INSERT INTO search_queue (seq, replaces) VALUES (old.seq, 1);
END;
