//! Client authentication with a private key (`private_key_jwt`, RFC 7523 §2.2 and §3): each token request carries
//! a short-lived JWT the client signs with its key, instead of a secret. The key (PEM) comes from the keychain and
//! goes nowhere else: not into an error, a log line or the assertion.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;

use crate::Sensitive;
use crate::error::AuthError;

/// `client_assertion_type` for a JWT client assertion (RFC 7523 §2.2).
pub(crate) const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// How long an assertion is good for: long enough for a slow token request, short enough to be useless later.
const LIFETIME_S: i64 = 300;

/// The algorithms Atrium signs client assertions with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigningAlg {
    /// RSASSA-PKCS1-v1_5 with SHA-256, for an RSA key.
    Rs256,
    /// ECDSA on P-256 with SHA-256, for an EC P-256 key.
    Es256,
}

impl SigningAlg {
    /// From its JWA name (`RS256`, `ES256`).
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "RS256" => Some(SigningAlg::Rs256),
            "ES256" => Some(SigningAlg::Es256),
            _ => None,
        }
    }

    /// Its JWA name.
    pub fn as_str(self) -> &'static str {
        match self {
            SigningAlg::Rs256 => "RS256",
            SigningAlg::Es256 => "ES256",
        }
    }

    fn algorithm(self) -> Algorithm {
        match self {
            SigningAlg::Rs256 => Algorithm::RS256,
            SigningAlg::Es256 => Algorithm::ES256,
        }
    }
}

/// Whether a credential is a private key in PEM (so it is only ever used to sign, never sent as a secret).
pub(crate) fn is_private_key(credential: &Sensitive<String>) -> bool {
    let text = credential.expose().trim_start();
    text.starts_with("-----BEGIN ") && text.contains("PRIVATE KEY-----")
}

/// RFC 7523 §3: who issues the assertion, who it is about, who it is for, and when it is good.
#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    jti: String,
    iat: i64,
    exp: i64,
}

/// Signs an assertion that `client_id` is calling `audience` (the authorization server's issuer, or its token
/// endpoint), at `now`, with the private key `key_pem` (RSA or EC P-256, PKCS#8; PKCS#1 for RSA too) and `alg`
/// (from the key's type when `None`).
pub(crate) fn client_assertion(
    client_id: &str,
    audience: &str,
    key_pem: &Sensitive<String>,
    alg: Option<SigningAlg>,
    now: i64,
) -> Result<Sensitive<String>, AuthError> {
    let (key, alg) = signing_key(key_pem, alg)?;
    let claims = Claims {
        iss: client_id,
        sub: client_id,
        aud: audience,
        // A fresh id each time: the server may remember the ids it saw to refuse a replay (RFC 7523 §3).
        jti: uuid::Uuid::new_v4().to_string(),
        iat: now,
        exp: now + LIFETIME_S,
    };
    // The signing error says nothing the person can act on beyond what this message says (and nothing of the key).
    jsonwebtoken::encode(&Header::new(alg.algorithm()), &claims, &key).map(Sensitive::new).map_err(|_| {
        AuthError::Config(format!(
            "The client's private key could not sign with {}: use an RSA key (2048 bits or more) for RS256 or an \
             EC P-256 key for ES256.",
            alg.as_str()
        ))
    })
}

/// The key and the algorithm to sign with: the one asked for, which must fit the key, else the key's own.
fn signing_key(key_pem: &Sensitive<String>, alg: Option<SigningAlg>) -> Result<(EncodingKey, SigningAlg), AuthError> {
    let pem = key_pem.expose().as_bytes();
    let (key, own) = if let Ok(key) = EncodingKey::from_rsa_pem(pem) {
        (key, SigningAlg::Rs256)
    } else if let Ok(key) = EncodingKey::from_ec_pem(pem) {
        (key, SigningAlg::Es256)
    } else {
        return Err(AuthError::Config(
            "The client's keychain secret is not a private key Atrium can sign with: it takes an RSA or EC P-256 \
             private key in PEM (PKCS#8, or PKCS#1 for RSA)."
                .into(),
        ));
    };
    match alg {
        Some(alg) if alg != own => Err(AuthError::Config(format!(
            "signing_alg is {} but the client's private key is for {}: change one of them.",
            alg.as_str(),
            own.as_str()
        ))),
        _ => Ok((key, own)),
    }
}

#[cfg(test)]
mod tests {
    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
    use base64::Engine;
    use jsonwebtoken::{DecodingKey, Validation};
    use serde_json::Value;

    use super::*;

    fn pem(der: &[u8]) -> Sensitive<String> {
        let text = base64::engine::general_purpose::STANDARD.encode(der);
        let lines: Vec<&str> = text.as_bytes().chunks(64).filter_map(|c| std::str::from_utf8(c).ok()).collect();
        Sensitive::new(format!("-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n", lines.join("\n")))
    }

    /// The claims of `assertion`, checked with `public` for `alg` and `audience`.
    fn verified(assertion: &Sensitive<String>, public: &DecodingKey, alg: Algorithm, audience: &str) -> Value {
        let mut validation = Validation::new(alg);
        validation.set_audience(&[audience]);
        validation.set_issuer(&["client-1"]);
        validation.set_required_spec_claims(&["iss", "sub", "aud", "exp"]);
        jsonwebtoken::decode::<Value>(assertion.expose(), public, &validation).expect("a valid assertion").claims
    }

    #[test]
    fn an_ec_key_signs_es256_assertions_the_public_key_verifies() {
        let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).expect("key");
        let key = pem(pair.to_pkcs8v1().expect("pkcs8").as_ref());
        assert!(is_private_key(&key));
        let now = chrono::Utc::now().timestamp();
        let assertion = client_assertion("client-1", "https://as.example", &key, None, now).expect("signed");
        let public = DecodingKey::from_ec_der(pair.public_key().as_ref());
        let claims = verified(&assertion, &public, Algorithm::ES256, "https://as.example");
        assert_eq!(claims["sub"], "client-1");
        assert_eq!(claims["iat"], now);
        assert_eq!(claims["exp"], now + LIFETIME_S);
        assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()));
        let again = client_assertion("client-1", "https://as.example", &key, None, now).expect("signed");
        assert_ne!(verified(&again, &public, Algorithm::ES256, "https://as.example")["jti"], claims["jti"]);
        // Another audience does not verify as this one.
        let elsewhere = client_assertion("client-1", "https://other.example", &key, None, now).expect("signed");
        let mut validation = Validation::new(Algorithm::ES256);
        validation.set_audience(&["https://as.example"]);
        assert!(jsonwebtoken::decode::<Value>(elsewhere.expose(), &public, &validation).is_err());
        // The algorithm asked for must fit the key; the message names neither the key nor a part of it.
        let err = client_assertion("client-1", "a", &key, Some(SigningAlg::Rs256), now).expect_err("mismatch");
        assert!(err.to_string().contains("ES256") && !err.to_string().contains("BEGIN"), "{err}");
    }

    #[test]
    fn an_rsa_key_signs_rs256_assertions_and_a_secret_is_no_key() {
        let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).expect("key");
        let key = pem(AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&pair).expect("pkcs8").as_ref());
        let now = chrono::Utc::now().timestamp();
        let assertion =
            client_assertion("client-1", "https://as.example/token", &key, Some(SigningAlg::Rs256), now).expect("ok");
        let public = DecodingKey::from_rsa_der(pair.public_key().as_ref());
        let claims = verified(&assertion, &public, Algorithm::RS256, "https://as.example/token");
        assert_eq!(claims["iss"], "client-1");
        let secret = Sensitive::new("not-a-key".to_owned());
        assert!(!is_private_key(&secret));
        let err = client_assertion("client-1", "a", &secret, None, now).expect_err("no key");
        assert_eq!(err.code(), "config");
        assert!(!err.to_string().contains("not-a-key"), "{err}");
    }
}
