//! The double's shared state: one for all its listeners, so a user, a token, an artifact or a relay session is
//! the same whichever URL a request came in on. Users, issued tokens and keys, the artifact store, the event
//! bus, relay sessions, counters, faults and the clock.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::bus::EventsHub;
use super::faults::Faults;
use super::model::{DoubleStats, DoubleUser};
use super::options::DoubleOptions;
use super::relay::RelayHub;
use super::store::Store;
use super::urls::Urls;
use super::util::{Clock, epoch_secs, lock, random_bytes, random_hex};

/// Codes (and their PKCE state) live this long, like Origin's in-memory cache.
pub(crate) const CODE_TTL: Duration = Duration::from_secs(600);

/// A pending authorization code: issued by `/auth/authorize`, redeemed once at `/auth/token`.
#[derive(Clone, Debug)]
pub(crate) struct AuthCode {
    pub user_id: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: String,
    /// PKCE: (challenge, method).
    pub challenge: Option<(String, String)>,
    pub issued: Instant,
}

/// One issued JWT-shaped token. The double verifies tokens by looking them up here (no signatures).
#[derive(Clone, Debug)]
pub(crate) struct TokenRecord {
    pub user_id: String,
    pub refresh: bool,
    pub exp: f64,
    /// The `Faults::expire_tokens` epoch at issue; an access token from an older epoch is rejected.
    pub epoch: u64,
    pub claims: Value,
}

/// Counters behind [`DoubleStats`].
#[derive(Default)]
pub(crate) struct Counters {
    pub requests: AtomicU64,
    pub token_grants: AtomicU64,
    pub refreshes: AtomicU64,
    pub creates: AtomicU64,
    pub updates: AtomicU64,
    pub deletes: AtomicU64,
    pub batch_fetches: AtomicU64,
    pub children_listings: AtomicU64,
    pub content_url_fetches: AtomicU64,
    pub events_sockets: AtomicU64,
    pub grants_by_type: Mutex<BTreeMap<String, u64>>,
    pub authorize_providers: Mutex<BTreeMap<String, u64>>,
}

/// Adds one to a counter.
pub(crate) fn bump(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

/// One stored Origin grant: `_grant_response`'s fields, in its order (serde_json keeps insertion order here).
pub(crate) type GrantRow = serde_json::Map<String, serde_json::Value>;

/// Everything the handlers, the control surface and the test-facing handles share.
pub(crate) struct Shared {
    pub urls: Urls,
    /// How the double was started (its port aside): sign-in providers, passwords, discovery hints.
    pub options: DoubleOptions,
    pub users: Mutex<Vec<DoubleUser>>,
    pub tokens: Mutex<HashMap<String, TokenRecord>>,
    pub api_keys: Mutex<HashMap<String, String>>,
    pub codes: Mutex<HashMap<String, AuthCode>>,
    pub content_tokens: Mutex<HashMap<String, (Arc<str>, String)>>,
    pub store: Mutex<Store>,
    /// Origin's resource grants (`/auth/grants`): invites and direct grants, revoked ones kept.
    pub access_grants: Mutex<Vec<GrantRow>>,
    pub clock: Clock,
    pub counters: Counters,
    pub faults: Faults,
    pub events: EventsHub,
    pub relay: RelayHub,
    pub access_ttl: AtomicU64,
    pub relay_timeout_ms: AtomicU64,
    pub shutdown: CancellationToken,
}

/// The default user every double starts with.
pub(crate) fn default_user() -> DoubleUser {
    DoubleUser {
        id: uuid::Uuid::new_v4().to_string(),
        username: "ada".into(),
        password: "correct-horse-battery".into(),
        email: "ada@example.org".into(),
    }
}

impl Shared {
    pub(crate) fn new(urls: Urls, options: DoubleOptions) -> Shared {
        Shared {
            urls,
            options,
            users: Mutex::new(vec![default_user()]),
            tokens: Mutex::default(),
            api_keys: Mutex::default(),
            codes: Mutex::default(),
            content_tokens: Mutex::default(),
            store: Mutex::default(),
            access_grants: Mutex::default(),
            clock: Clock::default(),
            counters: Counters::default(),
            faults: Faults::default(),
            events: EventsHub::default(),
            relay: RelayHub::default(),
            access_ttl: AtomicU64::new(43_200),
            relay_timeout_ms: AtomicU64::new(30_000),
            shutdown: CancellationToken::new(),
        }
    }

    pub(crate) fn default_user(&self) -> DoubleUser {
        lock(&self.users).first().cloned().unwrap_or_else(default_user)
    }

    pub(crate) fn user_by_id(&self, id: &str) -> Option<DoubleUser> {
        lock(&self.users).iter().find(|u| u.id == id).cloned()
    }

    pub(crate) fn relay_timeout(&self) -> Duration {
        Duration::from_millis(self.relay_timeout_ms.load(Ordering::Relaxed))
    }

    /// Mints a JWT-shaped token for `user` and records it. Refresh tokens live 30 days, access tokens the TTL.
    pub(crate) fn mint(&self, user: &DoubleUser, client_id: &str, refresh: bool) -> (String, TokenRecord) {
        let mut claims = json!({
            "sub": user.id, "email": user.email, "name": user.username, "picture": null,
            "roles": [], "client_id": client_id, "aud": self.urls.platform(),
        });
        self.mint_claims(&user.id, &mut claims, refresh)
    }

    /// Mints a token from ready claims (the refresh grant copies them), adding `iat`, `exp`, `iss`.
    pub(crate) fn mint_claims(&self, user_id: &str, claims: &mut Value, refresh: bool) -> (String, TokenRecord) {
        let iat = epoch_secs();
        let ttl = if refresh { 30.0 * 86_400.0 } else { self.access_ttl.load(Ordering::Relaxed) as f64 };
        let exp = iat + ttl;
        if let Some(obj) = claims.as_object_mut() {
            obj.insert("iat".into(), json!(iat));
            obj.insert("exp".into(), json!(exp));
            obj.insert("iss".into(), json!(self.urls.platform()));
            if refresh {
                obj.insert("token_type".into(), json!("refresh"));
            }
        }
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","kid":"origin-1","typ":"JWT"}"#);
        let body = URL_SAFE_NO_PAD.encode(claims.to_string());
        let sig = URL_SAFE_NO_PAD.encode(random_bytes(32));
        let token = format!("{header}.{body}.{sig}");
        let record = TokenRecord {
            user_id: user_id.to_owned(),
            refresh,
            exp,
            epoch: self.faults.token_epoch(),
            claims: claims.clone(),
        };
        lock(&self.tokens).insert(token.clone(), record.clone());
        (token, record)
    }

    /// The user behind a valid, unexpired access token (not a refresh token, not one from before `expire_tokens`).
    pub(crate) fn verify_access(&self, token: &str) -> Option<DoubleUser> {
        let rec = lock(&self.tokens).get(token).cloned()?;
        if rec.refresh || rec.exp <= epoch_secs() || rec.epoch != self.faults.token_epoch() {
            return None;
        }
        self.user_by_id(&rec.user_id)
    }

    /// A valid refresh token's record.
    pub(crate) fn verify_refresh(&self, token: &str) -> Option<TokenRecord> {
        let rec = lock(&self.tokens).get(token).cloned()?;
        (rec.refresh && rec.exp > epoch_secs()).then_some(rec)
    }

    /// Mints an `agc_<32 hex>` personal API key for the user.
    pub(crate) fn mint_api_key(&self, user_id: &str) -> String {
        let key = format!("agc_{}", random_hex(16));
        lock(&self.api_keys).insert(key.clone(), user_id.to_owned());
        key
    }

    /// The user a Mantle bearer stands for: an `agc_` key (optionally `{artifact_id}:agc_…`) or an access JWT.
    pub(crate) fn resolve_bearer(&self, token: &str) -> Option<DoubleUser> {
        let key = token.rsplit_once(':').map_or(token, |(_, k)| k);
        if key.starts_with("agc_") {
            let user_id = lock(&self.api_keys).get(key).cloned()?;
            return self.user_by_id(&user_id);
        }
        self.verify_access(token)
    }

    pub(crate) fn stats(&self) -> DoubleStats {
        let c = &self.counters;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        DoubleStats {
            requests: get(&c.requests),
            token_grants: get(&c.token_grants),
            refreshes: get(&c.refreshes),
            creates: get(&c.creates),
            updates: get(&c.updates),
            deletes: get(&c.deletes),
            batch_fetches: get(&c.batch_fetches),
            children_listings: get(&c.children_listings),
            content_url_fetches: get(&c.content_url_fetches),
            events_sockets: get(&c.events_sockets),
            faults_injected: self.faults.injected(),
            grants_by_type: lock(&c.grants_by_type).clone(),
            authorize_providers: lock(&c.authorize_providers).clone(),
        }
    }

    /// Counts one `/auth/authorize` that went on to the named sign-in provider.
    pub(crate) fn count_authorize(&self, provider: &str) {
        *lock(&self.counters.authorize_providers).entry(provider.to_owned()).or_default() += 1;
    }

    /// Counts one successful token grant of a kind (`authorization_code`, `refresh_token`, `password`).
    pub(crate) fn count_grant(&self, kind: &str) {
        if kind == "refresh_token" {
            bump(&self.counters.refreshes);
        } else {
            bump(&self.counters.token_grants);
        }
        *lock(&self.counters.grants_by_type).entry(kind.to_owned()).or_default() += 1;
    }
}

/// The unverified `sub` of a JWT-shaped bearer, as Chorus's gateway reads it.
pub(crate) fn unverified_sub(token: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    claims.get("sub")?.as_str().map(str::to_owned)
}
