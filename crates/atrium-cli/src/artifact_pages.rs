//! `atrium artifact list` a page at a time (a 100k workspace streams out in constant memory, without reading any
//! artifact's body) and `atrium artifact import` (many artifacts from JSON lines, a transaction per batch).

use std::io::BufRead;

use atrium_api::{ArtifactListQuery, ArtifactSort, ArtifactSummary, Atrium, NewArtifact, Workspace};
use clap::ValueEnum;
use serde_json::Value;

use crate::failure::{Failure, invalid};
use crate::output::Printer;

/// Rows read per page when listing.
const PAGE: u32 = 1_000;
/// A line's content type when it names none.
const DEFAULT_CONTENT_TYPE: &str = "text/markdown";
/// Artifacts written per transaction when importing.
const IMPORT_BATCH: usize = 1_000;

/// The order of `artifact list`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SortArg {
    /// Most recently modified first.
    Modified,
    /// By title, A to Z (case and accents ignored).
    Title,
    /// By content type, then title.
    Type,
}

impl From<SortArg> for ArtifactSort {
    fn from(value: SortArg) -> Self {
        match value {
            SortArg::Modified => ArtifactSort::Modified,
            SortArg::Title => ArtifactSort::Title,
            SortArg::Type => ArtifactSort::Type,
        }
    }
}

/// What `artifact list` was asked for.
pub struct ListRequest {
    pub sort: SortArg,
    pub filter: Option<String>,
    pub content_type: Option<String>,
    pub offset: u32,
    pub limit: Option<u32>,
}

/// Prints the rows as pages arrive: JSON as one array (the shape the UI gets), text one line each.
struct Rows<'a> {
    out: &'a Printer,
    printed: u64,
}

impl Rows<'_> {
    fn page(&mut self, rows: &[ArtifactSummary]) {
        for a in rows {
            if self.out.json() {
                let sep = if self.printed == 0 { "[\n  " } else { ",\n  " };
                say_raw!("{sep}{}", serde_json::to_string(a).unwrap_or_default());
            } else {
                say!("{}  v{:<3} {:<28} {}", a.id, a.version, a.content_type, a.title);
            }
            self.printed += 1;
        }
    }

    fn end(&self, empty_workspace: bool) {
        if self.out.json() {
            say!("{}", if self.printed == 0 { "[]" } else { "\n]" });
        } else if empty_workspace {
            say!("This workspace is empty. Add one: atrium artifact create <workspace> --title \"First note\"");
        }
    }
}

/// Lists a workspace's artifacts page by page, all of one listing (one consistent order).
pub async fn list(atrium: &Atrium, out: &Printer, ws: Workspace, request: ListRequest) -> Result<(), Failure> {
    let mut query = ArtifactListQuery {
        workspace_id: ws.id,
        sort: request.sort.into(),
        filter: request.filter,
        content_type: request.content_type,
        ..Default::default()
    };
    let mut rows = Rows { out, printed: 0 };
    let mut offset = request.offset;
    let mut left = request.limit.map(u64::from).unwrap_or(u64::MAX);
    let mut empty_workspace = false;
    while left > 0 {
        query.offset = Some(offset);
        query.limit = Some(u32::try_from(left.min(u64::from(PAGE))).unwrap_or(PAGE));
        let page = atrium.artifact_page(query.clone()).await?;
        if query.listing.is_none() {
            empty_workspace = page.total == 0 && query.filter.is_none() && query.content_type.is_none();
        }
        query.listing = Some(page.listing);
        rows.page(&page.rows);
        let read = u32::try_from(page.rows.len()).unwrap_or(u32::MAX);
        if read == 0 {
            break;
        }
        offset = page.offset + read;
        left -= u64::from(read);
    }
    rows.end(empty_workspace);
    Ok(())
}

/// Imports artifacts from JSON lines (`-` reads stdin) into a workspace, a transaction per batch: a line that is
/// not an artifact stops the import there, with what came before it written.
pub async fn import(atrium: &Atrium, out: &Printer, ws: &Workspace, file: &str) -> Result<(), Failure> {
    let reader: Box<dyn BufRead> = if file == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let opened = std::fs::File::open(file).map_err(|e| invalid(format!("cannot read {file}: {e}")))?;
        Box::new(std::io::BufReader::new(opened))
    };
    let mut batch = Vec::with_capacity(IMPORT_BATCH);
    let mut created = 0u64;
    for (n, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| invalid(format!("cannot read {file}: {e}")))?;
        if line.trim().is_empty() {
            continue;
        }
        let bad = |why: String| invalid(format!("line {}: {why} ({created} artifacts before it were imported)", n + 1));
        let mut value: Value = serde_json::from_str(&line).map_err(|e| bad(e.to_string()))?;
        let Some(object) = value.as_object_mut() else { return Err(bad("not a JSON object".into()).into()) };
        object.insert("workspace_id".into(), Value::String(ws.id.clone()));
        // As `artifact create`: Markdown unless the line says otherwise.
        object.entry("content_type").or_insert_with(|| Value::String(DEFAULT_CONTENT_TYPE.into()));
        batch.push(serde_json::from_value::<NewArtifact>(value).map_err(|e| bad(e.to_string()))?);
        if batch.len() == IMPORT_BATCH {
            created += atrium.artifact_create_many(std::mem::take(&mut batch)).await?;
        }
    }
    if !batch.is_empty() {
        created += atrium.artifact_create_many(batch).await?;
    }
    if out.json() {
        crate::output::print_json(&serde_json::json!({ "workspace_id": ws.id, "created": created }));
    } else {
        say!("Imported {created} artifacts into \"{}\".", ws.title);
    }
    Ok(())
}
