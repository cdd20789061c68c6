-- Atrium store, schema 1. Migrations are append-only: never edit a shipped file, add a new one.

CREATE TABLE workspaces (
    seq            INTEGER PRIMARY KEY,
    id             TEXT    NOT NULL UNIQUE,
    title          TEXT    NOT NULL,
    description    TEXT    NOT NULL DEFAULT '',
    remote_id      TEXT,
    version        INTEGER NOT NULL DEFAULT 1,
    created_time   TEXT    NOT NULL,
    created_by     TEXT    NOT NULL,
    modified_time  TEXT    NOT NULL,
    modified_by    TEXT    NOT NULL
);

CREATE TABLE artifacts (
    -- An integer key so the FTS5 external-content index has a stable rowid.
    seq            INTEGER PRIMARY KEY,
    id             TEXT    NOT NULL UNIQUE,
    workspace_id   TEXT    NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    root_id        TEXT,
    remote_id      TEXT,
    content_type   TEXT    NOT NULL,
    title          TEXT    NOT NULL,
    context        TEXT    NOT NULL DEFAULT '{}',
    content        TEXT    NOT NULL DEFAULT '',
    state          TEXT    NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'committed', 'archived')),
    version        INTEGER NOT NULL DEFAULT 1,
    created_time   TEXT    NOT NULL,
    created_by     TEXT    NOT NULL,
    modified_time  TEXT    NOT NULL,
    modified_by    TEXT    NOT NULL
);
CREATE INDEX artifacts_workspace ON artifacts(workspace_id, modified_time);

-- The previous versions of every artifact (the current one lives in `artifacts`), written by a trigger so that no
-- code path can change an artifact without keeping what it replaced.
CREATE TABLE artifact_revisions (
    artifact_id    TEXT    NOT NULL REFERENCES artifacts(id) ON DELETE CASCADE,
    version        INTEGER NOT NULL,
    content_type   TEXT    NOT NULL,
    title          TEXT    NOT NULL,
    context        TEXT    NOT NULL,
    content        TEXT    NOT NULL,
    state          TEXT    NOT NULL,
    modified_time  TEXT    NOT NULL,
    modified_by    TEXT    NOT NULL,
    PRIMARY KEY (artifact_id, version)
) WITHOUT ROWID;

CREATE TRIGGER artifacts_keep_previous_version AFTER UPDATE ON artifacts
WHEN new.version <> old.version BEGIN
    INSERT INTO artifact_revisions
        (artifact_id, version, content_type, title, context, content, state, modified_time, modified_by)
    VALUES
        (old.id, old.version, old.content_type, old.title, old.context, old.content, old.state,
         old.modified_time, old.modified_by);
END;

-- Full-text index over title and content, kept in step with `artifacts` by triggers.
CREATE VIRTUAL TABLE artifacts_fts USING fts5(
    title, content,
    content = 'artifacts', content_rowid = 'seq',
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Bulk writes: buffer 8 MiB of pending terms before writing a segment (default 1 MiB) and merge in larger steps.
INSERT INTO artifacts_fts (artifacts_fts, rank) VALUES ('hashsize', 8388608);
INSERT INTO artifacts_fts (artifacts_fts, rank) VALUES ('automerge', 8);

CREATE TRIGGER artifacts_fts_insert AFTER INSERT ON artifacts BEGIN
    INSERT INTO artifacts_fts (rowid, title, content) VALUES (new.seq, new.title, new.content);
END;

CREATE TRIGGER artifacts_fts_delete AFTER DELETE ON artifacts BEGIN
    INSERT INTO artifacts_fts (artifacts_fts, rowid, title, content) VALUES ('delete', old.seq, old.title, old.content);
END;

CREATE TRIGGER artifacts_fts_update AFTER UPDATE OF title, content ON artifacts BEGIN
    INSERT INTO artifacts_fts (artifacts_fts, rowid, title, content) VALUES ('delete', old.seq, old.title, old.content);
    INSERT INTO artifacts_fts (rowid, title, content) VALUES (new.seq, new.title, new.content);
END;
