-- Idempotent agent writes (the gateway's publish_artifact and add_revision): the first call with a key runs and its
-- result is kept; a retry with the same key and the same arguments gets that result again instead of writing twice.
-- `result` is NULL while the first call runs. Rows go after a day, and with their agent.
CREATE TABLE idempotent_calls (
    agent_id        TEXT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    tool            TEXT NOT NULL,
    key             TEXT NOT NULL,
    request_hash    TEXT NOT NULL,
    result          TEXT,
    created_time    TEXT NOT NULL,
    PRIMARY KEY (agent_id, tool, key)
);
CREATE INDEX idempotent_calls_created ON idempotent_calls (created_time);
