-- Sync with an Agience platform. A linked workspace mirrors one platform container; each of its artifacts
-- remembers the platform identity (`root_id`, `remote_id`, both already in schema 1) and the platform's
-- `modified_time` its last synced version matches: the base against which a conflict is detected (the platform is
-- last-write-wins, so Atrium has to detect conflicts itself).
ALTER TABLE artifacts ADD COLUMN remote_modified TEXT;
-- The local version that matches `remote_modified`; an artifact whose version differs has local edits to push.
ALTER TABLE artifacts ADD COLUMN synced_version INTEGER;
CREATE INDEX artifacts_root ON artifacts(root_id) WHERE root_id IS NOT NULL;
-- A deletion event names the platform version id.
CREATE INDEX artifacts_remote ON artifacts(remote_id) WHERE remote_id IS NOT NULL;

CREATE TABLE sync_workspaces (
    workspace_id   TEXT PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    remote_id      TEXT NOT NULL UNIQUE,
    linked_time    TEXT NOT NULL,
    -- When the last full listing of the container was applied.
    last_pull      TEXT
);

-- Local changes waiting to reach the platform: one row per artifact (later edits coalesce), written by triggers
-- in the same transaction as the edit, so a crash never loses a committed edit's way out.
CREATE TABLE sync_outbox (
    artifact_id    TEXT PRIMARY KEY,
    workspace_id   TEXT NOT NULL,
    op             TEXT NOT NULL CHECK (op IN ('upsert', 'delete')),
    -- For a delete: the platform root id and the modified_time the delete was based on.
    remote_id      TEXT,
    base_modified  TEXT,
    -- A create was sent and its answer not recorded: before sending it again, look for it on the platform.
    create_sent    INTEGER NOT NULL DEFAULT 0,
    attempts       INTEGER NOT NULL DEFAULT 0,
    next_attempt   TEXT NOT NULL DEFAULT '',
    last_error     TEXT,
    queued_time    TEXT NOT NULL
);
CREATE INDEX sync_outbox_workspace ON sync_outbox(workspace_id);

-- Changes on both sides that Atrium will not settle by itself: the person sees both and chooses.
CREATE TABLE sync_conflicts (
    artifact_id    TEXT PRIMARY KEY,
    workspace_id   TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('both_edited', 'edited_here_deleted_there', 'deleted_here_edited_there')),
    -- The platform's artifact (its JSON) when the conflict was seen; NULL when it was deleted there.
    remote         TEXT,
    -- For a local delete: the artifact as it was (JSON), so it can come back.
    local          TEXT,
    detected_time  TEXT NOT NULL
);

CREATE TRIGGER sync_outbox_on_insert AFTER INSERT ON artifacts
WHEN new.synced_version IS NULL AND EXISTS (SELECT 1 FROM sync_workspaces WHERE workspace_id = new.workspace_id)
BEGIN
    INSERT INTO sync_outbox (artifact_id, workspace_id, op, queued_time)
    VALUES (new.id, new.workspace_id, 'upsert', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    ON CONFLICT (artifact_id) DO UPDATE SET op = 'upsert', attempts = 0, next_attempt = '', last_error = NULL;
END;

-- A write that does not record itself as synced (every write but the sync engine's own) is a local edit.
CREATE TRIGGER sync_outbox_on_update AFTER UPDATE OF version ON artifacts
WHEN new.version <> old.version AND new.synced_version IS NOT new.version
     AND EXISTS (SELECT 1 FROM sync_workspaces WHERE workspace_id = new.workspace_id)
BEGIN
    INSERT INTO sync_outbox (artifact_id, workspace_id, op, queued_time)
    VALUES (new.id, new.workspace_id, 'upsert', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    ON CONFLICT (artifact_id) DO UPDATE SET op = 'upsert', attempts = 0, next_attempt = '', last_error = NULL;
END;

CREATE TRIGGER sync_outbox_on_delete AFTER DELETE ON artifacts
WHEN EXISTS (SELECT 1 FROM sync_workspaces WHERE workspace_id = old.workspace_id)
BEGIN
    -- Never reached the platform (and no create is in doubt): nothing to delete there.
    DELETE FROM sync_outbox WHERE artifact_id = old.id AND old.root_id IS NULL AND create_sent = 0;
    INSERT INTO sync_outbox (artifact_id, workspace_id, op, remote_id, base_modified, queued_time)
    SELECT old.id, old.workspace_id, 'delete', old.root_id, old.remote_modified, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
    WHERE old.root_id IS NOT NULL
    ON CONFLICT (artifact_id) DO UPDATE SET op = 'delete', remote_id = excluded.remote_id,
        base_modified = excluded.base_modified, attempts = 0, next_attempt = '', last_error = NULL;
    DELETE FROM sync_conflicts WHERE artifact_id = old.id AND kind <> 'deleted_here_edited_there';
END;
