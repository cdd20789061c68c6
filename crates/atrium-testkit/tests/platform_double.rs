//! The platform double over real HTTP and WebSockets on 127.0.0.1: Origin auth, Mantle artifacts and events,
//! Chorus relay and gateway, the deployment layouts, faults, the OpenAPI contract and the standalone binary. The
//! modules live in `platform_double/` (one test target, so the double's ports and threads are shared by one test
//! binary).

#[path = "platform_double/support.rs"]
mod support;

#[path = "platform_double/artifacts.rs"]
mod artifacts;
#[path = "platform_double/auth.rs"]
mod auth;
#[path = "platform_double/bin.rs"]
mod bin;
#[path = "platform_double/contract.rs"]
mod contract;
#[path = "platform_double/grants.rs"]
mod grants;
#[path = "platform_double/layouts.rs"]
mod layouts;
#[path = "platform_double/live.rs"]
mod live;
