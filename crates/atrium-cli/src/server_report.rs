//! How a server, its status and what its registration would do are printed.

use atrium_api::{ApprovalReason, LocalEffects, ServerApprovalState, ServerView};

use crate::output::{Printer, print_json};

pub(crate) fn describe_status(status: &atrium_api::ServerStatus) -> String {
    use atrium_api::ServerStatus as S;
    match status {
        S::Stopped => "stopped".into(),
        S::Starting => "starting".into(),
        S::Installing { step, done, total } => format!("installing ({step}, step {} of {total})", done + 1),
        S::Ready => "ready".into(),
        S::Degraded { code, message, attempt, retry_in_ms } => format!(
            "degraded ({}): {message} — try {} in {:.1} s",
            code.as_str(),
            attempt + 1,
            f64::from(*retry_in_ms) / 1000.0
        ),
        S::NeedsLogin { message } => format!("login required: {message}"),
        S::NeedsApproval { message } => format!("needs your approval: {message}"),
        S::Failed { code, message, stderr_tail } => {
            let mut text = format!("failed ({}): {message}", code.as_str());
            for line in stderr_tail {
                text.push_str("\n  | ");
                text.push_str(line);
            }
            text
        }
    }
}

/// A short mark for a registration that waits for the person's review.
pub(crate) fn approval_mark(approval: &ServerApprovalState) -> Option<&'static str> {
    match approval {
        ServerApprovalState::Required { reason: ApprovalReason::FromPlatform, .. } => {
            Some("from the platform — review")
        }
        ServerApprovalState::Required { reason: ApprovalReason::Changed, .. } => Some("changed — review"),
        ServerApprovalState::Required { reason: ApprovalReason::NotReviewed, .. } => Some("not reviewed — review"),
        _ => None,
    }
}

/// What a registration would do here, for the person to review.
pub(crate) fn describe_effects(effects: &LocalEffects) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(runs) = &effects.runs {
        lines.push(format!("runs         {runs}"));
    }
    if let Some(cwd) = &effects.cwd {
        lines.push(format!("in           {cwd}"));
    }
    if !effects.env_names.is_empty() {
        lines.push(format!("environment  {}", effects.env_names.join(", ")));
    }
    if !effects.credentials.is_empty() {
        lines.push(format!("uses         {}", effects.credentials.join(", ")));
    }
    if let Some(url) = &effects.sends_to {
        lines.push(format!("sends them to {url}"));
    }
    lines
}

pub(crate) fn out_server(out: &Printer, view: &ServerView) {
    if out.json() {
        return print_json(view);
    }
    say!("id         {}\ntitle      {}\nworkspace  {}", view.id, view.title, view.workspace_id);
    say!("transport  {} {}\nenabled    {}", view.transport, view.target, view.enabled);
    if view.published {
        say!("published  offered to the platform through the relay (atrium server unpublish)");
    }
    say!("status     {}", describe_status(&view.state.status));
    match &view.approval {
        ServerApprovalState::Required { effects, .. } => {
            say!("approval   {}", approval_mark(&view.approval).unwrap_or("review"));
            for line in describe_effects(effects) {
                say!("  {line}");
            }
            say!("  approve it with: atrium server approve {}", view.id);
        }
        ServerApprovalState::Approved { approved_time } => say!("approval   approved {approved_time}"),
        ServerApprovalState::NotNeeded => {}
    }
    for p in &view.problems {
        say!("problem    {}: {}", p.field, p.message);
    }
    say!("{}", serde_json::to_string_pretty(&view.registration).unwrap_or_default());
}
