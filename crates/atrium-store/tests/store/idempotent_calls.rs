//! Idempotency keys: the first call runs, a retry gets its result, a key used for other arguments is refused, a
//! failed call lets its key go, and keys go with their agent.

use atrium_store::{IdempotentStart, NewAgentRecord};

use crate::common::Fixture;

async fn agent(fx: &Fixture, name: &str) -> String {
    let record = NewAgentRecord {
        id: uuid::Uuid::now_v7().to_string(),
        name: name.into(),
        token_hash: "0".repeat(64),
        workspaces: vec![],
        scopes: vec!["write".into()],
        servers: vec![],
        oauth_client_id: None,
    };
    fx.store.agent_insert(&record).await.expect("agent").id
}

#[tokio::test]
async fn a_key_runs_once_and_its_result_answers_retries() {
    let fx = Fixture::new().await;
    let a = agent(&fx, "A").await;
    let b = agent(&fx, "B").await;
    let s = &fx.store;

    assert_eq!(s.idempotent_begin(&a, "publish", "k1", "h1").await.expect("ok"), IdempotentStart::Run);
    assert_eq!(s.idempotent_begin(&a, "publish", "k1", "h1").await.expect("ok"), IdempotentStart::Running);
    // Keys are per agent and per tool.
    assert_eq!(s.idempotent_begin(&b, "publish", "k1", "h1").await.expect("ok"), IdempotentStart::Run);
    assert_eq!(s.idempotent_begin(&a, "revise", "k1", "h1").await.expect("ok"), IdempotentStart::Run);

    s.idempotent_finish(&a, "publish", "k1", Some(r#"{"id":"x"}"#)).await.expect("ok");
    assert_eq!(
        s.idempotent_begin(&a, "publish", "k1", "h1").await.expect("ok"),
        IdempotentStart::Done(r#"{"id":"x"}"#.into())
    );
    assert_eq!(s.idempotent_begin(&a, "publish", "k1", "other").await.expect("ok"), IdempotentStart::OtherRequest);

    // A failure lets the key go; a finished key is not let go by a late failure.
    s.idempotent_finish(&b, "publish", "k1", None).await.expect("ok");
    assert_eq!(s.idempotent_begin(&b, "publish", "k1", "h1").await.expect("ok"), IdempotentStart::Run);
    s.idempotent_finish(&a, "publish", "k1", None).await.expect("ok");
    assert!(matches!(s.idempotent_begin(&a, "publish", "k1", "h1").await.expect("ok"), IdempotentStart::Done(_)));

    // Gone with the agent.
    s.agent_delete(&a).await.expect("ok");
    let again = agent(&fx, "A2").await;
    assert_eq!(s.idempotent_begin(&again, "publish", "k1", "h1").await.expect("ok"), IdempotentStart::Run);
}
