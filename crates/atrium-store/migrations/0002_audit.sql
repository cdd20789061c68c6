-- The audit log: one row per tool call, from any origin. Arguments and results are stored already capped and
-- redacted by the caller; workspace and server are kept as plain ids (no foreign keys) so that removing a server or
-- a workspace never rewrites history.
CREATE TABLE audit_log (
    seq           INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    time          TEXT NOT NULL,
    origin        TEXT NOT NULL,
    workspace_id  TEXT,
    server_id     TEXT NOT NULL,
    server_title  TEXT NOT NULL,
    tool          TEXT NOT NULL,
    arguments     TEXT NOT NULL,
    result        TEXT NOT NULL,
    status        TEXT NOT NULL,
    error_code    TEXT,
    duration_ms   INTEGER NOT NULL
);
CREATE INDEX audit_log_server ON audit_log (server_id, seq);
CREATE INDEX audit_log_workspace ON audit_log (workspace_id, seq);
