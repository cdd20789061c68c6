use sqlx::{FromRow, SqliteConnection};

use crate::highlight::QueryWords;
use crate::{Result, SearchHit, SearchQuery, Store};

const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 500;

/// A last word shorter than this is matched whole: a one- or two-letter prefix expands to thousands of index
/// terms and would make the first keystrokes the slowest searches.
const MIN_PREFIX_CHARS: usize = 3;
/// Snippets are cut from at most this many leading characters of the content.
const SNIPPET_SOURCE_CHARS: i64 = 64 * 1024;

/// A query as the index and the highlighter need it.
struct ParsedQuery {
    /// The FTS5 MATCH expression with every word matched whole.
    exact: String,
    /// The same with the last word as a prefix, when it is long enough to be one.
    prefix: Option<String>,
    /// The words, for highlighting.
    words: QueryWords,
}

/// Turns what a person typed into safe FTS5 queries: each word quoted (so `"`, `-`, `OR`, `*` are plain text) and
/// all words required; a second form matches the last word as a prefix (from three letters) so results follow
/// typing. `None` when nothing is left.
fn parse(text: &str) -> Option<ParsedQuery> {
    let words: Vec<String> =
        text.split_whitespace().map(|w| w.replace('"', "")).filter(|w| w.chars().any(char::is_alphanumeric)).collect();
    let last = words.len().checked_sub(1)?;
    let exact = words.iter().map(|w| format!("\"{w}\"")).collect::<Vec<_>>().join(" ");
    let prefix = (words[last].chars().count() >= MIN_PREFIX_CHARS).then(|| format!("{exact}*"));
    let words = QueryWords::new(&words, prefix.is_some());
    Some(ParsedQuery { exact, prefix, words })
}

/// Ranking looks at this many of the most recent matches at most. Scoring every match costs time in proportion to
/// how common the words are (a word in every note would be scored 100k times); within this window results are
/// exact, and past it a search returns the most relevant of the most recent matches.
const RANK_WINDOW: i64 = 1_000;
/// Title matches weigh this much more than content matches.
const TITLE_WEIGHT: f64 = 8.0;

enum Order {
    /// bm25 with title matches weighted up, within the [`RANK_WINDOW`] most recent matches.
    Relevance,
    /// Newest first.
    Recency,
}

/// The `seq`s of up to `limit` artifacts matching `fts`, optionally in one workspace. The artifacts table is
/// joined only to filter by workspace (reading rows costs more than the ranking); CROSS JOIN keeps the FTS index
/// as the outer loop, where the planner might otherwise scan every artifact and probe the index once per row.
async fn matches(
    conn: &mut SqliteConnection,
    fts: &str,
    workspace_id: Option<&str>,
    limit: u32,
    order: Order,
) -> Result<Vec<i64>> {
    let (from, filter) = match workspace_id {
        None => ("artifacts_fts", ""),
        Some(_) => {
            ("artifacts_fts CROSS JOIN src.artifacts a ON a.seq = artifacts_fts.rowid", "AND a.workspace_id = ?3")
        }
    };
    let sql = match order {
        Order::Relevance => format!(
            "SELECT seq FROM (
                SELECT artifacts_fts.rowid AS seq, bm25(artifacts_fts, {TITLE_WEIGHT}, 1.0) AS score FROM {from}
                WHERE artifacts_fts MATCH ?1 {filter} ORDER BY artifacts_fts.rowid DESC LIMIT {RANK_WINDOW}
             ) ORDER BY score, seq DESC LIMIT ?2"
        ),
        Order::Recency => format!(
            "SELECT artifacts_fts.rowid FROM {from} WHERE artifacts_fts MATCH ?1 {filter}
             ORDER BY artifacts_fts.rowid DESC LIMIT ?2"
        ),
    };
    Ok(sqlx::query_scalar(&sql).bind(fts).bind(i64::from(limit)).bind(workspace_id).fetch_all(&mut *conn).await?)
}

#[derive(FromRow)]
struct HitRow {
    seq: i64,
    id: String,
    workspace_id: String,
    workspace_title: String,
    title: String,
    content_type: String,
    modified_time: String,
    content_head: String,
}

impl Store {
    /// Full-text search over titles and content, best matches first (see [`RANK_WINDOW`] for very common words).
    #[tracing::instrument(skip_all)]
    pub async fn search(&self, query: &SearchQuery) -> Result<Vec<SearchHit>> {
        let Some(parsed) = parse(&query.text) else { return Ok(Vec::new()) };
        let limit = query.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
        // The index's connection, which reads the store too (attached as `src`). Every write committed before this
        // search is indexed first (usually nothing is left to do).
        let mut conn = self.search.lock().await?;
        self.flush_on(&mut conn).await?;

        // 1. Which rows: whole words first, best ranked; then, while the page is not full, prefix matches of
        //    the last word, newest first. Ranking a prefix would materialize the doclist of every term it expands
        //    to (twice, for bm25's statistics), which for a common word costs more than the rest of the search.
        let workspace = query.workspace_id.as_deref();
        let mut ranked = matches(&mut conn, &parsed.exact, workspace, limit, Order::Relevance).await?;
        if let Some(prefix) = &parsed.prefix
            && ranked.len() < limit as usize
        {
            for seq in matches(&mut conn, prefix, workspace, limit, Order::Recency).await? {
                if ranked.len() < limit as usize && !ranked.contains(&seq) {
                    ranked.push(seq);
                }
            }
        }
        if ranked.is_empty() {
            return Ok(Vec::new());
        }

        // 2. The rows themselves (ids are integers from the index, safe to inline).
        let ids = ranked.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let rows: Vec<HitRow> = sqlx::query_as(&format!(
            "SELECT a.seq, a.id, a.workspace_id, w.title AS workspace_title, a.title, a.content_type, a.modified_time,
                    substr(a.content, 1, {SNIPPET_SOURCE_CHARS}) AS content_head
             FROM src.artifacts a JOIN src.workspaces w ON w.id = a.workspace_id
             WHERE a.seq IN ({ids})"
        ))
        .fetch_all(&mut *conn)
        .await?;
        drop(conn);
        let mut by_seq: std::collections::HashMap<i64, HitRow> = rows.into_iter().map(|r| (r.seq, r)).collect();
        Ok(ranked
            .iter()
            .filter_map(|seq| by_seq.remove(seq))
            .map(|row| SearchHit {
                title_spans: parsed.words.highlight(&row.title),
                snippet_spans: parsed.words.snippet(&row.content_head),
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

    fn fts_query(text: &str) -> Option<String> {
        parse(text).map(|p| p.prefix.unwrap_or(p.exact))
    }

    #[test]
    fn typed_text_becomes_a_quoted_prefix_query() {
        assert_eq!(fts_query("  ").as_deref(), None);
        assert_eq!(fts_query("\" - *").as_deref(), None);
        assert_eq!(fts_query("rust").as_deref(), Some("\"rust\"*"));
        assert_eq!(fts_query("tauri OR \"rust").as_deref(), Some("\"tauri\" \"OR\" \"rust\"*"));
        assert_eq!(fts_query("go").as_deref(), Some("\"go\""), "short words are matched whole");
        assert_eq!(parse("a tauri").map(|p| p.exact).as_deref(), Some("\"a\" \"tauri\""));
    }
}
