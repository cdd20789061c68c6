//! Asking the person at the terminal before something is destroyed or allowed.

use std::io::{IsTerminal, Write};

use crate::failure::{Failure, invalid};

/// Asks before destroying or allowing, when a person is at the terminal; scripts pass `--yes`.
pub(crate) fn confirm(question: &str, yes: bool) -> Result<(), Failure> {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Api(invalid("refusing to go on without a terminal to confirm: pass --yes")));
    }
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().read_line(&mut answer);
    if matches!(answer.trim(), "y" | "Y" | "yes") { Ok(()) } else { Err(Failure::Cancelled) }
}
