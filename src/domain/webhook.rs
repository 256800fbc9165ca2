//! Webhook rules: event types, which URLs a delivery may go to (SSRF), the signature, the retry schedule.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use chrono::Duration;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::domain::Code;
use crate::domain::change::{ChangeKind, ResourceType};
use crate::error::{Error, Result};

code_enum! {
    /// Where a delivery stands: `pending` (to be sent at `next_attempt_at`), `delivered` (a 2xx answer),
    /// `failed` (every retry failed; re-send it by hand).
    #[schema(example = "delivered")]
    DeliveryStatus {
        Pending = "pending",
        Delivered = "delivered",
        Failed = "failed",
    }
}

/// `<resource>.<change>`, e.g. `case.created`: a change of the feed, named for a subscriber.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EventType {
    pub resource: ResourceType,
    pub change: ChangeKind,
}

impl EventType {
    pub fn all() -> impl Iterator<Item = EventType> {
        ResourceType::ALL
            .iter()
            .flat_map(|&resource| ChangeKind::ALL.iter().map(move |&change| EventType { resource, change }))
    }

    pub fn parse(s: &str) -> Option<EventType> {
        let (resource, change) = s.split_once('.')?;
        Some(EventType { resource: ResourceType::parse(resource)?, change: ChangeKind::parse(change)? })
    }
}

impl std::fmt::Display for EventType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.resource.as_str(), self.change.as_str())
    }
}

impl serde::Serialize for EventType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for EventType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        EventType::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!("unknown event type `{s}`, expected `<resource>.<change>`"))
        })
    }
}

impl utoipa::PartialSchema for EventType {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
        ObjectBuilder::new()
            .schema_type(SchemaType::new(Type::String))
            .enum_values(Some(EventType::all().map(|e| e.to_string())))
            .description(Some("A change of the feed: `<resource_type>.<change>` (not every pair occurs)."))
            .examples([serde_json::json!("case.created")])
            .into()
    }
}

impl utoipa::ToSchema for EventType {}

/// A webhook target: an absolute http(s) URL without credentials. The address rules (SSRF) are applied to
/// literal addresses here and to resolved ones before every delivery ([`address_allowed`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl {
    url: String,
    host: String,
    port: u16,
}

impl WebhookUrl {
    /// `allow_private` is the deployment's switch for closed networks and tests: it admits plain http and
    /// private, loopback and link-local addresses.
    pub fn parse(raw: &str, allow_private: bool) -> Result<WebhookUrl> {
        let invalid = |code: &str, message: &str| Error::invalid("url", code, message);
        if raw.len() > 2048 {
            return Err(invalid("length", "at most 2048 characters"));
        }
        let uri: actix_web::http::Uri =
            raw.parse().map_err(|_| invalid("url", "not an absolute http(s) URL"))?;
        let https = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => return Err(invalid("url", "not an absolute http(s) URL")),
        };
        if !https && !allow_private {
            return Err(invalid("url_not_allowed", "must be https"));
        }
        let authority = uri.authority().ok_or_else(|| invalid("url", "the URL has no host"))?;
        if authority.as_str().contains('@') {
            return Err(invalid("url", "credentials do not belong in the URL: check the signature instead"));
        }
        let host = authority.host().trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
        if host.is_empty() {
            return Err(invalid("url", "the URL has no host"));
        }
        if !allow_private {
            let forbidden = match host.parse::<IpAddr>() {
                Ok(ip) => !address_allowed(ip, false),
                Err(_) => host == "localhost" || host.ends_with(".localhost") || host.ends_with(".internal"),
            };
            if forbidden {
                return Err(invalid(
                    "url_not_allowed",
                    "may not point to a loopback, private, link-local or metadata address",
                ));
            }
        }
        let port = authority.port_u16().unwrap_or(if https { 443 } else { 80 });
        Ok(WebhookUrl { url: raw.to_string(), host, port })
    }

    pub fn as_str(&self) -> &str {
        &self.url
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn port(&self) -> u16 {
        self.port
    }
}

/// Whether a delivery may connect to this address. Public unicast only, unless `allow_private`.
pub fn address_allowed(ip: IpAddr, allow_private: bool) -> bool {
    if allow_private {
        return !ip.is_unspecified() && !ip.is_multicast();
    }
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => public_v4(v4),
            None => public_v6(v6),
        },
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local() // 169.254/16, cloud metadata included
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240)
}

fn public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local, fd00:ec2::254 metadata included
        || (first & 0xffc0) == 0xfe80 // link-local
        || (first == 0x64 && ip.segments()[1] == 0xff9b) // NAT64: hides an IPv4 address
        || first == 0x2001 && ip.segments()[1] == 0x0db8) // documentation
}

/// The `Sportello-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed by the secret>`.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    format!("t={timestamp},v1={}", crate::auth::tokens::hex(&mac(secret, timestamp, body)))
}

fn mac(secret: &str, timestamp: i64, body: &[u8]) -> Vec<u8> {
    // HMAC takes a key of any length: new_from_slice cannot fail for it.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else { return Vec::new() };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

/// Attempts before a delivery is given up (`failed`); a re-send by hand starts a new series.
pub const MAX_ATTEMPTS: i32 = 15;

/// How long to wait after the `attempts`-th failure: 10 s, doubling, at most 6 hours — so the attempts
/// span about 23 hours, long enough for a platform's night-time maintenance.
pub fn backoff(attempts: i32) -> Duration {
    let doublings = attempts.clamp(1, 20) - 1;
    Duration::seconds(10 * (1_i64 << doublings)).min(Duration::hours(6))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_types_name_a_resource_and_a_change() {
        let e = EventType::parse("referral.updated").unwrap();
        assert_eq!((e.resource, e.change), (ResourceType::Referral, ChangeKind::Updated));
        assert_eq!(e.to_string(), "referral.updated");
        for bad in ["case", "case.", "case.read", "person.created", ".created", "case.created.x"] {
            assert_eq!(EventType::parse(bad), None, "{bad}");
        }
        assert_eq!(EventType::all().count(), ResourceType::ALL.len() * ChangeKind::ALL.len());
    }

    #[test]
    fn only_public_addresses_are_reachable_by_default() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fd00:ec2::254",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
        ] {
            assert!(!address_allowed(ip.parse().unwrap(), false), "{ip} must be refused");
        }
        for ip in ["93.184.216.34", "151.101.1.69", "2a00:1450:4002:402::200e", "::ffff:93.184.216.34"] {
            assert!(address_allowed(ip.parse().unwrap(), false), "{ip} is public");
        }
        assert!(address_allowed("127.0.0.1".parse().unwrap(), true), "the switch admits loopback");
        assert!(!address_allowed("0.0.0.0".parse().unwrap(), true), "but never the unspecified address");
    }

    #[test]
    fn urls_must_be_https_to_a_public_host_unless_allowed() {
        let code = |raw: &str| match WebhookUrl::parse(raw, false) {
            Ok(_) => "ok".to_string(),
            Err(Error::Validation(errors)) => errors[0].code.clone(),
            Err(e) => panic!("{e}"),
        };
        assert_eq!(code("https://platform.example.org/hooks/sportello"), "ok");
        assert_eq!(code("https://93.184.216.34:8443/x"), "ok");
        assert_eq!(code("http://platform.example.org/hooks"), "url_not_allowed");
        for raw in [
            "https://127.0.0.1/x",
            "https://[::1]/x",
            "https://169.254.169.254/latest/meta-data",
            "https://10.0.0.8/x",
            "https://localhost/x",
            "https://metadata.google.internal/x",
        ] {
            assert_eq!(code(raw), "url_not_allowed", "{raw}");
        }
        for raw in ["ftp://example.org/x", "/relative", "https://user:pw@example.org/x", "not a url"] {
            assert_eq!(code(raw), "url", "{raw}");
        }
        let local = WebhookUrl::parse("http://127.0.0.1:9999/hook", true).unwrap();
        assert_eq!((local.host(), local.port()), ("127.0.0.1", 9999));
        assert_eq!(WebhookUrl::parse("https://[::1]/x", true).unwrap().host(), "::1");
    }

    #[test]
    fn the_signature_is_hmac_sha256_of_timestamp_dot_body() {
        // Computed independently: hmac.new(b"whsec_test", b"1700000000.{}", hashlib.sha256).hexdigest()
        assert_eq!(
            signature("whsec_test", 1_700_000_000, b"{}"),
            "t=1700000000,v1=35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91"
        );
    }

    #[test]
    fn the_readme_example_verifies() {
        let body = r#"{"id":"0195f6a2-7c1e-7d41-9a51-3b0c2f1e9f01","type":"case.updated","sequence":4211,"occurred_at":"2026-11-24T09:15:02.417Z","organization_id":"0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a10","resource_type":"case","resource_id":"0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a30","case_id":"0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a30"}"#;
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
        let header = signature("whsec_Q2hpYXZlIGRpIGVzZW1waW8", 1_795_511_702, body.as_bytes());
        assert!(readme.contains(&format!("body='{body}'")), "the README's body is the one signed here");
        assert!(readme.contains(&format!("Sportello-Signature: {header}")), "the README shows {header}");
    }

    #[test]
    fn retries_back_off_exponentially_up_to_six_hours() {
        assert_eq!(backoff(1), Duration::seconds(10));
        assert_eq!(backoff(2), Duration::seconds(20));
        assert_eq!(backoff(5), Duration::seconds(160));
        assert_eq!(backoff(12), Duration::seconds(20_480));
        assert_eq!(backoff(13), Duration::hours(6));
        assert_eq!(backoff(i32::MAX), Duration::hours(6));
        let total: i64 = (1..MAX_ATTEMPTS).map(|n| backoff(n).num_seconds()).sum();
        assert_eq!(total, 84_150, "about 23 hours between the first and the last attempt");
    }
}
