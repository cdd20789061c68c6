//! Paged lists of a workspace's artifacts, ordered and filtered over the whole workspace.
//!
//! A listing is computed once per query: the `seq`s of every matching artifact in order, read in one statement
//! from the indexes where the order has one (most recently modified first) and sorted by SQLite otherwise. Pages
//! are then slices of it, at any offset, whatever the order or filter: a list can jump to its end without reading
//! what lies between. The few most recent listings are kept. A page whose artifacts were deleted since its
//! listing was made comes from a fresh listing instead (the page says so by its listing id).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use sqlx::{FromRow, QueryBuilder, Sqlite};

use crate::artifacts::SummaryRow;
use crate::fold::{fold, title_key};
use crate::{
    ArtifactListQuery, ArtifactPage, ArtifactSort, ArtifactSummary, Entity, Result, Store, StoreError, TypeCount,
    validate,
};

/// Listings kept for later pages.
const KEPT: usize = 4;
const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 1_000;
/// Titles folded per transaction when filling in `title_key` for rows written before schema 7.
const FILL_BATCH: i64 = 2_000;

/// What a listing is of.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ListKey {
    workspace_id: String,
    sort: ArtifactSort,
    /// Folded words the title must contain.
    words: Vec<String>,
    content_type: Option<String>,
}

impl ListKey {
    fn of(query: &ArtifactListQuery) -> Self {
        let words = query.filter.as_deref().map(fold).unwrap_or_default();
        ListKey {
            workspace_id: query.workspace_id.clone(),
            sort: query.sort,
            words: words.split_whitespace().map(str::to_owned).collect(),
            content_type: query.content_type.clone().filter(|t| !t.is_empty()),
        }
    }
}

#[derive(Debug)]
struct Listing {
    id: u64,
    key: ListKey,
    order: Arc<[i64]>,
}

/// The listings kept by a store.
#[derive(Debug, Default)]
pub(crate) struct Listings {
    kept: Mutex<(u64, VecDeque<Listing>)>,
}

impl Listings {
    fn find(&self, id: &str, key: &ListKey) -> Option<(u64, Arc<[i64]>)> {
        let id: u64 = id.parse().ok()?;
        let kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        kept.1.iter().find(|l| l.id == id && l.key == *key).map(|l| (l.id, l.order.clone()))
    }

    fn keep(&self, key: ListKey, order: Arc<[i64]>) -> u64 {
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        kept.0 += 1;
        let id = kept.0;
        kept.1.retain(|l| l.key != key);
        if kept.1.len() >= KEPT {
            kept.1.pop_front();
        }
        kept.1.push_back(Listing { id, key, order });
        id
    }

    fn forget(&self, id: u64) {
        self.kept.lock().unwrap_or_else(|p| p.into_inner()).1.retain(|l| l.id != id);
    }
}

#[derive(FromRow)]
struct PageRow {
    seq: i64,
    #[sqlx(flatten)]
    summary: SummaryRow,
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Store {
    /// One page of a workspace's artifacts, ordered and filtered over the whole workspace.
    #[tracing::instrument(skip_all, fields(workspace = %query.workspace_id))]
    pub async fn list_page(&self, query: &ArtifactListQuery) -> Result<ArtifactPage> {
        validate::id("workspace_id", &query.workspace_id).map_err(|p| StoreError::Invalid(vec![p]))?;
        let key = ListKey::of(query);
        let limit = query.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT) as usize;
        if let Some((id, order)) = query.listing.as_deref().and_then(|id| self.listings.find(id, &key)) {
            if let Some(page) = self.page_of(id, &order, query, limit, false).await? {
                return Ok(page);
            }
            // Some of its artifacts were deleted since it was made: a fresh listing has no holes.
            self.listings.forget(id);
        }
        let order = self.order(&key).await?;
        let id = self.listings.keep(key.clone(), order.clone());
        let page = self.page_of(id, &order, query, limit, true).await?;
        let page =
            page.ok_or_else(|| StoreError::NotFound { entity: Entity::Workspace, id: key.workspace_id.clone() })?;
        Ok(ArtifactPage { types: Some(self.types(&key.workspace_id).await?), ..page })
    }

    /// The page of `order` the query asks for; `None` when some of its artifacts are gone and holes are not
    /// accepted.
    async fn page_of(
        &self,
        id: u64,
        order: &[i64],
        query: &ArtifactListQuery,
        limit: usize,
        holes: bool,
    ) -> Result<Option<ArtifactPage>> {
        let position = match &query.around {
            Some(artifact) => {
                let seq: Option<i64> = sqlx::query_scalar("SELECT seq FROM artifacts WHERE id = ?")
                    .bind(artifact)
                    .fetch_optional(self.pool())
                    .await?;
                seq.and_then(|seq| order.iter().position(|s| *s == seq))
            }
            None => None,
        };
        let offset = match position {
            Some(position) => position - position % limit,
            None => (query.offset.unwrap_or(0) as usize).min(order.len()),
        };
        let seqs = &order[offset..(offset + limit).min(order.len())];
        let rows = self.summaries(seqs).await?;
        if rows.len() < seqs.len() && !holes {
            return Ok(None);
        }
        Ok(Some(ArtifactPage {
            listing: id.to_string(),
            total: to_u32(order.len()),
            offset: to_u32(offset),
            rows,
            position: position.map(to_u32),
            types: None,
        }))
    }

    /// Every matching artifact's `seq`, in order: one statement, one row (a list of numbers), however many.
    async fn order(&self, key: &ListKey) -> Result<Arc<[i64]>> {
        let exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM workspaces WHERE id = ?")
            .bind(&key.workspace_id)
            .fetch_optional(self.pool())
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound { entity: Entity::Workspace, id: key.workspace_id.clone() });
        }
        let mut q = QueryBuilder::<Sqlite>::new(
            "SELECT group_concat(seq) FROM (SELECT seq FROM artifacts WHERE workspace_id = ",
        );
        q.push_bind(&key.workspace_id);
        if let Some(content_type) = &key.content_type {
            q.push(" AND content_type = ").push_bind(content_type);
        }
        for word in &key.words {
            q.push(" AND instr(title_key, ").push_bind(word).push(") > 0");
        }
        // (The aggregate reads the subquery's rows in its order: SQLite never flattens an ordered subquery into
        // an aggregate.)
        q.push(match key.sort {
            ArtifactSort::Modified => " ORDER BY modified_time DESC, seq DESC)",
            ArtifactSort::Title => " ORDER BY title_key, seq)",
            ArtifactSort::Type => " ORDER BY content_type, title_key, seq)",
        });
        let list: Option<String> = q.build_query_scalar().fetch_one(self.pool()).await?;
        let order = list.as_deref().unwrap_or_default().split(',').filter_map(|s| s.parse().ok()).collect();
        Ok(order)
    }

    /// The summaries of these artifacts, in this order (those deleted meanwhile left out).
    async fn summaries(&self, seqs: &[i64]) -> Result<Vec<ArtifactSummary>> {
        if seqs.is_empty() {
            return Ok(Vec::new());
        }
        // Integers from the listing, safe to inline.
        let list = seqs.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let rows: Vec<PageRow> = sqlx::query_as(&format!(
            "SELECT seq, id, workspace_id, title, content_type, state, version, size_bytes, created_time, modified_time
             FROM artifacts WHERE seq IN ({list})"
        ))
        .fetch_all(self.pool())
        .await?;
        let mut by_seq: std::collections::HashMap<i64, PageRow> = rows.into_iter().map(|r| (r.seq, r)).collect();
        seqs.iter().filter_map(|seq| by_seq.remove(seq)).map(|row| ArtifactSummary::try_from(row.summary)).collect()
    }

    /// The content types of a workspace with their counts, from the type index alone.
    async fn types(&self, workspace_id: &str) -> Result<Vec<TypeCount>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT content_type, count(*) FROM artifacts WHERE workspace_id = ? GROUP BY content_type ORDER BY content_type",
        )
        .bind(workspace_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(content_type, count)| TypeCount { content_type, count: u32::try_from(count).unwrap_or(u32::MAX) })
            .collect())
    }

    /// Folds the titles of rows written before schema 7 (SQLite cannot fold accents, so the migration could not).
    pub(crate) async fn fill_title_keys(&self) -> Result<()> {
        let missing: Option<i64> = sqlx::query_scalar("SELECT 1 FROM artifacts WHERE title_key IS NULL LIMIT 1")
            .fetch_optional(self.pool())
            .await?;
        if missing.is_none() {
            return Ok(());
        }
        loop {
            let mut tx = self.begin_write().await?;
            // (A partial index holds exactly these rows: finding none costs nothing.)
            let rows: Vec<(i64, String)> =
                sqlx::query_as("SELECT seq, title FROM artifacts WHERE title_key IS NULL LIMIT ?")
                    .bind(FILL_BATCH)
                    .fetch_all(&mut *tx)
                    .await?;
            for (seq, title) in &rows {
                sqlx::query("UPDATE artifacts SET title_key = ? WHERE seq = ?")
                    .bind(title_key(title))
                    .bind(seq)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit_quietly().await?;
            if rows.len() < FILL_BATCH as usize {
                return Ok(());
            }
        }
    }
}
