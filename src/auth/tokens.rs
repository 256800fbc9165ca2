//! Access tokens (HS256 JWT, short-lived) and opaque refresh tokens (random, stored hashed).

use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::auth::Principal;
use crate::domain::{Code, role::Role};
use crate::error::{Error, Result};

pub const ACCESS_TOKEN_TTL_SECS: i64 = 15 * 60;
pub const REFRESH_TOKEN_TTL_DAYS: i64 = 14;

/// Exactly these claims; a token with any other claim is rejected (deny_unknown_fields).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claims {
    pub sub: String,
    pub org: String,
    pub role: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
    pub jti: String,
}

pub struct TokenService {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
}

impl TokenService {
    pub fn new(secret: &[u8], issuer: &str, audience: &str) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = 5;
        TokenService {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: issuer.to_string(),
            audience: audience.to_string(),
        }
    }

    /// A signed access token and its lifetime in seconds.
    pub fn issue(&self, user_id: &str, organization_id: &str, role: Role) -> Result<(String, i64)> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user_id.to_string(),
            org: organization_id.to_string(),
            role: role.as_str().to_string(),
            iat: now,
            nbf: now,
            exp: now + ACCESS_TOKEN_TTL_SECS,
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            jti: uuid::Uuid::now_v7().to_string(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| Error::internal("token signing", e))?;
        Ok((token, ACCESS_TOKEN_TTL_SECS))
    }

    /// Every failure is the same generic 401: the reason (expired, bad signature…) is not disclosed.
    pub fn verify(&self, token: &str) -> Result<Principal> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|_| Error::Unauthorized)?;
        let c = data.claims;
        let role = Role::parse(&c.role).ok_or(Error::Unauthorized)?;
        if c.iat > c.exp || uuid::Uuid::parse_str(&c.sub).is_err() || uuid::Uuid::parse_str(&c.org).is_err() {
            return Err(Error::Unauthorized);
        }
        Ok(Principal { user_id: c.sub, organization_id: c.org, role })
    }
}

/// A fresh opaque refresh token (what the client keeps) and its hash (what the database keeps).
pub fn new_refresh_token() -> Result<(String, String)> {
    new_secret("rt_")
}

/// 32 random bytes, base64url, after a prefix that tells what it is; and its SHA-256 (hex). The hash is
/// enough to store: the secret has 256 bits of entropy, nothing to brute-force.
pub fn new_secret(prefix: &str) -> Result<(String, String)> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| Error::internal("random", e))?;
    let secret = format!("{prefix}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes));
    let hash = hash_refresh_token(&secret);
    Ok((secret, hash))
}

/// Equal hashes, compared in time independent of where they differ.
pub fn same_hash(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn hash_refresh_token(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn service() -> TokenService {
        TokenService::new(SECRET, "sportello", "sportello-api")
    }

    fn user() -> (String, String) {
        (uuid::Uuid::now_v7().to_string(), uuid::Uuid::now_v7().to_string())
    }

    #[test]
    fn issued_tokens_verify() {
        let (u, o) = user();
        let (token, ttl) = service().issue(&u, &o, Role::Operator).unwrap();
        assert_eq!(ttl, 900);
        let p = service().verify(&token).unwrap();
        assert_eq!((p.user_id, p.organization_id, p.role), (u, o, Role::Operator));
    }

    #[test]
    fn other_keys_issuers_and_audiences_are_rejected() {
        let (u, o) = user();
        let (token, _) = service().issue(&u, &o, Role::Admin).unwrap();
        let other_key =
            TokenService::new(b"another-secret-another-secret-0000", "sportello", "sportello-api");
        assert!(other_key.verify(&token).is_err());
        assert!(TokenService::new(SECRET, "other", "sportello-api").verify(&token).is_err());
        assert!(TokenService::new(SECRET, "sportello", "other").verify(&token).is_err());
    }

    #[test]
    fn extra_claims_are_rejected() {
        let now = chrono::Utc::now().timestamp();
        let (u, o) = user();
        let claims = serde_json::json!({"sub": u, "org": o, "role": "admin", "iat": now, "nbf": now,
            "exp": now + 60, "iss": "sportello", "aud": "sportello-api", "jti": "x", "admin": true});
        let token =
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(SECRET))
                .unwrap();
        assert!(service().verify(&token).is_err());
    }

    #[test]
    fn refresh_tokens_are_random_and_hashed() {
        let (a, ha) = new_refresh_token().unwrap();
        let (b, _) = new_refresh_token().unwrap();
        assert_ne!(a, b);
        assert_eq!(hash_refresh_token(&a), ha);
        assert_eq!(ha.len(), 64);
    }
}
