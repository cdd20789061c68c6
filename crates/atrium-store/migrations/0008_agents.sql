-- The person's agents: the MCP clients (Claude Desktop, Cursor, a script) that reach Atrium's gateway. Local only,
-- never synced. An agent's token is kept as its SHA-256 only (the token is shown once, when made or rotated).
-- What it may see is its workspaces (none listed: all), its scopes, and its servers (none listed: every server no
-- agent names, seed 002's rule), each with an optional allowlist of tools; these lists are JSON arrays.
CREATE TABLE agents (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL UNIQUE,
    token_hash       TEXT NOT NULL,
    workspaces       TEXT NOT NULL DEFAULT '[]',
    scopes           TEXT NOT NULL DEFAULT '[]',
    servers          TEXT NOT NULL DEFAULT '[]',
    created_time     TEXT NOT NULL,
    rotated_time     TEXT NOT NULL,
    last_used_time   TEXT
);

-- Which agent made a call (calls through the gateway); the name is kept as it was, like the server's title, so
-- removing an agent never rewrites history.
ALTER TABLE audit_log ADD COLUMN agent_id TEXT;
ALTER TABLE audit_log ADD COLUMN agent_name TEXT;
CREATE INDEX audit_log_agent ON audit_log (agent_id, seq);
