-- Reviews of artifacts by agents (the gateway's review_artifact): a verdict on one version of an artifact and an
-- optional comment, kept with the artifact (gone when it is deleted) and shown in the window. Local only, never
-- synced: the platform has no reviews. The reviewer's name is kept as it was, so removing an agent never rewrites
-- what it said.
CREATE TABLE artifact_reviews (
    id              TEXT PRIMARY KEY,
    artifact_id     TEXT NOT NULL REFERENCES artifacts (id) ON DELETE CASCADE,
    version         INTEGER NOT NULL,
    verdict         TEXT NOT NULL CHECK (verdict IN ('approved', 'changes_requested', 'commented')),
    comment         TEXT NOT NULL DEFAULT '',
    reviewer_id     TEXT,
    reviewer_name   TEXT NOT NULL,
    created_time    TEXT NOT NULL
);
CREATE INDEX artifact_reviews_artifact ON artifact_reviews (artifact_id, created_time);
