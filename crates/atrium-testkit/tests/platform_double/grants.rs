//! Origin's `/auth/grants`: invites on an artifact with their claim token and URL, listing by resource, reading,
//! revoking, claiming (a one-claim invite is used up by its claim), and who may do each.

use crate::support::*;

async fn grant(api: &Client, body: Value) -> (StatusCode, Value) {
    api.send(Method::POST, "/auth/grants", "/auth/grants", Some(body)).await
}

async fn list(api: &Client, resource: &str) -> (StatusCode, Value) {
    api.get("/auth/grants", &format!("/auth/grants?resource_id={resource}")).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invites_are_made_listed_claimed_and_revoked() {
    let double = PlatformDouble::start().await.expect("start");
    let api = ada(&double).await;
    let ws = api.create_workspace("Shared").await;
    let note = api.create_child(&id(&ws), "Note", "hello").await;
    let note_id = id(&note);

    // An invite: viewer by default, one claim unless told, the token shown once beside its claim URL.
    let (status, invite) =
        grant(&api, json!({"resource_id": note_id, "grantee_type": "invite", "name": "for Bo"})).await;
    assert_eq!(status, StatusCode::CREATED, "{invite}");
    let token = invite["claim_token"].as_str().expect("claim_token").to_owned();
    assert!(token.starts_with("agc_") && token.len() == 47, "{token}");
    assert_eq!(invite["claim_url"], format!("{}/invite/{token}", double.url()));
    assert_eq!(invite["grantee_id"], hex_sha256(&token));
    assert_eq!(invite["max_claims"], 1);
    assert_eq!((invite["can_read"].clone(), invite["can_update"].clone()), (json!(true), json!(false)));
    assert_eq!(invite["state"], "active");
    assert_eq!(invite["name"], "for Bo");
    assert!(invite.get("revoked_at").is_some_and(Value::is_null), "every _grant_response field is there");

    // Flags that match no preset give a viewer; an editor role is asked by name. Expiry reads like fromisoformat.
    let (_, odd) = grant(&api, json!({"resource_id": note_id, "grantee_type": "invite", "can_update": true})).await;
    assert_eq!(odd["can_update"], false);
    let body = json!({"resource_id": note_id, "grantee_type": "invite", "role": "editor", "max_claims": 5,
        "expires_at": "2031-01-02T03:04:05Z"});
    let (_, editor) = grant(&api, body).await;
    assert_eq!((editor["can_update"].clone(), editor["max_claims"].clone()), (json!(true), json!(5)));
    assert_eq!(editor["expires_at"], "2031-01-02T03:04:05+00:00");
    let (status, bad) = grant(&api, json!({"resource_id": note_id, "grantee_type": "invite", "role": "owner"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    let (status, _) =
        grant(&api, json!({"resource_id": note_id, "grantee_type": "invite", "expires_at": "soon"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (status, listed) = list(&api, &note_id).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed.as_array().map(Vec::len), Some(3));
    assert!(listed[0].get("claim_token").is_none(), "the token is shown once");

    // Someone else: no share on the note, no listing, no revoking, 404 on reading; claiming works once.
    let bo_user = double.add_user("bo", "battery-staple-horse");
    let bo = Client::with_token(&double, &double.access_token(&bo_user));
    let (status, _) = grant(&bo, json!({"resource_id": note_id, "grantee_type": "invite"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(list(&bo, &note_id).await.0, StatusCode::FORBIDDEN);
    let invite_id = id(&invite);
    let path = format!("/auth/grants/{invite_id}");
    assert_eq!(bo.get("/auth/grants/{grant_id}", &path).await.0, StatusCode::NOT_FOUND);
    // Before claiming: the token says what it opens (without sign-in, only that it is live).
    let context = Client::new(&double)
        .get("/auth/grants/invite-context", &format!("/auth/grants/invite-context?token={token}"))
        .await;
    assert_eq!(context, (StatusCode::OK, json!({"valid": true, "has_target": false, "target_type": null})));
    let (_, details) =
        bo.get("/auth/grants/invite-details", &format!("/auth/grants/invite-details?token={token}")).await;
    assert_eq!(
        details,
        json!({"valid": true, "resource_id": note_id, "granted_by": double.user().id, "name": "for Bo"})
    );
    let (status, claimed) = claim(&bo, &token).await;
    assert_eq!(status, StatusCode::CREATED, "{claimed}");
    assert_eq!((claimed["grantee_type"].clone(), claimed["grantee_id"].clone()), (json!("user"), json!(bo_user.id)));
    assert_eq!(claimed["notes"], format!("Claimed from invite {invite_id}"));
    let (_, used) = api.get("/auth/grants/{grant_id}", &path).await;
    assert_eq!((used["state"].clone(), used["claims_count"].clone()), (json!("revoked"), json!(1)));
    assert_eq!(claim(&bo, &token).await.0, StatusCode::NOT_FOUND, "a used-up one-claim invite is gone");
    let gone = format!("/auth/grants/invite-context?token={token}");
    assert_eq!(Client::new(&double).get("/auth/grants/invite-context", &gone).await.0, StatusCode::NOT_FOUND);

    // An invite addressed by email: only that person may claim it, and the others are told it is not theirs.
    let body = json!({"resource_id": note_id, "grantee_type": "invite", "target_entity": "Bo@Example.org",
        "target_entity_type": "email"});
    let (_, addressed) = grant(&api, body).await;
    assert_eq!(
        (addressed["target_entity"].clone(), addressed["requires_identity"].clone()),
        (json!("bo@example.org"), json!(true))
    );
    let addressed_token = addressed["claim_token"].as_str().expect("token").to_owned();
    let path_details = format!("/auth/grants/invite-details?token={addressed_token}");
    let (_, mismatch) = api.get("/auth/grants/invite-details", &path_details).await;
    assert_eq!(mismatch, json!({"valid": true, "identity_mismatch": true}));
    assert_eq!(claim(&api, &addressed_token).await.0, StatusCode::FORBIDDEN);
    assert_eq!(claim(&bo, &addressed_token).await.0, StatusCode::CREATED);

    // Revoking: the row stays, marked.
    let (status, revoked) =
        api.send(Method::DELETE, "/auth/grants/{grant_id}", &format!("/auth/grants/{}", id(&editor)), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(revoked, json!({"id": id(&editor), "state": "revoked"}));
    let (_, listed) = list(&api, &note_id).await;
    let states: Vec<&str> = listed.as_array().into_iter().flatten().filter_map(|g| g["state"].as_str()).collect();
    assert_eq!(states.iter().filter(|s| **s == "revoked").count(), 3, "{listed}");
    assert_eq!(double.grants_on(&note_id).len(), 6, "four invites and bo's two claimed grants");
    let missing = format!("/auth/grants/{}", uuid::Uuid::new_v4());
    assert_eq!(api.send(Method::DELETE, "/auth/grants/{grant_id}", &missing, None).await.0, StatusCode::NOT_FOUND);
    double.shutdown().await;
}

async fn claim(api: &Client, token: &str) -> (StatusCode, Value) {
    api.send(Method::POST, "/auth/grants/claim", "/auth/grants/claim", Some(json!({"token": token}))).await
}

fn hex_sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}
