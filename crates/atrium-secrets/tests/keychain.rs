//! Against the real Secret Service: `make test` runs the suite inside `scripts/with-keychain.sh` (a D-Bus session
//! with an unlocked GNOME Keyring). Every test uses its own namespace and cleans up after itself.

use atrium_secrets::{Keychain, SecretError, SecretId, Sensitive};

fn keychain() -> Keychain {
    Keychain::new(format!("atrium-test-{}", uuid::Uuid::now_v7().simple()))
}

fn id(text: &str) -> SecretId {
    SecretId::parse(text).expect("valid id")
}

#[test]
fn a_secret_is_set_read_replaced_and_deleted() {
    let keychain = keychain();
    let key = id("github.token");
    assert!(
        matches!(keychain.get(&key), Err(SecretError::NotSet(_))),
        "a fresh namespace has nothing (run inside scripts/with-keychain.sh if this says the keychain is unavailable)"
    );
    assert!(!keychain.is_set(&key).expect("is_set"));

    keychain.set(&key, &Sensitive::new("ghp_first value ünïcode ✓".to_owned())).expect("set");
    assert_eq!(keychain.get(&key).expect("get").expose(), "ghp_first value ünïcode ✓");
    assert!(keychain.is_set(&key).expect("is_set"));

    keychain.set(&key, &Sensitive::new("ghp_second".to_owned())).expect("replace");
    assert_eq!(keychain.get(&key).expect("get").expose(), "ghp_second");

    assert!(keychain.delete(&key).expect("delete"));
    assert!(!keychain.delete(&key).expect("delete again"), "nothing left to delete");
    assert!(matches!(keychain.get(&key), Err(SecretError::NotSet(_))));
}

#[test]
fn namespaces_do_not_see_each_other() {
    let (a, b) = (keychain(), keychain());
    let key = id("shared-name");
    a.set(&key, &Sensitive::new("for a".to_owned())).expect("set a");
    assert!(matches!(b.get(&key), Err(SecretError::NotSet(_))), "b must not see a's entry");
    b.set(&key, &Sensitive::new("for b".to_owned())).expect("set b");
    assert_eq!(a.get(&key).expect("a").expose(), "for a");
    assert!(b.delete(&key).expect("delete b"));
    assert_eq!(a.get(&key).expect("a survives b's delete").expose(), "for a");
    a.delete(&key).expect("clean up");
}

#[test]
fn bad_values_are_refused_and_store_nothing() {
    let keychain = keychain();
    let key = id("empty");
    assert!(matches!(keychain.set(&key, &Sensitive::new(String::new())), Err(SecretError::InvalidValue(_))));
    let huge = "x".repeat(atrium_secrets::MAX_VALUE_BYTES + 1);
    assert!(matches!(keychain.set(&key, &Sensitive::new(huge)), Err(SecretError::InvalidValue(_))));
    assert!(!keychain.is_set(&key).expect("is_set"));
}
