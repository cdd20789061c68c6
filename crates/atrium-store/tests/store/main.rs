//! Store integration tests against real SQLite files in temporary homes.

mod audit;
mod common;
mod concurrency;
mod crud;
mod local;
mod refusals;
mod search;

/// Entry point for child processes spawned by the concurrency tests; a no-op in a normal run.
#[test]
fn child_entry() {
    concurrency::child_main();
}
