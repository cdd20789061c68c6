//! The requests forwarded for callers (the relay's cloud callers, later agents) that are still waiting for their
//! answer, so a caller's cancellation, which names its own request id, reaches the request the server knows.

use std::collections::HashMap;
use std::sync::Mutex;

/// A forwarded request as its caller names it: `(caller scope, the caller's id as JSON text)`.
pub(crate) type InFlightKey = (String, String);

/// The raw requests in flight, by the caller's own id: `(scope, caller id)` → the id the server saw.
#[derive(Debug, Default)]
pub(crate) struct InFlight(Mutex<HashMap<InFlightKey, String>>);

impl InFlight {
    pub(crate) fn begin(&self, key: InFlightKey, raw_id: String) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).insert(key, raw_id);
    }
    pub(crate) fn end(&self, key: &InFlightKey) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
    }
    pub(crate) fn raw_id(&self, key: &InFlightKey) -> Option<String> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).get(key).cloned()
    }
}
