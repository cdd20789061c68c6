//! Store integration tests against real SQLite files in temporary homes.

mod agent_oauth;
mod audit;
mod common;
mod concurrency;
mod crud;
mod idempotent_calls;
mod listing;
mod local;
mod refusals;
mod reviews;
mod search;
mod search_index;
mod sync_apply;
