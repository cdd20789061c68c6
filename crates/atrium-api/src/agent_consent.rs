//! The consent step of MCP authorization: an OAuth client's authorization request (the agent's browser opened the
//! gateway's `/authorize`) becomes a request in Atrium's window, and only there can the person approve it — the
//! browser page cannot: it shows "waiting for approval in Atrium" and polls for the outcome with an unguessable id
//! the window never sees. The person picks the workspaces, scopes and servers and names the agent; approving makes
//! that agent (an OAuth agent, tied to the client; a client approved before gets its agent updated, never a second)
//! and a one-time code bound to the request's PKCE challenge, redirect URI and resource; refusing sends the browser
//! back with `access_denied`.
//!
//! Requests and codes live in memory, in the process serving the gateway: a request waits ten minutes at most, a
//! code holds one minute and is redeemed once.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::agent_tokens::{hash, now_text, random_secret, same};
use crate::oauth_rules::{OAuthErrorCode, OAuthRefusal, redirect_allowed, resource_allowed};
use crate::{AgentScope, AgentView, ApiError, ApiResult, AppEvent, Atrium, ErrorCode, NewAgent};

/// How long a request waits for the person.
const REQUEST_LIFETIME: Duration = Duration::from_secs(600);
/// How long a code may wait to be redeemed.
const CODE_LIFETIME: Duration = Duration::from_secs(60);
/// The most requests waiting at once (anything on this machine can open `/authorize`).
const MAX_PENDING: usize = 20;

/// An OAuth client asking for an agent, as the window's consent dialog shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct ConsentRequest {
    /// Its id, for the answer.
    pub id: String,
    /// The client's id.
    pub client_id: String,
    /// The name the client gave itself (not verified: anything on this machine can register).
    pub client_name: String,
    /// Where the code goes if approved.
    pub redirect_uri: String,
    /// The scopes it asked for that Atrium knows (the dialog starts with these; `read` when none).
    pub scopes: Vec<AgentScope>,
    /// The agent this client is already (approved before, its sign-in since expired or ended): approving again
    /// gives that agent the answer's name, workspaces, scopes and servers, and makes no second one.
    pub agent: Option<Box<AgentView>>,
    /// When it asked.
    pub created_time: String,
}

/// The person's answer to a [`ConsentRequest`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct ConsentAnswer {
    /// Approve (make the agent, send the code) or refuse (`access_denied`).
    pub approve: bool,
    /// The agent to make when approving: its name, workspaces, scopes and servers.
    pub agent: NewAgent,
}

/// An authorization request's query (RFC 6749 §4.1.1 with PKCE and RFC 8707), as it came.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AuthorizeQuery {
    /// Must be `code`.
    pub response_type: Option<String>,
    /// The registered client.
    pub client_id: Option<String>,
    /// One of the client's registered redirect URIs, exactly (may be left out when it registered one).
    pub redirect_uri: Option<String>,
    /// Space-separated scopes.
    pub scope: Option<String>,
    /// Returned as it came.
    pub state: Option<String>,
    /// PKCE: BASE64URL(SHA-256(verifier)).
    pub code_challenge: Option<String>,
    /// Must be `S256`.
    pub code_challenge_method: Option<String>,
    /// RFC 8707: this gateway's MCP endpoint.
    pub resource: Option<String>,
}

/// Where an authorization request stands once checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeOutcome {
    /// Waiting for the person in the window; the page polls with `poll`.
    Waiting {
        /// The unguessable id the page polls with.
        poll: String,
        /// The client, for the page.
        client_name: String,
    },
    /// Refused before its redirect could be trusted (unknown client, unregistered redirect): say so on the page,
    /// never redirect.
    Refused(OAuthRefusal),
    /// Refused after the redirect was checked: send the browser there (it carries `error`).
    Redirect(String),
}

/// What the waiting page learns when it polls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsentStatus {
    /// Still waiting for the person.
    Waiting,
    /// Answered: go here (with the code, or `error=access_denied`).
    Redirect(String),
    /// No such request (never, or it expired).
    Unknown,
}

struct Pending {
    view: ConsentRequest,
    poll: String,
    redirect_uri: String,
    state: Option<String>,
    challenge: String,
    resource: Option<String>,
    issuer: String,
    outcome: Option<String>,
    /// An answer is being made (one at a time: a second click makes no second agent).
    answering: bool,
    until: Instant,
}

/// A code waiting to be redeemed (kept by its hash).
struct IssuedCode {
    client_id: String,
    redirect_uri: String,
    challenge: String,
    resource: Option<String>,
    agent_id: String,
    until: Instant,
}

/// What a redeemed code was for.
pub(crate) struct Redeemed {
    pub(crate) agent_id: String,
    pub(crate) resource: Option<String>,
}

/// The requests waiting for the person and the codes waiting to be redeemed.
#[derive(Default)]
pub(crate) struct Consents {
    pending: Mutex<Vec<Pending>>,
    codes: Mutex<HashMap<String, IssuedCode>>,
}

impl std::fmt::Debug for Consents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Consents").finish_non_exhaustive()
    }
}

impl Consents {
    /// Drops what expired; returns the ids of requests that did (the window closes their dialogs).
    fn sweep(&self) -> Vec<String> {
        let now = Instant::now();
        self.codes.lock().unwrap_or_else(|p| p.into_inner()).retain(|_, c| c.until > now);
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        let gone =
            pending.iter().filter(|p| p.until <= now && p.outcome.is_none()).map(|p| p.view.id.clone()).collect();
        pending.retain(|p| p.until > now);
        gone
    }

    /// Redeems a code once: it must be this client's, for this redirect, and the verifier must match its
    /// challenge. A failed attempt uses the code up too.
    pub(crate) fn redeem(
        &self,
        code: &str,
        client_id: &str,
        redirect_uri: Option<&str>,
        verifier: &str,
    ) -> Result<Redeemed, &'static str> {
        let issued = self.codes.lock().unwrap_or_else(|p| p.into_inner()).remove(&hash(code));
        let Some(issued) = issued.filter(|c| c.until > Instant::now()) else {
            return Err("The code is wrong, used or expired.");
        };
        if issued.client_id != client_id {
            return Err("The code is another client's.");
        }
        if redirect_uri.is_some_and(|r| r != issued.redirect_uri) {
            return Err("redirect_uri is not the one the code was sent to.");
        }
        if !(43..=128).contains(&verifier.len()) {
            return Err("The code_verifier must be 43 to 128 characters.");
        }
        let derived = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        if !same(derived.as_bytes(), issued.challenge.as_bytes()) {
            return Err("The code_verifier does not match the code_challenge.");
        }
        Ok(Redeemed { agent_id: issued.agent_id, resource: issued.resource })
    }
}

/// `redirect` with the query parameters added (it may have a query of its own already).
fn redirect_with(redirect: &str, params: &[(&str, &str)]) -> String {
    match url::Url::parse(redirect) {
        Ok(mut url) => {
            url.query_pairs_mut().extend_pairs(params);
            url.to_string()
        }
        Err(_) => redirect.to_owned(),
    }
}

fn scopes_asked(scope: Option<&str>) -> Vec<AgentScope> {
    let mut scopes: Vec<AgentScope> =
        scope.unwrap_or_default().split_whitespace().filter_map(AgentScope::parse).collect();
    scopes.sort();
    scopes.dedup();
    if scopes.is_empty() { vec![AgentScope::Read] } else { scopes }
}

impl Atrium {
    /// Checks an authorization request from the agent's browser and, when it holds, puts it before the person in
    /// the window (`AgentConsentRequested`). `issuer` is the gateway's origin.
    #[tracing::instrument(skip_all)]
    pub async fn oauth_authorize(&self, query: AuthorizeQuery, issuer: &str) -> ApiResult<AuthorizeOutcome> {
        use OAuthErrorCode::*;
        let page = |code, why: &str| Ok(AuthorizeOutcome::Refused(OAuthRefusal::new(code, why)));
        let Some(client_id) = query.client_id.as_deref() else { return page(InvalidRequest, "client_id is missing.") };
        let Some(client) = self.store.oauth_client_get(client_id).await? else {
            return page(InvalidClient, "No client is registered by that id: register again.");
        };
        let registered: Vec<String> = serde_json::from_str(&client.redirect_uris).unwrap_or_default();
        let redirect_uri = match (&query.redirect_uri, registered.as_slice()) {
            (Some(given), _) if registered.iter().any(|r| r == given) => given.clone(),
            (Some(_), _) => return page(InvalidRequest, "redirect_uri is not one the client registered."),
            (None, [only]) => only.clone(),
            (None, _) => return page(InvalidRequest, "redirect_uri is missing."),
        };
        if redirect_allowed(&redirect_uri).is_err() {
            return page(InvalidRequest, "redirect_uri is not one Atrium sends codes to.");
        }
        // From here on, errors go back to the client by its redirect (RFC 6749 §4.1.2.1).
        let back = |code: OAuthErrorCode, why: &str| {
            let mut params = vec![("error", code.as_str()), ("error_description", why), ("iss", issuer)];
            if let Some(state) = &query.state {
                params.push(("state", state));
            }
            Ok(AuthorizeOutcome::Redirect(redirect_with(&redirect_uri, &params)))
        };
        if query.response_type.as_deref() != Some("code") {
            return back(UnsupportedResponseType, "Only response_type=code is offered.");
        }
        let Some(challenge) = query.code_challenge.clone().filter(|c| (43..=128).contains(&c.len())) else {
            return back(InvalidRequest, "PKCE is required: send a code_challenge (S256).");
        };
        if query.code_challenge_method.as_deref() != Some("S256") {
            return back(InvalidRequest, "code_challenge_method must be S256.");
        }
        if let Some(resource) = &query.resource
            && !resource_allowed(resource, issuer)
        {
            return back(InvalidTarget, "The resource is not this gateway's MCP endpoint.");
        }
        for id in self.consents.sweep() {
            self.options.events.emit(AppEvent::AgentConsentClosed { id });
        }
        let view = ConsentRequest {
            id: uuid::Uuid::new_v4().to_string(),
            client_id: client.client_id.clone(),
            client_name: client.client_name.clone(),
            redirect_uri: redirect_uri.clone(),
            scopes: scopes_asked(query.scope.as_deref()),
            agent: match self.store.agent_of_client(&client.client_id).await? {
                Some(record) => Some(Box::new(self.view_of(record).await?)),
                None => None,
            },
            created_time: now_text(chrono::Duration::zero()),
        };
        let poll = random_secret()?;
        {
            let mut pending = self.consents.pending.lock().unwrap_or_else(|p| p.into_inner());
            if pending.iter().filter(|p| p.outcome.is_none()).count() >= MAX_PENDING {
                drop(pending);
                return back(TemporarilyUnavailable, "Too many requests are waiting for the person.");
            }
            pending.push(Pending {
                view: view.clone(),
                poll: poll.clone(),
                redirect_uri,
                state: query.state.clone(),
                challenge,
                resource: query.resource.clone(),
                issuer: issuer.to_owned(),
                outcome: None,
                answering: false,
                until: Instant::now() + REQUEST_LIFETIME,
            });
        }
        tracing::info!(request = %view.id, client = %view.client_id, "an OAuth client asks for an agent");
        self.options.events.emit(AppEvent::AgentConsentRequested { request: view.clone() });
        Ok(AuthorizeOutcome::Waiting { poll, client_name: view.client_name })
    }

    /// Where the request the page polls with `poll` stands.
    pub fn oauth_consent_status(&self, poll: &str) -> ConsentStatus {
        for id in self.consents.sweep() {
            self.options.events.emit(AppEvent::AgentConsentClosed { id });
        }
        let pending = self.consents.pending.lock().unwrap_or_else(|p| p.into_inner());
        match pending.iter().find(|p| same(p.poll.as_bytes(), poll.as_bytes())) {
            Some(Pending { outcome: Some(url), .. }) => ConsentStatus::Redirect(url.clone()),
            Some(_) => ConsentStatus::Waiting,
            None => ConsentStatus::Unknown,
        }
    }

    /// The requests waiting for the person (the window shows them when it opens, then follows the events).
    pub async fn agent_consent_pending(&self) -> ApiResult<Vec<ConsentRequest>> {
        for id in self.consents.sweep() {
            self.options.events.emit(AppEvent::AgentConsentClosed { id });
        }
        let pending = self.consents.pending.lock().unwrap_or_else(|p| p.into_inner());
        Ok(pending.iter().filter(|p| p.outcome.is_none()).map(|p| p.view.clone()).collect())
    }

    /// The person's answer to a consent request: approving makes the agent (an OAuth agent of that client) and
    /// the code the client's browser is sent back with; refusing sends it back with `access_denied`. The agent's
    /// fields are checked as `agent_create` checks them (a problem leaves the request waiting).
    #[tracing::instrument(skip(self, answer), fields(approve = answer.approve))]
    pub async fn agent_consent_answer(&self, id: String, answer: ConsentAnswer) -> ApiResult<Option<AgentView>> {
        let found = {
            let mut pending = self.consents.pending.lock().unwrap_or_else(|p| p.into_inner());
            pending
                .iter_mut()
                .find(|p| p.view.id == id && p.outcome.is_none() && !p.answering && p.until > Instant::now())
                .map(|p| {
                    p.answering = true;
                    let asked = (p.challenge.clone(), p.resource.clone());
                    (p.view.client_id.clone(), p.redirect_uri.clone(), p.state.clone(), p.issuer.clone(), asked)
                })
        };
        let Some((client_id, redirect_uri, state, issuer, (challenge, resource))) = found else {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                "The app stopped waiting for this answer (it expired, or was answered already): connect it again.",
            ));
        };
        let mut params: Vec<(&str, String)> = Vec::new();
        let agent = if answer.approve {
            let existing = self.store.agent_of_client(&client_id).await?;
            let made = match existing {
                Some(record) => self.agent_regrant(&record.id, answer.agent).await.map(|a| a.id),
                None => self.agent_make(answer.agent, Some(client_id.clone())).await.map(|t| t.id),
            };
            let made = match made {
                Ok(made) => made,
                Err(err) => {
                    // A problem with the agent's fields (a name taken): the request waits for a corrected answer.
                    let mut pending = self.consents.pending.lock().unwrap_or_else(|p| p.into_inner());
                    if let Some(p) = pending.iter_mut().find(|p| p.view.id == id) {
                        p.answering = false;
                    }
                    return Err(err);
                }
            };
            let code = random_secret()?;
            self.consents.codes.lock().unwrap_or_else(|p| p.into_inner()).insert(
                hash(&code),
                IssuedCode {
                    client_id,
                    redirect_uri: redirect_uri.clone(),
                    challenge,
                    resource,
                    agent_id: made.clone(),
                    until: Instant::now() + CODE_LIFETIME,
                },
            );
            params.push(("code", code));
            Some(self.agent_get(made).await?)
        } else {
            params.push(("error", "access_denied".into()));
            params.push(("error_description", "The person refused in Atrium.".into()));
            None
        };
        if let Some(state) = state {
            params.push(("state", state));
        }
        params.push(("iss", issuer));
        let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let url = redirect_with(&redirect_uri, &pairs);
        {
            let mut pending = self.consents.pending.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(p) = pending.iter_mut().find(|p| p.view.id == id) {
                p.outcome = Some(url);
                // The page picks the answer up within a few seconds; it need not wait the whole ten minutes.
                p.until = Instant::now() + CODE_LIFETIME;
            }
        }
        tracing::info!(request = %id, "OAuth consent answered");
        self.options.events.emit(AppEvent::AgentConsentClosed { id });
        Ok(agent)
    }
}
