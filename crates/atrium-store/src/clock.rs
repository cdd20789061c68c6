//! The time the store writes.

/// Now, as the ISO-8601 UTC text stored in every `*_time` column.
pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
