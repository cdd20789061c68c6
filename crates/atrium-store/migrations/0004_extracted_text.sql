-- Text a content type's server extracts from an artifact (its `extract_text` lifecycle tool), searched beside the
-- title and content. Not part of the artifact's versioned state: setting it writes no revision.
ALTER TABLE artifacts ADD COLUMN extracted TEXT NOT NULL DEFAULT '';

DROP TRIGGER artifacts_fts_insert;
DROP TRIGGER artifacts_fts_delete;
DROP TRIGGER artifacts_fts_update;
DROP TABLE artifacts_fts;

CREATE VIRTUAL TABLE artifacts_fts USING fts5(
    title, content, extracted,
    content = 'artifacts', content_rowid = 'seq',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO artifacts_fts (artifacts_fts, rank) VALUES ('hashsize', 8388608);
INSERT INTO artifacts_fts (artifacts_fts, rank) VALUES ('automerge', 8);
INSERT INTO artifacts_fts (artifacts_fts) VALUES ('rebuild');

CREATE TRIGGER artifacts_fts_insert AFTER INSERT ON artifacts BEGIN
    INSERT INTO artifacts_fts (rowid, title, content, extracted) VALUES (new.seq, new.title, new.content, new.extracted);
END;

CREATE TRIGGER artifacts_fts_delete AFTER DELETE ON artifacts BEGIN
    INSERT INTO artifacts_fts (artifacts_fts, rowid, title, content, extracted)
    VALUES ('delete', old.seq, old.title, old.content, old.extracted);
END;

CREATE TRIGGER artifacts_fts_update AFTER UPDATE OF title, content, extracted ON artifacts BEGIN
    INSERT INTO artifacts_fts (artifacts_fts, rowid, title, content, extracted)
    VALUES ('delete', old.seq, old.title, old.content, old.extracted);
    INSERT INTO artifacts_fts (rowid, title, content, extracted) VALUES (new.seq, new.title, new.content, new.extracted);
END;
