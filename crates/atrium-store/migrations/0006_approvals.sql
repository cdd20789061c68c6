-- The person's approvals of what server registrations would do on this machine (start a process, hand over one of
-- its credentials). Local only: never synced, so a registration from the platform is never approved by it. Each
-- approval is bound to a fingerprint of the transport and auth it approved; a registration whose fingerprint
-- differs is not approved. It goes with its registration.
CREATE TABLE server_approvals (
    server_id      TEXT PRIMARY KEY REFERENCES artifacts(id) ON DELETE CASCADE,
    fingerprint    TEXT NOT NULL,
    approved_time  TEXT NOT NULL
);
