//! What belongs to this machine and is never synced: the index of keychain secrets (ids and descriptions, never
//! values), local settings, and the person's approvals of what server registrations run here.

use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use crate::clock::now;
use crate::{Result, Store};

/// What the store knows about a keychain secret. There is deliberately no field for its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SecretRecord {
    /// The id registrations refer to.
    pub id: String,
    /// What it is for, in the person's words.
    pub description: String,
    /// When it was first set.
    pub created_at: String,
    /// When its value was last replaced.
    pub updated_at: String,
}

/// The person approved what a server registration does on this machine, as it was when they approved it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ServerApproval {
    /// The registration artifact.
    pub server_id: String,
    /// The fingerprint of the transport and auth approved.
    pub fingerprint: String,
    /// When.
    pub approved_time: String,
}

impl Store {
    /// The approval of a server registration, if the person gave one.
    pub async fn server_approval(&self, server_id: &str) -> Result<Option<ServerApproval>> {
        Ok(sqlx::query_as::<_, ServerApproval>("SELECT * FROM server_approvals WHERE server_id = ?1")
            .bind(server_id)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Every approval, for lists.
    pub async fn server_approvals(&self) -> Result<Vec<ServerApproval>> {
        Ok(sqlx::query_as::<_, ServerApproval>("SELECT * FROM server_approvals").fetch_all(self.pool()).await?)
    }

    /// Records the person's approval of a registration as it is now (`fingerprint`), replacing an earlier one.
    pub async fn approve_server(&self, server_id: &str, fingerprint: &str) -> Result<ServerApproval> {
        let mut tx = self.begin_write().await?;
        let approval = sqlx::query_as::<_, ServerApproval>(
            "INSERT INTO server_approvals (server_id, fingerprint, approved_time) VALUES (?1, ?2, ?3)
             ON CONFLICT (server_id) DO UPDATE SET fingerprint = ?2, approved_time = ?3 RETURNING *",
        )
        .bind(server_id)
        .bind(fingerprint)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(approval)
    }

    /// Withdraws an approval; `false` when there was none.
    pub async fn withdraw_server_approval(&self, server_id: &str) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let done =
            sqlx::query("DELETE FROM server_approvals WHERE server_id = ?1").bind(server_id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    /// Records that a secret was set (or replaced); keeps the description when `description` is `None`.
    pub async fn secret_record_upsert(&self, id: &str, description: Option<&str>) -> Result<SecretRecord> {
        let time = now();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO secrets (id, description, created_at, updated_at) VALUES (?1, COALESCE(?2, ''), ?3, ?3)
             ON CONFLICT (id) DO UPDATE SET description = COALESCE(?2, description), updated_at = ?3",
        )
        .bind(id)
        .bind(description)
        .bind(&time)
        .execute(&mut *tx)
        .await?;
        let record = sqlx::query_as::<_, SecretRecord>("SELECT * FROM secrets WHERE id = ?1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(record)
    }

    /// Every secret known, by id.
    pub async fn secret_records(&self) -> Result<Vec<SecretRecord>> {
        Ok(sqlx::query_as::<_, SecretRecord>("SELECT * FROM secrets ORDER BY id").fetch_all(self.pool()).await?)
    }

    /// Forgets a secret; `false` when it was not known.
    pub async fn secret_record_delete(&self, id: &str) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("DELETE FROM secrets WHERE id = ?1").bind(id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    /// A local setting, when set.
    pub async fn setting(&self, key: &str) -> Result<Option<serde_json::Value>> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT value FROM settings WHERE key = ?1").bind(key).fetch_optional(self.pool()).await?;
        // A value this build cannot read is treated as unset rather than failing every caller.
        Ok(row.and_then(|(text,)| serde_json::from_str(&text).ok()))
    }

    /// Sets a local setting.
    pub async fn set_setting(&self, key: &str, value: &serde_json::Value) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2")
            .bind(key)
            .bind(value.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
