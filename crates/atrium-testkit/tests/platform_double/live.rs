//! Sockets: `/events`, the relay, the gateway and socket teardown.

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_subscribe_deliver_ping_and_reject_bad_tokens() {
    let double = PlatformDouble::start().await.expect("start");
    let api = ada(&double).await;
    let ws_id = id(&api.create_workspace("Live").await);
    let child_id = id(&api.create_child(&ws_id, "Watched", "v1").await);
    let token = api.token.clone().expect("token");

    let mut events = ws_connect(&ws_url(&double.mantle_url(), "/events"), Some(&token)).await.expect("events");
    send_json(&mut events, json!({ "op": "subscribe", "id": "s1", "filter": { "container_id": ws_id } })).await;
    assert_eq!(next_json(&mut events).await, json!({ "ack": "s1" }));
    send_json(&mut events, json!({ "op": "ping" })).await;
    assert_eq!(next_json(&mut events).await, json!({ "pong": true }));

    // Another user's socket sees nothing of ada's workspace.
    let bob = double.add_user("bob", "bob-password-123");
    let mut bobs =
        ws_connect(&ws_url(&double.mantle_url(), &format!("/events?access_token={}", double.access_token(&bob))), None)
            .await
            .expect("bob");
    send_json(&mut bobs, json!({ "op": "subscribe", "id": "b" })).await;
    assert_eq!(next_json(&mut bobs).await, json!({ "ack": "b" }));

    let updated = double.remote().update(&child_id, Some("Renamed"), None).expect("remote update");
    let ev = next_json(&mut events).await;
    assert_eq!(ev["event"], "artifact.updated");
    assert_eq!(ev["sub_id"], "s1");
    assert_eq!(ev["payload"]["artifact"], updated);
    assert!(ev["ts"].is_f64());
    assert_eq!(ev["event_id"].as_str().map(str::len), Some(32));

    let created = api.create_child(&ws_id, "Second", "x").await;
    let ev = next_json(&mut events).await;
    assert_eq!(
        (ev["event"].clone(), ev["payload"]["artifact"]["id"].clone()),
        (json!("artifact.created"), created["id"].clone())
    );
    api.send(Method::DELETE, "/artifacts/{artifact_id}", &format!("/artifacts/{}", id(&created)), None).await;
    let ev = next_json(&mut events).await;
    assert_eq!(
        (ev["event"].clone(), ev["payload"].clone()),
        (json!("artifact.deleted"), json!({ "artifact_id": id(&created) }))
    );

    send_json(&mut bobs, json!({ "op": "ping" })).await;
    assert_eq!(next_json(&mut bobs).await, json!({ "pong": true }), "bob got no event before his pong");

    events.send(Message::text("not json")).await.expect("send garbage");
    assert!(next_json(&mut events).await["error"].is_string());
    send_json(&mut events, json!({ "op": "dance" })).await;
    assert_eq!(next_json(&mut events).await, json!({ "error": "unknown op 'dance'" }));
    // event_names are fnmatch globs: this subscription hears creations only.
    let only_created = json!({ "container_id": ws_id, "event_names": ["artifact.c*"] });
    send_json(&mut events, json!({ "op": "subscribe", "id": "c", "filter": only_created })).await;
    assert_eq!(next_json(&mut events).await, json!({ "ack": "c" }));
    send_json(&mut events, json!({ "op": "subscribe", "id": "c", "filter": {} })).await;
    assert_eq!(next_json(&mut events).await, json!({ "error": "sub c already exists" }));
    send_json(&mut events, json!({ "op": "unsubscribe", "id": "s1" })).await;
    assert_eq!(next_json(&mut events).await, json!({ "unack": "s1" }));
    double.remote().update(&child_id, Some("Unheard"), None);
    let made = double.remote().create(&ws_id, "Heard", "text/plain", "");
    let ev = next_json(&mut events).await;
    assert_eq!((ev["event"].clone(), ev["sub_id"].clone()), (json!("artifact.created"), json!("c")));
    assert_eq!(ev["payload"]["artifact"]["id"], made["id"]);
    send_json(&mut events, json!({ "op": "ping" })).await;
    assert_eq!(next_json(&mut events).await, json!({ "pong": true }), "no event after unsubscribe");
    assert_eq!(double.stats().events_sockets, 2);

    // Mantle closes before accepting a bad bearer: HTTP 403 at the upgrade, header or query alike.
    let events_url = ws_url(&double.mantle_url(), "/events");
    for (url, bearer) in [
        (events_url.clone(), None),
        (events_url.clone(), Some("not-a-token")),
        (format!("{events_url}?access_token=not-a-token"), None),
    ] {
        assert_eq!(refused_upgrade(&url, bearer).await.0, StatusCode::FORBIDDEN, "{url} {bearer:?}");
    }
    double.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_upgrade_auth_and_relay_request_round_trip() {
    let double = PlatformDouble::start().await.expect("start");
    let url = ws_url(&double.chorus_url(), "/relay/v1/connect");
    for bearer in [None, Some(double.api_key(&double.user())), Some("garbage".to_owned())] {
        assert_eq!(refused_upgrade(&url, bearer.as_deref()).await.0, StatusCode::FORBIDDEN, "{bearer:?}");
    }
    let user = double.user();
    assert_eq!(double.relay_request(&user, json!({}), Duration::from_millis(100)).await, Err(RelayFailure::NoSession));
    let mut relay = ws_connect(&url, Some(&double.access_token(&user))).await.expect("relay");
    let deadline = Instant::now() + Duration::from_secs(2);
    while double.relay_sessions() != 1 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(double.relay_sessions(), 1);

    let handle = {
        let payload = json!({ "server_id": "s", "method": "POST", "body": "" });
        let user = user.clone();
        let double = &double;
        async move { double.relay_request(&user, payload, Duration::from_secs(5)).await }
    };
    let desktop = async {
        let req = next_json(&mut relay).await;
        assert_eq!((req["type"].clone(), req["v"].clone()), (json!("mcp_request"), json!(1)));
        assert!(req["ts"].is_i64());
        // Noise the double must ignore: another type, and a response to an unknown id.
        send_json(&mut relay, json!({ "type": "client_hello", "payload": {} })).await;
        send_json(&mut relay, json!({ "type": "mcp_response", "id": "unknown", "payload": { "ok": true } })).await;
        let resp = json!({ "type": "mcp_response", "v": 1, "id": req["id"], "ts": 1,
            "payload": { "ok": true, "status": 200, "headers": {}, "body": "" } });
        send_json(&mut relay, resp.clone()).await;
        resp
    };
    let (result, sent) = tokio::join!(handle, desktop);
    assert_eq!(result, Ok(sent));
    assert_eq!(double.relay_request(&user, json!({}), Duration::from_millis(200)).await, Err(RelayFailure::Timeout));
    let _ = next_json(&mut relay).await; // the timed-out request

    let started = Instant::now();
    let (result, ()) = tokio::join!(double.relay_request(&user, json!({}), Duration::from_secs(10)), async {
        let _ = next_json(&mut relay).await;
        relay.close(None).await.expect("close");
    });
    assert_eq!(result, Err(RelayFailure::Disconnected));
    // At once: well before the request's own 10 s deadline.
    assert!(started.elapsed() < Duration::from_secs(8), "a disconnect fails in-flight requests at once");
    double.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_forwards_the_exact_envelope_and_maps_failures() {
    let double = PlatformDouble::start().await.expect("start");
    let api = ada(&double).await;
    let token = api.token.clone().expect("token");
    let ws = id(&api.create_workspace("Servers").await);
    let mcp_server = json!({ "kind": "relay", "local_server_id": "sample", "name": "sample" });
    let context =
        json!({ "title": "Sample", "transport": { "type": "stdio", "command": "sample" }, "mcp_server": mcp_server })
            .to_string();
    let body =
        json!({ "container_id": ws, "content_type": "application/vnd.agience.mcp-server+json", "context": context });
    let (_, server) = api.send(Method::POST, "/artifacts", "/artifacts", Some(body)).await;
    let server_id = id(&server);
    let mut relay = ws_connect(&ws_url(&double.chorus_url(), "/relay/v1/connect"), Some(&token)).await.expect("relay");

    let rpc = r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#;
    let call = |auth: Option<String>| {
        let url = format!("{}/{server_id}/mcp?x=1", double.chorus_url());
        let http = api.http.clone();
        async move {
            let mut req = http.post(url).header("content-type", "application/json").header("X-Trace", "t-9").body(rpc);
            if let Some(auth) = auth {
                req = req.header("authorization", auth);
            }
            let resp = req.send().await.expect("gateway");
            let status = resp.status();
            let ct = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
            (status, ct, resp.text().await.expect("text"))
        }
    };
    let answer = br#"{"jsonrpc":"2.0","id":1,"result":{"tools":[]}}"#;
    let desktop = async {
        let req = next_json(&mut relay).await;
        let p = &req["payload"];
        assert_eq!(req["type"], "mcp_request");
        assert_eq!(p["server_id"], server_id.as_str());
        assert_eq!(p["mcp_server"], mcp_server);
        assert_eq!(p["method"], "POST");
        assert_eq!(p["path"], format!("/{server_id}/mcp?x=1"));
        assert_eq!(p["headers"]["authorization"], format!("Bearer {token}"));
        assert_eq!(p["headers"]["x-trace"], "t-9");
        assert_eq!(p["headers"]["content-type"], "application/json");
        assert_eq!(STANDARD.decode(p["body"].as_str().expect("b64")).expect("base64"), rpc.as_bytes());
        assert_eq!(p["deadline_ms"], 30000);
        let resp = json!({ "type": "mcp_response", "v": 1, "id": req["id"], "ts": 0, "payload": {
            "ok": true, "status": 200, "headers": { "content-type": "application/json" }, "body": STANDARD.encode(answer) } });
        send_json(&mut relay, resp).await;
    };
    let ((status, ct, text), ()) = tokio::join!(call(Some(format!("Bearer {token}"))), desktop);
    assert_eq!((status, ct.as_str(), text.as_bytes()), (StatusCode::OK, "application/json", &answer[..]));

    // Error envelope, and a top-level ok (which the platform also treats as an error) → 502.
    for payload in
        [json!({ "ok": false, "error": { "code": "NOT_FOUND", "message": "no such tool" } }), json!({ "status": 200 })]
    {
        let desktop = async {
            let req = next_json(&mut relay).await;
            send_json(
                &mut relay,
                json!({ "type": "mcp_response", "v": 1, "id": req["id"], "ok": true, "payload": payload }),
            )
            .await;
        };
        let ((status, _, text), ()) = tokio::join!(call(Some(format!("Bearer {token}"))), desktop);
        assert_eq!(status, StatusCode::BAD_GATEWAY);
        assert!(text.contains("Relay forward failed"), "{text}");
    }

    double.set_relay_timeout(Duration::from_millis(300));
    let (status, _, text) = call(Some(format!("Bearer {token}"))).await;
    assert_eq!((status, text.as_str()), (StatusCode::GATEWAY_TIMEOUT, r#"{"error":"Relay request timed out"}"#));
    let _ = next_json(&mut relay).await;

    let (status, _, text) = call(None).await;
    assert_eq!(
        (status, text.as_str()),
        (StatusCode::UNAUTHORIZED, r#"{"error":"Relay dispatch requires an authenticated user"}"#)
    );
    relay.close(None).await.expect("close");
    let deadline = Instant::now() + Duration::from_secs(2);
    while double.relay_sessions() != 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let (status, _, text) = call(Some(format!("Bearer {token}"))).await;
    assert_eq!(
        (status, text.as_str()),
        (StatusCode::BAD_GATEWAY, r#"{"error":"No active relay session for this user"}"#)
    );
    let unknown = format!("{}/{}/mcp", double.chorus_url(), uuid::Uuid::new_v4());
    assert_eq!(api.http.post(unknown).body("{}").send().await.expect("send").status(), StatusCode::NOT_FOUND);
    double.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drop_sockets_and_shutdown_close_everything() {
    let double = PlatformDouble::start().await.expect("start");
    let token = double.access_token(&double.user());
    let mut events = ws_connect(&ws_url(&double.mantle_url(), "/events"), Some(&token)).await.expect("events");
    let mut relay = ws_connect(&ws_url(&double.chorus_url(), "/relay/v1/connect"), Some(&token)).await.expect("relay");
    send_json(&mut events, json!({ "op": "ping" })).await;
    assert_eq!(next_json(&mut events).await, json!({ "pong": true }));
    double.faults().drop_sockets();
    assert!(ends_within(&mut events, Duration::from_secs(2)).await);
    assert!(ends_within(&mut relay, Duration::from_secs(2)).await);

    let mut events = ws_connect(&ws_url(&double.mantle_url(), "/events"), Some(&token)).await.expect("events again");
    let mut relay =
        ws_connect(&ws_url(&double.chorus_url(), "/relay/v1/connect"), Some(&token)).await.expect("relay again");
    send_json(&mut events, json!({ "op": "ping" })).await;
    assert_eq!(next_json(&mut events).await, json!({ "pong": true }), "new sockets are not hit by an old drop");
    // Bounded: the double's shutdown does not wait for its clients.
    let started = Instant::now();
    double.shutdown().await;
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    assert!(ends_within(&mut events, Duration::from_secs(2)).await);
    assert!(ends_within(&mut relay, Duration::from_secs(2)).await);
}
