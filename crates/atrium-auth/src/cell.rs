//! The current token of one grant, refreshed ahead of expiry with one exchange at a time.

use std::future::Future;
use std::sync::{Arc, Mutex};

use crate::error::AuthError;
use crate::token::{TokenSet, now};

/// Refresh this long before the token expires, so a request never leaves with a token about to die.
pub const REFRESH_MARGIN_S: i64 = 60;

/// Holds a grant's current tokens. Readers get the current token without waiting; when it is due, the first
/// caller refreshes and everyone else waiting gets that caller's result (a single flight: under load, one token
/// exchange).
#[derive(Default)]
pub struct TokenCell {
    current: Mutex<Option<Arc<TokenSet>>>,
    /// Held only while a refresh is in flight: the flight itself, not a lock on data.
    flight: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for TokenCell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenCell(…)")
    }
}

impl TokenCell {
    /// A cell holding `tokens`, if any.
    pub fn new(tokens: Option<TokenSet>) -> Self {
        TokenCell { current: Mutex::new(tokens.map(Arc::new)), flight: tokio::sync::Mutex::new(()) }
    }

    /// The tokens held now, fresh or not.
    pub fn peek(&self) -> Option<Arc<TokenSet>> {
        self.current.lock().ok().and_then(|c| c.clone())
    }

    /// Replaces the tokens (after a sign-in).
    pub fn set(&self, tokens: Option<TokenSet>) {
        if let Ok(mut current) = self.current.lock() {
            *current = tokens.map(Arc::new);
        }
    }

    /// Marks `rejected` as no longer usable (the server answered 401 to it), so the next caller refreshes.
    pub fn reject(&self, rejected: &str) {
        if let Ok(mut current) = self.current.lock()
            && let Some(tokens) = current.as_ref()
            && tokens.access_token.expose() == rejected
        {
            let mut stale = (**tokens).clone();
            stale.expires_at = Some(0);
            *current = Some(Arc::new(stale));
        }
    }

    /// A token good for at least [`REFRESH_MARGIN_S`]: the current one, or the one `renew` gets from the
    /// current (possibly absent) tokens. Concurrent callers share one `renew`.
    pub async fn fresh<F, Fut>(&self, renew: F) -> Result<Arc<TokenSet>, AuthError>
    where
        F: FnOnce(Option<Arc<TokenSet>>) -> Fut,
        Fut: Future<Output = Result<TokenSet, AuthError>>,
    {
        if let Some(tokens) = self.peek().filter(|t| t.fresh_at(now(), REFRESH_MARGIN_S)) {
            return Ok(tokens);
        }
        let _flight = self.flight.lock().await;
        // Whoever held the flight before may have refreshed already.
        let held = self.peek();
        if let Some(tokens) = held.clone().filter(|t| t.fresh_at(now(), REFRESH_MARGIN_S)) {
            return Ok(tokens);
        }
        let renewed = Arc::new(renew(held).await?);
        if let Ok(mut current) = self.current.lock() {
            *current = Some(renewed.clone());
        }
        Ok(renewed)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;
    use crate::Sensitive;

    fn tokens(access: &str, expires_at: Option<i64>) -> TokenSet {
        TokenSet { access_token: Sensitive::new(access.into()), refresh_token: None, expires_at, scope: None }
    }

    #[tokio::test]
    async fn concurrent_callers_at_expiry_share_one_renewal() {
        let cell = Arc::new(TokenCell::new(Some(tokens("old", Some(now() + 30)))));
        let renewals = Arc::new(AtomicU32::new(0));
        let mut callers = Vec::new();
        for _ in 0..16 {
            let (cell, renewals) = (cell.clone(), renewals.clone());
            callers.push(tokio::spawn(async move {
                cell.fresh(|held| async move {
                    assert_eq!(held.map(|t| t.access_token.expose().clone()).as_deref(), Some("old"));
                    renewals.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    Ok(tokens("new", Some(now() + 3600)))
                })
                .await
                .map(|t| t.access_token.expose().clone())
            }));
        }
        for caller in callers {
            assert_eq!(caller.await.expect("joined").expect("a token"), "new");
        }
        assert_eq!(renewals.load(Ordering::SeqCst), 1);
        // A rejected token is renewed even though its expiry said it was fresh.
        cell.reject("new");
        let again = cell.fresh(|_| async { Ok(tokens("newer", None)) }).await.expect("renewed");
        assert_eq!(again.access_token.expose(), "newer");
        // A failed renewal keeps nothing new and says why.
        cell.reject("newer");
        let err = cell
            .fresh(|_| async { Err(AuthError::Refused { error: "invalid_grant".into(), description: None }) })
            .await
            .expect_err("refused");
        assert!(err.grant_is_dead());
    }
}
