-- Things that belong to this machine and are never synced.
-- What is known about each keychain secret: its id and a description. The value lives only in the OS keychain.
CREATE TABLE secrets (
    id           TEXT PRIMARY KEY,
    description  TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
-- Local settings (for example the extra commands a person allows stdio servers to run), one JSON value per key.
CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
