//! Human and JSON renderings of results. JSON output is the API's own serialization, so scripts see exactly
//! the shapes the desktop UI gets.

use atrium_api::{AppInfo, Artifact, Revision, RevisionSummary, SearchHit, TextSpan, Workspace};
use serde::Serialize;

/// Set once stdout turned out to be a closed pipe (`atrium … | head`): later output is dropped quietly and the
/// command finishes as it would have, instead of panicking at the next line.
static STDOUT_CLOSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Writes to stdout; a closed pipe is not an error for a command-line tool, the rest of the output just goes
/// nowhere. Use [`say!`] and [`say_raw!`] rather than `println!`, which panics on a closed pipe.
pub fn write_out(args: std::fmt::Arguments<'_>, newline: bool) {
    use std::io::Write;
    use std::sync::atomic::Ordering;
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    let written = out.write_fmt(args).and_then(|()| if newline { out.write_all(b"\n") } else { Ok(()) });
    if let Err(err) = written.and_then(|()| out.flush()) {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
        if err.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("atrium: cannot write the output: {err}");
        }
    }
}

/// `println!` for the CLI's output: quiet when stdout is a closed pipe.
macro_rules! say {
    () => { $crate::output::write_out(format_args!(""), true) };
    ($($arg:tt)*) => { $crate::output::write_out(format_args!($($arg)*), true) };
}

/// `print!` for the CLI's output: quiet when stdout is a closed pipe.
macro_rules! say_raw {
    ($($arg:tt)*) => { $crate::output::write_out(format_args!($($arg)*), false) };
}

pub struct Printer {
    json: bool,
}

pub fn print_json<T: Serialize + ?Sized>(value: &T) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => say!("{text}"),
        Err(err) => eprintln!("error: cannot encode the result as JSON: {err}"),
    }
}

fn marked(spans: &[TextSpan]) -> String {
    spans.iter().map(|s| if s.hit { format!("[{}]", s.text) } else { s.text.clone() }).collect()
}

/// An artifact's context on one line, when it holds anything.
fn context_line(context: &serde_json::Value) -> Option<String> {
    let empty = context.is_null() || context.as_object().is_some_and(serde_json::Map::is_empty);
    (!empty).then(|| format!("context    {}\n", serde_json::to_string(context).unwrap_or_default()))
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Printer {
    pub fn new(json: bool) -> Self {
        Self { json }
    }

    /// Whether results are printed as JSON.
    pub fn json(&self) -> bool {
        self.json
    }

    pub fn info(&self, info: &AppInfo) {
        if self.json {
            return print_json(info);
        }
        say!(
            "version   {}\nhome      {}\ndatabase  {}\nlogs      {}\nschema    {}",
            info.version,
            info.data_dir,
            info.database_path,
            info.log_dir,
            info.schema_version
        );
    }

    pub fn workspaces(&self, workspaces: &[Workspace]) {
        if self.json {
            return print_json(workspaces);
        }
        if workspaces.is_empty() {
            say!("No workspaces yet. Create one: atrium workspace create \"My notes\"");
        }
        for ws in workspaces {
            say!("{}  {:>6} artifacts  {}", ws.id, ws.artifact_count, ws.title);
        }
    }

    pub fn workspace(&self, ws: &Workspace) {
        if self.json {
            return print_json(ws);
        }
        say!("{}  {}", ws.id, ws.title);
    }

    pub fn artifact(&self, a: &Artifact) {
        if self.json {
            return print_json(a);
        }
        say!(
            "id         {}\ntitle      {}\ntype       {}\nstate      {}\nversion    {}\nmodified   {} by {}\nworkspace  {}\n{}",
            a.id,
            a.title,
            a.content_type,
            a.state.as_str(),
            a.version,
            a.modified_time,
            a.modified_by,
            a.workspace_id,
            context_line(&a.context).unwrap_or_default()
        );
        say!("{}", a.content);
    }

    pub fn revision(&self, r: &Revision) {
        if self.json {
            return print_json(r);
        }
        say!(
            "artifact   {}\nversion    {}\ntitle      {}\ntype       {}\nwritten    {} by {}\n{}",
            r.artifact_id,
            r.version,
            r.title,
            r.content_type,
            r.modified_time,
            r.modified_by,
            context_line(&r.context).unwrap_or_default()
        );
        say!("{}", r.content);
    }

    pub fn history(&self, revisions: &[RevisionSummary]) {
        if self.json {
            return print_json(revisions);
        }
        for r in revisions {
            say!("v{:<4} {}  {:>8} B  {}", r.version, r.modified_time, r.size_bytes, r.title);
        }
    }

    pub fn hits(&self, hits: &[SearchHit]) {
        if self.json {
            return print_json(hits);
        }
        if hits.is_empty() {
            say!("No matches.");
        }
        for hit in hits {
            say!("{}  {} / {}", hit.artifact_id, hit.workspace_title, marked(&hit.title_spans));
            let snippet = one_line(&marked(&hit.snippet_spans));
            if !snippet.is_empty() {
                say!("    {snippet}");
            }
        }
    }

    pub fn deleted(&self, what: &str, id: &str) {
        if self.json {
            return print_json(&serde_json::json!({ "deleted": what, "id": id }));
        }
        say!("deleted {what} {id}");
    }

    pub fn raw(&self, text: &str) {
        if self.json {
            return print_json(text);
        }
        say_raw!("{text}");
    }
}
