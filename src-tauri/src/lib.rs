//! The Atrium desktop shell. Commands are generated from one registry ([`commands`]) that forwards to
//! [`atrium_api::Atrium`]; the same registry produces the TypeScript bindings committed in `ui/`.

mod close_guard;
pub mod commands;
mod gateway;
mod shell;

pub use commands::specta_builder;
pub use shell::run;
