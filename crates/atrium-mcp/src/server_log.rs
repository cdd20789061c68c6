//! Each server's log: stderr, its `notifications/message`, and Atrium's own notes about it. The recent lines stay
//! in memory for the live view; every line also goes to a rotating file under `ATRIUM_HOME/logs/servers/`. Secret
//! values the server was given are masked before a line is kept anywhere: a server that prints its token does not
//! put it in Atrium's log files.

use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::io::Write;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

use crate::events::Events;
use crate::model::LogLine;
use crate::secret_mask::SecretMask;

/// How many log lines each server keeps in memory.
const LOG_CAPACITY: usize = 1000;
/// A log file is rotated when it passes this size; three old files are kept (`.1` newest … `.3` oldest).
const FILE_MAX_BYTES: u64 = 1024 * 1024;
const FILES_KEPT: u32 = 3;
/// Lines waiting for the file writer; beyond this, lines are dropped from the file (never from memory) rather
/// than slowing a chatty server down.
const FILE_QUEUE: usize = 8192;
/// A server's recent log lines. Owns its locks; none is held across an await or I/O.
#[derive(Debug, Default)]
pub(crate) struct ServerLog {
    lines: Mutex<VecDeque<LogLine>>,
    /// The secret values the server was given, masked in every line (and everywhere else its answers go).
    mask: Arc<SecretMask>,
    file: Option<LogFileSink>,
}

impl ServerLog {
    pub(crate) fn new(file: Option<LogFileSink>) -> Self {
        ServerLog { file, ..ServerLog::default() }
    }

    /// The server's secret values: what its lines, answers and audit rows are masked of.
    pub(crate) fn mask(&self) -> &Arc<SecretMask> {
        &self.mask
    }

    pub(crate) fn push(&self, events: &Events, server_id: &str, level: &str, logger: Option<String>, message: String) {
        let line = LogLine { time: crate::now(), level: level.to_owned(), logger, message: self.mask.text(message) };
        events.log(server_id, &line);
        if let Some(file) = &self.file {
            file.write(&line);
        }
        let mut lines = self.lines.lock().unwrap_or_else(|p| p.into_inner());
        if lines.len() == LOG_CAPACITY {
            lines.pop_front();
        }
        lines.push_back(line);
    }

    pub(crate) fn lines(&self) -> Vec<LogLine> {
        self.lines.lock().unwrap_or_else(|p| p.into_inner()).iter().cloned().collect()
    }

    /// The last `n` stderr lines, for a failed status.
    pub(crate) fn stderr_tail(&self, n: usize) -> Vec<String> {
        let lines = self.lines.lock().unwrap_or_else(|p| p.into_inner());
        let mut tail: Vec<String> =
            lines.iter().rev().filter(|l| l.level == "stderr").take(n).map(|l| l.message.clone()).collect();
        tail.reverse();
        tail
    }
}

/// Where one server's lines go on disk.
#[derive(Debug, Clone)]
pub(crate) struct LogFileSink {
    server_id: Arc<str>,
    queue: SyncSender<(Arc<str>, String)>,
}

impl LogFileSink {
    fn write(&self, line: &LogLine) {
        let logger = line.logger.as_deref().map(|l| format!(" [{l}]")).unwrap_or_default();
        let text = format!("{} {}{} {}\n", line.time, line.level, logger, line.message.replace('\n', "\n    "));
        match self.queue.try_send((self.server_id.clone(), text)) {
            Ok(()) | Err(TrySendError::Disconnected(_)) => {}
            Err(TrySendError::Full(_)) => {
                tracing::debug!(server = %self.server_id, "log file queue full; line dropped")
            }
        }
    }
}

/// The writer of every server's log file: one thread, fed through a bounded queue, so pushing a line never waits
/// for the disk. It ends when the last sink and the [`LogFiles`] are gone.
#[derive(Debug)]
pub(crate) struct LogFiles {
    queue: SyncSender<(Arc<str>, String)>,
}

impl LogFiles {
    /// Starts the writer for files in `dir`; `None` when the directory cannot be made (lines then stay in memory).
    pub(crate) fn start(dir: PathBuf) -> Option<Self> {
        if let Err(err) = std::fs::create_dir_all(&dir) {
            tracing::warn!(dir = %dir.display(), %err, "server log files are off: cannot create their directory");
            return None;
        }
        let (queue, lines) = std::sync::mpsc::sync_channel(FILE_QUEUE);
        let spawned =
            std::thread::Builder::new().name("atrium-server-logs".into()).spawn(move || write_files(&dir, &lines));
        match spawned {
            Ok(_) => Some(LogFiles { queue }),
            Err(err) => {
                tracing::warn!(%err, "server log files are off: cannot start their writer");
                None
            }
        }
    }

    pub(crate) fn sink(&self, server_id: &str) -> LogFileSink {
        LogFileSink { server_id: Arc::from(server_id), queue: self.queue.clone() }
    }
}

/// The name of a server's log file (ids are UUIDs; anything else is made safe for a file name).
pub fn log_file_name(server_id: &str) -> String {
    let safe: String =
        server_id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    format!("{safe}.log")
}

struct OpenFile {
    file: std::io::BufWriter<File>,
    size: u64,
}

fn write_files(dir: &std::path::Path, lines: &Receiver<(Arc<str>, String)>) {
    let mut open: HashMap<Arc<str>, OpenFile> = HashMap::new();
    while let Ok(first) = lines.recv() {
        let mut next = Some(first);
        while let Some((server_id, text)) = next.take() {
            if let Err(err) = append(dir, &mut open, &server_id, &text) {
                tracing::debug!(server = %server_id, %err, "could not write the server's log file");
                open.remove(&server_id);
            }
            next = lines.try_recv().ok();
        }
        // Flushed whenever the queue runs dry: a tail -f sees lines at once, a burst is written in blocks.
        for file in open.values_mut() {
            let _ = file.file.flush();
        }
    }
}

fn append(
    dir: &std::path::Path,
    open: &mut HashMap<Arc<str>, OpenFile>,
    server_id: &Arc<str>,
    text: &str,
) -> std::io::Result<()> {
    let path = dir.join(log_file_name(server_id));
    if open.get(server_id).is_some_and(|f| f.size + text.len() as u64 > FILE_MAX_BYTES) {
        if let Some(mut old) = open.remove(server_id) {
            old.file.flush()?;
        }
        rotate(&path)?;
    }
    if !open.contains_key(server_id) {
        let file = std::fs::OpenOptions::new().create(true).append(true).open(&path)?;
        let size = file.metadata()?.len();
        if size > FILE_MAX_BYTES {
            drop(file);
            rotate(&path)?;
            let file = std::fs::OpenOptions::new().create(true).append(true).open(&path)?;
            open.insert(server_id.clone(), OpenFile { file: std::io::BufWriter::new(file), size: 0 });
        } else {
            open.insert(server_id.clone(), OpenFile { file: std::io::BufWriter::new(file), size });
        }
    }
    if let Some(file) = open.get_mut(server_id) {
        file.file.write_all(text.as_bytes())?;
        file.size += text.len() as u64;
    }
    Ok(())
}

/// `x.log` → `x.log.1` → `x.log.2` → `x.log.3` (dropped beyond).
fn rotate(path: &std::path::Path) -> std::io::Result<()> {
    let numbered = |n: u32| PathBuf::from(format!("{}.{n}", path.display()));
    let _ = std::fs::remove_file(numbered(FILES_KEPT));
    for n in (1..FILES_KEPT).rev() {
        let _ = std::fs::rename(numbered(n), numbered(n + 1));
    }
    std::fs::rename(path, numbered(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::NoEvents;

    #[test]
    fn secret_values_are_masked_everywhere_a_line_goes() {
        let dir = tempfile::tempdir().expect("dir");
        let files = LogFiles::start(dir.path().to_owned()).expect("writer");
        let log = ServerLog::new(Some(files.sink("srv")));
        log.mask().learn("tok-12345-secret");
        log.mask().learn("abc");
        let events: Events = Arc::new(NoEvents);
        log.push(&events, "srv", "stderr", None, "using token tok-12345-secret for abc".into());
        let lines = log.lines();
        assert_eq!(lines[0].message, "using token [secret] for abc", "short values are not masked");
        drop(log);
        drop(files);
        let path = dir.path().join(log_file_name("srv"));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let text = loop {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            if text.contains("using token") || std::time::Instant::now() > deadline {
                break text;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        assert!(text.contains("stderr using token [secret] for abc"), "{text}");
        assert!(!text.contains("tok-12345"), "{text}");
    }

    #[test]
    fn files_rotate_and_keep_three() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("x.log");
        for round in 0..5 {
            std::fs::write(&path, format!("round {round}")).expect("write");
            rotate(&path).expect("rotate");
        }
        let kept: Vec<String> =
            (1..=4).map(|n| std::fs::read_to_string(format!("{}.{n}", path.display())).unwrap_or_default()).collect();
        assert_eq!(kept, ["round 4", "round 3", "round 2", ""]);
    }
}
