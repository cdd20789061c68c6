//! `atrium`: every workspace and artifact operation of the desktop app, for scripts.
//!
//! Exit codes (the README's table; `ErrorCode::exit_code` maps the API's codes): 0 success, 1 a tool error or
//! cancelled, 2 usage, 65 invalid input, 66 not found, 68 platform unreachable, 69 server unavailable or failed,
//! 70 internal, 71 keychain unavailable, 74 storage, 75 version conflict, 76 database from a newer Atrium, 77 signed
//! out or a sign-in that did not complete, 79 the platform refused or answered nonsense.

// First: the output macros (`say!`) are visible only to the modules declared after it.
#[macro_use]
mod output;
mod agent_args;
mod agents;
mod args;
mod artifact_pages;
mod authorizer_args;
mod authorizers;
mod browser;
mod conformance;
mod failure;
mod gateway;
mod interrupt;
mod local;
mod pick;
mod platform;
mod platform_args;
mod platform_report;
mod prompt;
mod run;
mod server_args;
mod server_input;
mod server_report;
mod server_update;
mod servers;
mod share;
mod share_args;
mod viewers;

use std::process::ExitCode;

use atrium_api::{ApiError, AtriumPaths, ErrorCode, logging};
use clap::Parser;

use crate::args::Cli;

fn main() -> ExitCode {
    if let Some(code) = atrium_api::run_watchdog_if_asked() {
        return code;
    }
    let cli = Cli::parse();
    let paths = match &cli.home {
        Some(home) => AtriumPaths::at(home),
        None => match AtriumPaths::from_env() {
            Ok(paths) => paths,
            Err(err) => return report(&ApiError::from(err), cli.json),
        },
    };
    let _log = logging::init(&paths, "cli", cli.verbose);
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => return report(&ApiError::new(ErrorCode::Internal, err.to_string()), cli.json),
    };
    match runtime.block_on(run::run(paths, &cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure::Failure::Api(err)) => report(&err, cli.json),
        Err(failure::Failure::Cancelled) => {
            eprintln!("cancelled");
            ExitCode::from(1)
        }
        Err(failure::Failure::Quiet(code)) => ExitCode::from(code),
    }
}

fn report(err: &ApiError, json: bool) -> ExitCode {
    if json {
        let body = serde_json::json!({ "error": err });
        eprintln!("{body}");
    } else {
        eprintln!("error: {}", err.message);
        if let Some(atrium_api::ErrorDetails::Fields { problems }) = &err.details
            && problems.len() > 1
        {
            for problem in problems {
                eprintln!("  {}: {}", problem.field, problem.message);
            }
        }
    }
    ExitCode::from(err.code.exit_code())
}
