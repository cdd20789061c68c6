//! Store integration tests against real SQLite files in temporary homes.

mod audit;
mod common;
mod concurrency;
mod crud;
mod local;
mod refusals;
mod search;
