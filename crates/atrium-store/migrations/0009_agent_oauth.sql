-- Agents that sign in with OAuth (MCP authorization: clients that only do OAuth). Such an agent is made when the
-- person approves a client in the window's consent dialog; `oauth_client_id` names the client it was made for
-- (NULL: an agent with a bearer token made by `agent add` or the Agents screen).
ALTER TABLE agents ADD COLUMN oauth_client_id TEXT;

-- Clients registered by RFC 7591 dynamic registration: public clients only (no secret), each with the exact
-- redirect URIs it may use. `metadata` is the registration as the client sent it (JSON text, kept verbatim).
CREATE TABLE oauth_clients (
    client_id        TEXT PRIMARY KEY,
    client_name      TEXT NOT NULL,
    redirect_uris    TEXT NOT NULL,
    metadata         TEXT NOT NULL,
    created_time     TEXT NOT NULL
);

-- An OAuth agent's access and refresh tokens, as SHA-256 hashes only. Removing the agent removes them; rotating
-- it empties them.
CREATE TABLE oauth_tokens (
    token_hash       TEXT PRIMARY KEY,
    agent_id         TEXT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    kind             TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
    expires_time     TEXT NOT NULL,
    created_time     TEXT NOT NULL
);
CREATE INDEX oauth_tokens_agent ON oauth_tokens (agent_id, kind);
