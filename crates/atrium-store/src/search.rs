use sqlx::FromRow;

use crate::{Result, SearchHit, SearchQuery, Store, TextSpan};

const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 500;
// Control characters cannot occur in titles (validation refuses them) and are vanishingly rare in content, so
// they make unambiguous highlight markers that never need HTML escaping.
const HIT_START: char = '\u{2}';
const HIT_END: char = '\u{3}';

/// Turns what a person typed into a safe FTS5 query: each word quoted (so `"`, `-`, `OR`, `*` are plain text),
/// all words required, the last one matched as a prefix so results follow typing. `None` when nothing is left.
pub(crate) fn fts_query(text: &str) -> Option<String> {
    let words: Vec<String> =
        text.split_whitespace().map(|w| w.replace('"', "")).filter(|w| w.chars().any(char::is_alphanumeric)).collect();
    let last = words.len().checked_sub(1)?;
    Some(
        words
            .iter()
            .enumerate()
            .map(|(i, w)| if i == last { format!("\"{w}\"*") } else { format!("\"{w}\"") })
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// Splits text marked with the highlight markers into spans.
pub(crate) fn spans(marked: &str) -> Vec<TextSpan> {
    let mut spans = Vec::new();
    let mut hit = false;
    let mut current = String::new();
    for c in marked.chars() {
        if c == HIT_START || c == HIT_END {
            if !current.is_empty() {
                spans.push(TextSpan { text: std::mem::take(&mut current), hit });
            }
            hit = c == HIT_START;
        } else {
            current.push(c);
        }
    }
    if !current.is_empty() {
        spans.push(TextSpan { text: current, hit });
    }
    spans
}

#[derive(FromRow)]
struct HitRow {
    id: String,
    workspace_id: String,
    workspace_title: String,
    title: String,
    content_type: String,
    modified_time: String,
    title_marked: String,
    snippet_marked: String,
}

impl Store {
    /// Full-text search over titles and content, best matches first.
    #[tracing::instrument(skip_all)]
    pub async fn search(&self, query: &SearchQuery) -> Result<Vec<SearchHit>> {
        let Some(fts) = fts_query(&query.text) else { return Ok(Vec::new()) };
        let limit = query.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
        let rows: Vec<HitRow> = sqlx::query_as(
            "SELECT a.id, a.workspace_id, w.title AS workspace_title, a.title, a.content_type, a.modified_time,
                    highlight(artifacts_fts, 0, char(2), char(3)) AS title_marked,
                    snippet(artifacts_fts, 1, char(2), char(3), '…', 16) AS snippet_marked
             FROM artifacts_fts
             JOIN artifacts a ON a.seq = artifacts_fts.rowid
             JOIN workspaces w ON w.id = a.workspace_id
             WHERE artifacts_fts MATCH ?1 AND (?2 IS NULL OR a.workspace_id = ?2)
             ORDER BY rank LIMIT ?3",
        )
        .bind(&fts)
        .bind(query.workspace_id.as_deref())
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| SearchHit {
                title_spans: spans(&row.title_marked),
                snippet_spans: spans(&row.snippet_marked),
                artifact_id: row.id,
                workspace_id: row.workspace_id,
                workspace_title: row.workspace_title,
                title: row.title,
                content_type: row.content_type,
                modified_time: row.modified_time,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_text_becomes_a_quoted_prefix_query() {
        assert_eq!(fts_query("  ").as_deref(), None);
        assert_eq!(fts_query("\" - *").as_deref(), None);
        assert_eq!(fts_query("rust").as_deref(), Some("\"rust\"*"));
        assert_eq!(fts_query("tauri OR \"rust").as_deref(), Some("\"tauri\" \"OR\" \"rust\"*"));
    }

    #[test]
    fn markers_become_spans() {
        let marked = format!("a {HIT_START}b{HIT_END} c");
        let got = spans(&marked);
        assert_eq!(
            got,
            vec![
                TextSpan { text: "a ".into(), hit: false },
                TextSpan { text: "b".into(), hit: true },
                TextSpan { text: " c".into(), hit: false },
            ]
        );
    }
}
