//! The connection manager: one live session per running server, each under a supervisor task (see
//! `supervisor.rs`) that connects, watches, and restarts it with backoff. Tool calls, resource reads and prompt gets go through here,
//! and every tool call is audited.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use atrium_store::{AuditEntry, AuditOrigin, AuditStatus, Store};
use rmcp::model::{GetPromptRequestParams, GetPromptResponse, ReadResourceRequestParams, ReadResourceResponse};
use serde_json::{Map, Value};
use tokio_util::sync::CancellationToken;

use crate::audit::{AuditRecorder, AuditedResult, PendingAudit};
use crate::connection::{self, Host, LazyHttp, Reach};
use crate::credentials::{CredentialHost, Credentials, Grants};
use crate::error::{Failure, FailureCode, McpError};
use crate::events::{ElicitationAnswer, ElicitationPolicy, Elicitations, Events, NoEvents, ServerEvents};
use crate::handler::{ProgressRoutes, SessionContext};
use crate::inner::{Inner, LocalHost, set_status};
use crate::launch::LaunchContext;
use crate::model::{LogLine, PromptInfo, PromptResult, ResourceCatalog, ResourceContent, ToolInfo, convert};
use crate::policy::CommandPolicy;
use crate::process_groups::ProcessGroups;
use crate::registration::Registration;
use crate::requests::{
    bounded, guarded_call, masked, masked_failure, observe, protocol_failure, request_failure, run_call, server_info,
    unsupported_round,
};
use crate::server_log::{LogFiles, ServerLog};
use crate::server_records::{
    AgentStamp, CallOutcome, ConnectionTest, LocalSetup, RequestRecord, ServerSetOptions, ServerSpec, ServerState,
    ToolCall,
};
use crate::slot::{Live, Slot, not_connected, state_of, transitional};
use crate::status::ServerStatus;
use crate::supervisor::{STOP_BOUND, STOP_GRACE, supervise};

/// The connection manager. Cheap to clone; clones share everything.
#[derive(Clone)]
pub struct ServerSet {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for ServerSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerSet").finish_non_exhaustive()
    }
}

impl ServerSet {
    /// A manager that audits into `store` and reports to `events`, with no keychain and the default allowlist.
    /// Must be created inside a tokio runtime.
    pub fn new(store: Store, events: Arc<dyn ServerEvents>, options: ServerSetOptions) -> Self {
        Self::with_local(store, events, options, LocalSetup::default())
    }

    /// A manager with this machine's keychain, log directory and allowlist.
    pub fn with_local(
        store: Store,
        events: Arc<dyn ServerEvents>,
        options: ServerSetOptions,
        local: LocalSetup,
    ) -> Self {
        if let Some(records) = local.crash_cleanup.records.clone() {
            // Off the start-up path: what an earlier crash left running is found and stopped in the background.
            tokio::task::spawn_blocking(move || crate::group_record::sweep(&records));
        }
        let (events, catalog, follow) = crate::catalog_watch::wrap(events);
        ServerSet {
            inner: Arc::new(Inner {
                store: store.clone(),
                slots: Mutex::new(HashMap::new()),
                in_flight: Default::default(),
                calls: Mutex::new(HashMap::new()),
                http: LazyHttp::default(),
                audit: AuditRecorder::start(store.clone(), events.clone()),
                credential_host: CredentialHost {
                    keychain: local.keychain.clone(),
                    store,
                    http: atrium_auth::OAuthHttp::new(),
                    grants: Arc::new(Grants::default()),
                    setup: local.auth.clone(),
                    events: events.clone(),
                },
                events,
                catalog,
                follow,
                elicitations: Arc::new(Elicitations::default()),
                options,
                local: LocalHost {
                    keychain: local.keychain,
                    policy: Mutex::new(CommandPolicy::new(local.allowed_commands)),
                    installs: local.installs.unwrap_or_else(|| std::env::temp_dir().join("atrium-server-installs")),
                    sandbox: local.sandbox,
                },
                groups: Arc::new(ProcessGroups::new(&local.crash_cleanup)),
                log_files: local.log_dir.and_then(LogFiles::start),
            }),
        }
    }

    /// A counter that moves whenever what the servers offer may have changed (a server started, stopped or failed;
    /// its tools, resources or prompts changed): the gateway re-reads its clients' lists when it does.
    pub fn catalog_changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.inner.catalog.subscribe()
    }

    /// Each server's `notifications/<list>/list_changed` from now on, with the server's id: the gateway tells its
    /// clients of resources and prompts from these.
    pub fn list_changes(&self) -> tokio::sync::broadcast::Receiver<(String, crate::events::CatalogList)> {
        self.inner.follow.lists.subscribe()
    }

    /// Each server's `notifications/resources/updated` from now on: the server's id and the resource's URI (the
    /// gateway tells the agents that subscribed through it).
    pub fn resource_updates(&self) -> tokio::sync::broadcast::Receiver<(String, String)> {
        self.inner.follow.updates.subscribe()
    }

    /// Replaces the commands allowed beyond the defaults. Running servers keep running; the next start obeys.
    pub fn set_allowed_commands(&self, extra: Vec<String>) {
        *self.inner.local.policy.lock().unwrap_or_else(|p| p.into_inner()) = CommandPolicy::new(extra);
    }

    /// Every command local servers may run now.
    pub fn allowed_commands(&self) -> Vec<String> {
        self.inner.local.policy().allowed()
    }

    /// Why a registration's process would be refused by the local policy (a command off the allowlist, a loader
    /// variable), for previews; `None` when it may start or starts no process.
    pub fn launch_refusal(&self, registration: &Registration) -> Option<String> {
        let crate::registration::Transport::Stdio { command, env, .. } = &registration.transport else { return None };
        if let Err(failure) = self.inner.local.policy().check(command) {
            return Some(failure.message);
        }
        env.keys().find_map(|name| {
            crate::policy::refused_env_name(name).map(|why| format!("The registration sets {name}, which {why}."))
        })
    }

    /// How many server processes (process groups) are running.
    pub fn process_count(&self) -> usize {
        self.inner.groups.len()
    }

    pub(crate) fn slot(&self, id: &str) -> Result<Arc<Slot>, McpError> {
        self.inner
            .slots
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(id)
            .cloned()
            .ok_or_else(|| McpError::UnknownServer(id.to_owned()))
    }

    /// Adds or updates a server. An unchanged spec keeps its session; a changed one reconnects; a disabled one
    /// stops.
    pub fn upsert(&self, spec: ServerSpec) {
        let old = self.inner.slots.lock().unwrap_or_else(|p| p.into_inner()).get(&spec.id).cloned();
        if let Some(old) = &old
            && old.spec.registration == spec.registration
        {
            *old.label.lock().unwrap_or_else(|p| p.into_inner()) = (spec.title, spec.workspace_id);
            return;
        }
        let (log, watch) = match &old {
            Some(old) => (old.log.clone(), old.status_watch.clone()),
            None => (self.new_log(&spec.id), Arc::new(tokio::sync::watch::Sender::new(ServerStatus::Stopped))),
        };
        if let Some(old) = old {
            self.stop_slot(&old);
        }
        let run = spec.registration.enabled;
        self.start_slot(spec, log, watch, run);
    }

    fn new_log(&self, id: &str) -> Arc<ServerLog> {
        Arc::new(ServerLog::new(self.inner.log_files.as_ref().map(|f| f.sink(id))))
    }

    /// Makes sure a stored server is loaded — from the store, when this manager does not know it yet — and past
    /// `starting`, and returns its state: the one way anyone (the API, the CLI, the relay and its host tools)
    /// brings a server live. A server that waits for the person's approval, a sign-in, or is disabled stays so.
    pub async fn ensure_live(&self, id: &str) -> Result<ServerState, McpError> {
        match self.state(id) {
            // Known and settled: nothing to read or wait for (this is every tool call's path).
            Ok(state) if !transitional(&state.status) => return Ok(state),
            Ok(_) => {}
            Err(_) => self.upsert(self.load(id).await?),
        }
        self.wait_settled(id).await
    }

    /// As [`ServerSet::ensure_live`], and a stopped server (a disabled one too) is started.
    pub async fn ensure_started(&self, id: &str) -> Result<ServerState, McpError> {
        let state = self.ensure_live(id).await?;
        if state.status != ServerStatus::Stopped {
            return Ok(state);
        }
        self.start(id)?;
        self.wait_settled(id).await
    }

    /// A stored server registration, as the manager runs it.
    async fn load(&self, id: &str) -> Result<ServerSpec, McpError> {
        let artifact = match self.inner.store.get_artifact(id).await {
            Ok(artifact) if artifact.content_type == crate::SERVER_CONTENT_TYPE => artifact,
            Ok(_) | Err(atrium_store::StoreError::NotFound { .. }) => {
                return Err(McpError::UnknownServer(id.to_owned()));
            }
            Err(other) => {
                return Err(McpError::Failed(Failure::new(
                    FailureCode::ConfigError,
                    format!("Cannot read it: {other}."),
                )));
            }
        };
        ServerSpec::from_artifact(&artifact).map_err(|problems| {
            let what = problems.iter().map(|p| format!("{}: {}", p.field, p.message)).collect::<Vec<_>>().join(" ");
            McpError::Failed(Failure::new(
                FailureCode::ConfigError,
                format!("{} has an invalid registration: {what}", artifact.title),
            ))
        })
    }

    /// Reconnects a server and re-reads its tools (a running or enabled one; a stopped, disabled one stays
    /// stopped).
    pub fn refresh(&self, id: &str) -> Result<(), McpError> {
        let old = self.slot(id)?;
        let run = old.spec.registration.enabled || old.is_running();
        self.replace_slot(&old, run);
        Ok(())
    }

    /// Starts a server that is stopped or failed (even a disabled one: `enabled` only says whether it starts with
    /// Atrium). A running one is left alone.
    pub fn start(&self, id: &str) -> Result<(), McpError> {
        let old = self.slot(id)?;
        if !old.is_running() {
            self.replace_slot(&old, true);
        }
        Ok(())
    }

    /// Stops a server and waits (a few seconds at most) until its process is gone.
    pub async fn stop(&self, id: &str) -> Result<(), McpError> {
        let slot = self.slot(id)?;
        let group = self.state(id).ok().and_then(|s| s.pid);
        slot.stop.cancel();
        let task = slot.supervisor.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(task) = task {
            let _ = tokio::time::timeout(STOP_BOUND + Duration::from_secs(1), task).await;
        }
        // The group's last SIGKILL is sent as the supervisor ends, and is delivered a moment later: "stopped"
        // means nothing of the server is left, so wait for that (bounded: a zombie nobody reaps stays "alive").
        if let Some(group) = group.and_then(|pid| i32::try_from(pid).ok()) {
            crate::group_signals::until_gone(&[group], Duration::from_secs(1)).await;
        }
        set_status(&self.inner, &slot, ServerStatus::Stopped);
        Ok(())
    }

    /// Stops a server and starts it again.
    pub async fn restart(&self, id: &str) -> Result<(), McpError> {
        self.stop(id).await?;
        self.start(id)
    }

    fn replace_slot(&self, old: &Arc<Slot>, run: bool) {
        self.stop_slot(old);
        let spec = ServerSpec { title: old.title(), workspace_id: old.workspace_id(), ..old.spec.clone() };
        self.start_slot(spec, old.log.clone(), old.status_watch.clone(), run);
    }

    /// Stops and forgets a server.
    pub fn remove(&self, id: &str) {
        let old = self.inner.slots.lock().unwrap_or_else(|p| p.into_inner()).remove(id);
        if let Some(old) = old {
            self.stop_slot(&old);
        }
    }

    /// The ids of every server known.
    pub fn ids(&self) -> Vec<String> {
        self.inner.slots.lock().unwrap_or_else(|p| p.into_inner()).keys().cloned().collect()
    }

    fn start_slot(
        &self,
        spec: ServerSpec,
        log: Arc<ServerLog>,
        status_watch: Arc<tokio::sync::watch::Sender<ServerStatus>>,
        run: bool,
    ) {
        // A server to run is `starting` from the moment it is known, so nobody waiting for it sees `stopped` (or
        // what its previous slot last said).
        let initial = if run { ServerStatus::Starting } else { ServerStatus::Stopped };
        status_watch.send_replace(initial.clone());
        let (spec_id, auth) = (spec.id.clone(), spec.registration.auth.clone());
        let mask = log.mask().clone();
        let slot = Arc::new(Slot {
            label: Mutex::new((spec.title.clone(), spec.workspace_id.clone())),
            spec,
            status: Mutex::new(initial),
            live: Mutex::new(None),
            log,
            status_watch,
            progress: Arc::new(ProgressRoutes::default()),
            stop: CancellationToken::new(),
            supervisor: Mutex::new(None),
            credentials: Credentials::new(&spec_id, auth.as_ref(), self.inner.credential_host.clone(), mask),
        });
        self.inner.slots.lock().unwrap_or_else(|p| p.into_inner()).insert(slot.spec.id.clone(), slot.clone());
        if run {
            let task = tokio::spawn(supervise(self.inner.clone(), slot.clone()));
            *slot.supervisor.lock().unwrap_or_else(|p| p.into_inner()) = Some(task);
        } else {
            set_status(&self.inner, &slot, ServerStatus::Stopped);
        }
    }

    fn stop_slot(&self, slot: &Arc<Slot>) {
        slot.stop.cancel();
    }

    /// Stops every server — all at once, each with its stdin / SIGTERM / SIGKILL sequence — kills whatever is
    /// left after a few seconds, waits (a second at most) until nothing of them is left, and flushes the audit log.
    pub async fn shutdown(&self) {
        let slots: Vec<Arc<Slot>> =
            self.inner.slots.lock().unwrap_or_else(|p| p.into_inner()).drain().map(|(_, s)| s).collect();
        let groups: Vec<i32> =
            slots.iter().filter_map(|slot| state_of(slot).pid).filter_map(|pid| i32::try_from(pid).ok()).collect();
        let mut tasks = Vec::new();
        for slot in &slots {
            slot.stop.cancel();
            if let Some(task) = slot.supervisor.lock().unwrap_or_else(|p| p.into_inner()).take() {
                tasks.push(task);
            }
        }
        let _ = tokio::time::timeout(STOP_BOUND + Duration::from_secs(1), futures::future::join_all(tasks)).await;
        self.inner.groups.kill_all();
        // As for one server's stop: the last SIGKILL reaches a server's children a moment after the server is gone
        // (on a loaded machine, after Atrium would have exited), so wait for them — bounded, as a zombie nobody
        // reaps stays "alive".
        crate::group_signals::until_gone(&groups, Duration::from_secs(1)).await;
        self.inner.audit.flush_and_stop(Duration::from_secs(5)).await;
    }

    /// A server's status.
    pub fn state(&self, id: &str) -> Result<ServerState, McpError> {
        let slot = self.slot(id)?;
        Ok(state_of(&slot))
    }

    /// Waits until a server is past `starting` (ready, failed, stopped, waiting for a sign-in or an approval) — at
    /// most its connect timeout, plus a second for the supervisor to report — and returns its state. It watches the
    /// server's status; nothing polls.
    pub async fn wait_settled(&self, id: &str) -> Result<ServerState, McpError> {
        let slot = self.slot(id)?;
        let limit = slot.spec.registration.timeouts.connect() + Duration::from_secs(1);
        let mut statuses = slot.status_watch.subscribe();
        let _ = tokio::time::timeout(limit, statuses.wait_for(|status| !transitional(status))).await;
        self.state(id)
    }

    /// A server's recent log.
    pub fn log(&self, id: &str) -> Result<Vec<LogLine>, McpError> {
        Ok(self.slot(id)?.log.lines())
    }

    /// Adds Atrium's own note to a server's log (level `atrium`), as shown beside its output: something about the
    /// server the person should know (a view accepted against the spec, say).
    pub fn note(&self, id: &str, message: String) -> Result<(), McpError> {
        let slot = self.slot(id)?;
        crate::inner::note(&self.inner, &slot, message);
        Ok(())
    }

    /// Answers a pending elicitation; `false` when it is no longer pending.
    pub fn answer_elicitation(&self, id: &str, answer: ElicitationAnswer) -> bool {
        self.inner.elicitations.answer(id, answer)
    }

    pub(crate) fn connected(&self, id: &str) -> Result<(Arc<Slot>, Arc<Live>), McpError> {
        let slot = self.slot(id)?;
        match slot.live() {
            Some(live) => Ok((slot, live)),
            None => Err(McpError::Failed(not_connected(&slot))),
        }
    }

    /// The tools a server offers, after `allowed_tools`.
    pub fn tools(&self, id: &str) -> Result<Vec<ToolInfo>, McpError> {
        let (slot, live) = self.connected(id)?;
        let tools = live.tools.lock().unwrap_or_else(|p| p.into_inner()).clone();
        masked(&slot, Ok(tools.into_iter().filter(|t| slot.spec.registration.allows(&t.name)).collect()))
    }

    /// The definitions of the tools a server offers (after `allowed_tools`), exactly as the server listed them,
    /// secrets masked.
    pub fn tool_definitions(&self, id: &str) -> Result<Vec<Value>, McpError> {
        let (slot, live) = self.connected(id)?;
        let definitions = live.definitions.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let allowed =
            |d: &Value| d.get("name").and_then(Value::as_str).is_some_and(|n| slot.spec.registration.allows(n));
        Ok(definitions.into_iter().filter(allowed).map(|d| slot.log.mask().value(d)).collect())
    }

    /// Every visible tool of every ready server, as `(server id, tool)`.
    pub fn all_tools(&self) -> Vec<(String, ToolInfo)> {
        let ids = self.ids();
        ids.into_iter()
            .flat_map(|id| self.tools(&id).unwrap_or_default().into_iter().map(move |t| (id.clone(), t)))
            .collect()
    }

    /// A server's resources and resource templates.
    pub async fn resources(&self, id: &str) -> Result<ResourceCatalog, McpError> {
        let (slot, live) = self.connected(id)?;
        let limit = slot.spec.registration.timeouts.call();
        let listed = async {
            let resources = bounded(limit, live.peer.list_all_resources())
                .await
                .map_err(|e| observe(&live, request_failure(e, live.reach)))?;
            // Templates are optional; a server without them answers method-not-found.
            let templates = bounded(limit, live.peer.list_all_resource_templates()).await.unwrap_or_default();
            Ok(ResourceCatalog {
                resources: convert(resources).map_err(protocol_failure)?,
                templates: convert(templates).map_err(protocol_failure)?,
            })
        };
        masked(&slot, listed.await)
    }

    /// Reads one resource.
    pub async fn read_resource(&self, id: &str, uri: &str) -> Result<Vec<ResourceContent>, McpError> {
        let (slot, live) = self.connected(id)?;
        let limit = slot.spec.registration.timeouts.call();
        let read = async {
            let response = bounded(limit, live.peer.read_resource_once(ReadResourceRequestParams::new(uri)))
                .await
                .map_err(|e| observe(&live, request_failure(e, live.reach)))?;
            match response {
                ReadResourceResponse::Complete(result) => Ok(convert(result.contents).map_err(protocol_failure)?),
                _ => Err(unsupported_round()),
            }
        };
        masked(&slot, read.await)
    }

    /// A server's prompts.
    pub async fn prompts(&self, id: &str) -> Result<Vec<PromptInfo>, McpError> {
        let (slot, live) = self.connected(id)?;
        let limit = slot.spec.registration.timeouts.call();
        let listed = async {
            let prompts = bounded(limit, live.peer.list_all_prompts())
                .await
                .map_err(|e| observe(&live, request_failure(e, live.reach)))?;
            Ok(convert(prompts).map_err(protocol_failure)?)
        };
        masked(&slot, listed.await)
    }

    /// Fills in a prompt.
    pub async fn get_prompt(
        &self,
        id: &str,
        name: &str,
        arguments: Map<String, Value>,
    ) -> Result<PromptResult, McpError> {
        let (slot, live) = self.connected(id)?;
        let limit = slot.spec.registration.timeouts.call();
        let mut params = GetPromptRequestParams::new(name);
        params.arguments = (!arguments.is_empty()).then_some(arguments);
        let got = async {
            let response = bounded(limit, live.peer.get_prompt_once(params))
                .await
                .map_err(|e| observe(&live, request_failure(e, live.reach)))?;
            match response {
                GetPromptResponse::Complete(result) => Ok(convert(result).map_err(protocol_failure)?),
                _ => Err(unsupported_round()),
            }
        };
        masked(&slot, got.await)
    }

    /// Cancels a running call; `false` when no call has that id.
    pub fn cancel_call(&self, call_id: &str) -> bool {
        let token = self.inner.calls.lock().unwrap_or_else(|p| p.into_inner()).get(call_id).cloned();
        token.map(|t| t.cancel()).is_some()
    }

    /// Calls a tool and records the call in the audit log. Every outcome (denied, failed, cancelled, a tool
    /// error) is a value; only an unknown server is an error.
    #[tracing::instrument(skip(self, call), fields(server = %call.server_id, tool = %call.tool, ?origin))]
    pub async fn call_tool(&self, call: ToolCall, origin: AuditOrigin) -> Result<CallOutcome, McpError> {
        let slot = self.slot(&call.server_id)?;
        let call_id = call.call_id.clone().unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
        let started_at = chrono::Utc::now();
        let started = Instant::now();
        let outcome = guarded_call(&self.inner, &slot, &call, &call_id, async |live, cancel| {
            run_call(&self.inner, &slot, &live, &call, &call_id, cancel).await
        })
        .await;
        let duration_ms = u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX);
        // A server given secrets may echo them back: the caller, the window and the audit row get them masked, like
        // its log does.
        let mask = slot.log.mask();
        let outcome = outcome.map(|result| mask.value(result)).map_err(|f| masked_failure(mask, f));
        let (status, result, error) = match outcome {
            Ok(result) if result.is_error => (AuditStatus::ToolError, Some(result), None),
            Ok(result) => (AuditStatus::Ok, Some(result), None),
            Err(f) if f.code == FailureCode::Cancelled => (AuditStatus::Cancelled, None, Some(f)),
            Err(f) if matches!(f.code, FailureCode::PolicyDenied | FailureCode::NotConnected) => {
                (AuditStatus::Denied, None, Some(f))
            }
            Err(f) => (AuditStatus::Failed, None, Some(f)),
        };
        let arguments = Value::Object(call.arguments.unwrap_or_default());
        let record = RequestRecord {
            server_id: slot.spec.id.clone(),
            origin,
            name: call.tool,
            arguments,
            outcome: match (&result, &error) {
                (Some(result), _) => Ok(result.clone()),
                (_, Some(failure)) => Err(failure.clone()),
                (None, None) => Err(Failure::new(FailureCode::ProtocolError, "no result")),
            },
            duration_ms,
        };
        self.audit(&slot, record, status, started_at, None).await;
        Ok(CallOutcome { call_id, status, result, error, duration_ms })
    }

    /// Records a request that did not go through [`ServerSet::call_tool`] in the audit log: a view's call that the
    /// host refused or answered itself, or a view's resource read. An unknown server is an error.
    pub async fn record_request(&self, record: RequestRecord) -> Result<(), McpError> {
        self.record_request_as(record, None).await
    }

    /// [`ServerSet::record_request`] for a request an agent made through the gateway (the row names it).
    pub async fn record_request_as(&self, record: RequestRecord, agent: Option<&AgentStamp>) -> Result<(), McpError> {
        let slot = self.slot(&record.server_id)?;
        let status = match &record.outcome {
            Ok(result) if result.is_error => AuditStatus::ToolError,
            Ok(_) => AuditStatus::Ok,
            Err(f) if f.code == FailureCode::Cancelled => AuditStatus::Cancelled,
            Err(f) if matches!(f.code, FailureCode::PolicyDenied | FailureCode::NotConnected) => AuditStatus::Denied,
            Err(_) => AuditStatus::Failed,
        };
        let started = chrono::Utc::now() - chrono::Duration::milliseconds(i64::from(record.duration_ms));
        self.audit(&slot, record, status, started, agent).await;
        Ok(())
    }

    pub(crate) async fn audit(
        &self,
        slot: &Slot,
        record: RequestRecord,
        status: AuditStatus,
        started: chrono::DateTime<chrono::Utc>,
        agent: Option<&AgentStamp>,
    ) {
        let secrets = slot.log.mask().snapshot();
        let (error_code, result) = match record.outcome {
            Ok(result) => (None, AuditedResult::Tool(result)),
            Err(failure) => (Some(failure.code.as_str().to_owned()), AuditedResult::Failure(failure)),
        };
        let entry = AuditEntry {
            // Its own id: a caller may reuse a call id, and a duplicate would cost the whole batch.
            id: uuid::Uuid::now_v7().to_string(),
            time: String::new(),
            origin: record.origin,
            workspace_id: slot.workspace_id(),
            server_id: slot.spec.id.clone(),
            server_title: slot.title(),
            tool: record.name,
            arguments: String::new(),
            result: String::new(),
            status,
            error_code,
            duration_ms: record.duration_ms,
            agent_id: agent.map(|a| a.id.clone()),
            agent_name: agent.map(|a| a.name.clone()),
        };
        self.inner.audit.record(PendingAudit { entry, started, arguments: record.arguments, result, secrets }).await;
    }

    /// A server's authentication and where it stands.
    pub fn auth(&self, id: &str) -> Result<crate::ServerAuth, McpError> {
        Ok(self.slot(id)?.credentials.view())
    }

    /// Signs in to a server (its Authorizer, or MCP authorization) through `browser`, stores the grant in the
    /// keychain, and reconnects the server. A failed sign-in is a [`Failure`] with code `auth_error`.
    #[tracing::instrument(skip(self, browser, cancel))]
    pub async fn sign_in(
        &self,
        id: &str,
        browser: &dyn atrium_auth::Browser,
        cancel: &CancellationToken,
    ) -> Result<crate::ServerAuth, McpError> {
        let slot = self.slot(id)?;
        if slot.credentials.endpoint().is_none() {
            slot.credentials.set_endpoint(self.endpoint_of(&slot).await);
        }
        slot.credentials.sign_in(browser, cancel).await?;
        let auth = slot.credentials.view();
        if slot.spec.registration.enabled && slot.live().is_none() {
            self.refresh(id)?;
        }
        Ok(auth)
    }

    /// Signs out of a server: revokes its tokens where the server supports it and forgets them. Returns whether
    /// they were revoked. The server is reconnected (and will ask for a sign-in again).
    pub async fn sign_out(&self, id: &str) -> Result<bool, McpError> {
        let slot = self.slot(id)?;
        let revoked = slot.credentials.sign_out().await?;
        if slot.spec.registration.enabled {
            self.refresh(id)?;
        }
        Ok(revoked)
    }

    /// Connects an Authorizer (signs in through it) for every server that uses it, and reconnects those waiting.
    pub async fn authorizer_sign_in(
        &self,
        authorizer_id: &str,
        browser: &dyn atrium_auth::Browser,
        cancel: &CancellationToken,
    ) -> Result<(), McpError> {
        let credentials = self.authorizer_credentials(authorizer_id);
        credentials.sign_in(browser, cancel).await?;
        for slot in self.slots_using(authorizer_id) {
            if slot.spec.registration.enabled && slot.live().is_none() {
                self.refresh(&slot.spec.id)?;
            }
        }
        Ok(())
    }

    /// Disconnects an Authorizer: revokes its connection's tokens where supported and forgets them.
    pub async fn authorizer_sign_out(&self, authorizer_id: &str) -> Result<bool, McpError> {
        let revoked = self.authorizer_credentials(authorizer_id).sign_out().await?;
        for slot in self.slots_using(authorizer_id) {
            if slot.spec.registration.enabled {
                self.refresh(&slot.spec.id)?;
            }
        }
        Ok(revoked)
    }

    /// Whether an Authorizer holds a connection (tokens in the keychain).
    pub async fn authorizer_connected(&self, authorizer_id: &str) -> bool {
        self.authorizer_credentials(authorizer_id).has_grant().await
    }

    fn authorizer_credentials(&self, authorizer_id: &str) -> Arc<Credentials> {
        let auth = crate::registration::Auth::Oauth2 { authorizer_id: authorizer_id.to_owned() };
        Credentials::new(
            &format!("authorizer-{authorizer_id}"),
            Some(&auth),
            self.inner.credential_host.clone(),
            Arc::default(),
        )
    }

    fn slots_using(&self, authorizer_id: &str) -> Vec<Arc<Slot>> {
        let slots = self.inner.slots.lock().unwrap_or_else(|p| p.into_inner());
        slots.values().filter(|s| s.credentials.authorizer_id() == Some(authorizer_id)).cloned().collect()
    }

    /// The MCP endpoint of an HTTP server (resolving its discovery document), for sign-ins before any connection.
    async fn endpoint_of(&self, slot: &Slot) -> Option<String> {
        match &slot.spec.registration.transport {
            crate::registration::Transport::Http { url: Some(url), well_known: None } => Some(url.clone()),
            crate::registration::Transport::Http { well_known: Some(doc), .. } => crate::discovery::resolve_endpoint(
                self.inner.http.get(),
                doc,
                slot.spec.registration.timeouts.connect(),
            )
            .await
            .ok(),
            crate::registration::Transport::Sse { url } => Some(url.clone()),
            _ => None,
        }
    }

    /// Connects to `registration` on the side, lists its tools and disconnects; the live session is untouched.
    pub async fn test_connection(&self, registration: &Registration) -> ConnectionTest {
        let started = Instant::now();
        let events: Events = Arc::new(NoEvents);
        let cx = Arc::new(SessionContext {
            server_id: "test".into(),
            server_title: "test".into(),
            events,
            log: Arc::new(ServerLog::new(None)),
            progress: Arc::new(ProgressRoutes::default()),
            elicitations: self.inner.elicitations.clone(),
            policy: ElicitationPolicy::Decline,
            tools_changed: None,
        });
        let policy = self.inner.local.policy();
        let installed = match &registration.transport {
            crate::registration::Transport::Github { owner_repo, git_ref, .. } => {
                let quiet = |_: &str, _: u32| {};
                let output = |_: String| {};
                let own = self.inner.local.installs_for("connection-test");
                let place =
                    crate::install::InstallPlace { own: &own, sandbox: &self.inner.local.sandbox, policy: &policy };
                match crate::install::ensure(owner_repo, git_ref.as_deref(), &place, &quiet, &output).await {
                    Ok(launch) => Some(launch),
                    Err(failure) => return failed_test(failure, started),
                }
            }
            _ => None,
        };
        // A test connection has its own credentials: it signs in to nothing and refreshes nothing the live one uses.
        let credentials = Credentials::new(
            "connection-test",
            registration.auth.as_ref(),
            CredentialHost { grants: Arc::new(Grants::default()), ..self.inner.credential_host.clone() },
            cx.log.mask().clone(),
        );
        let host = Host {
            http: &self.inner.http,
            launch: LaunchContext { policy: &policy, keychain: self.inner.local.keychain.as_ref() },
            groups: &self.inner.groups,
            installed,
            credentials: &credentials,
        };
        let result = async {
            let connection::Opened { session, process, .. } = connection::open(registration, cx.clone(), &host).await?;
            let info = server_info(session.peer());
            let listed = bounded(registration.timeouts.call(), session.peer().list_all_tools()).await;
            let _ = tokio::time::timeout(STOP_GRACE, session.cancel()).await;
            drop(process);
            let tools: Vec<ToolInfo> =
                convert(listed.map_err(|e| request_failure(e, Reach::of(registration)))?).map_err(protocol_failure)?;
            Ok::<_, Failure>((tools, info))
        }
        .await;
        let duration_ms = u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX);
        match result {
            Ok((tools, server_info)) => {
                let tools: Vec<String> =
                    tools.into_iter().map(|t| t.name).filter(|name| registration.allows(name)).collect();
                ConnectionTest {
                    success: true,
                    tool_count: u32::try_from(tools.len()).unwrap_or(u32::MAX),
                    tools,
                    error: None,
                    error_code: None,
                    server_info,
                    duration_ms,
                }
            }
            Err(f) => failed_test(masked_failure(cx.log.mask(), f), started),
        }
    }
}

fn failed_test(failure: Failure, started: Instant) -> ConnectionTest {
    ConnectionTest {
        success: false,
        tool_count: 0,
        tools: Vec::new(),
        error: Some(failure.message),
        error_code: Some(failure.code),
        server_info: None,
        duration_ms: u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX),
    }
}
