//! Idempotent agent writes: the first call with a key runs and keeps its result; a retry with the same key and
//! arguments gets that result back instead of writing twice. Keys are per agent and tool, and last a day.

use chrono::{Duration, SecondsFormat, Utc};

use crate::clock::now;
use crate::{Result, Store};

/// How long a key is remembered.
const KEPT_FOR: Duration = Duration::hours(24);
/// A first call that has not finished in this long is taken to have died with its process: the key runs again.
const RUNNING_AT_MOST: Duration = Duration::minutes(10);

/// What a call with an idempotency key does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotentStart {
    /// The key is new (or its first call failed or died): run the call, then [`Store::idempotent_finish`].
    Run,
    /// The key's first call succeeded with this result (JSON text): answer it again, run nothing.
    Done(String),
    /// The key's first call is still running.
    Running,
    /// The key was used for a call with other arguments.
    OtherRequest,
}

fn ago(span: Duration) -> String {
    (Utc::now() - span).to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl Store {
    /// Claims `key` for `agent_id`'s call of `tool` with arguments hashed to `request_hash`, or says why not.
    pub async fn idempotent_begin(
        &self,
        agent_id: &str,
        tool: &str,
        key: &str,
        request_hash: &str,
    ) -> Result<IdempotentStart> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM idempotent_calls WHERE created_time < ?1")
            .bind(ago(KEPT_FOR))
            .execute(&mut *tx)
            .await?;
        let found: Option<(String, Option<String>, String)> = sqlx::query_as(
            "SELECT request_hash, result, created_time FROM idempotent_calls
             WHERE agent_id = ?1 AND tool = ?2 AND key = ?3",
        )
        .bind(agent_id)
        .bind(tool)
        .bind(key)
        .fetch_optional(&mut *tx)
        .await?;
        let start = match found {
            Some((hash, _, _)) if hash != request_hash => IdempotentStart::OtherRequest,
            Some((_, Some(result), _)) => IdempotentStart::Done(result),
            Some((_, None, started)) if started >= ago(RUNNING_AT_MOST) => IdempotentStart::Running,
            _ => {
                sqlx::query(
                    "INSERT OR REPLACE INTO idempotent_calls (agent_id, tool, key, request_hash, result, created_time)
                     VALUES (?1, ?2, ?3, ?4, NULL, ?5)",
                )
                .bind(agent_id)
                .bind(tool)
                .bind(key)
                .bind(request_hash)
                .bind(now())
                .execute(&mut *tx)
                .await?;
                IdempotentStart::Run
            }
        };
        tx.commit_quietly().await?;
        Ok(start)
    }

    /// Ends a claimed call: its result is kept for retries, or, when it failed (`None`), the key is let go so a
    /// retry runs again.
    pub async fn idempotent_finish(&self, agent_id: &str, tool: &str, key: &str, result: Option<&str>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let query = match result {
            Some(_) => "UPDATE idempotent_calls SET result = ?4 WHERE agent_id = ?1 AND tool = ?2 AND key = ?3",
            None => "DELETE FROM idempotent_calls WHERE agent_id = ?1 AND tool = ?2 AND key = ?3 AND result IS NULL",
        };
        sqlx::query(query).bind(agent_id).bind(tool).bind(key).bind(result).execute(&mut *tx).await?;
        tx.commit_quietly().await?;
        Ok(())
    }
}
