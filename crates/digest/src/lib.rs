//! Content digests (`sha256:<hex>`) and the hasher that computes them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::Digest as _;

/// A `sha256:` content digest, the only algorithm images use in practice.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
pub struct Digest {
    hex: String,
}

#[derive(Debug, thiserror::Error)]
#[error("invalid digest {value:?}: expected sha256: followed by 64 lowercase hex digits")]
pub struct DigestError {
    pub value: String,
}

impl Digest {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut hex = String::with_capacity(64);
        for b in bytes {
            hex.push(HEX[usize::from(b >> 4)] as char);
            hex.push(HEX[usize::from(b & 15)] as char);
        }
        Digest { hex }
    }

    pub fn of(host_hasher: Sha256, data: &[u8]) -> Self {
        let mut h = host_hasher;
        h.update(data);
        h.finish()
    }

    /// The 64 hex digits, as used in blob paths.
    pub fn hex(&self) -> &str {
        &self.hex
    }
}

impl FromStr for Digest {
    type Err = DigestError;
    fn from_str(s: &str) -> Result<Self, DigestError> {
        let hex = s.strip_prefix("sha256:").unwrap_or("");
        let valid = hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if valid {
            Ok(Digest {
                hex: hex.to_owned(),
            })
        } else {
            Err(DigestError {
                value: s.to_owned(),
            })
        }
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sha256:{}", self.hex)
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Serialize for Digest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A hasher implemented by the host (Node's OpenSSL, for example).
pub trait HostSha256 {
    fn update(&mut self, data: &[u8]);
    fn finish(self: Box<Self>) -> [u8; 32];
}

/// SHA-256 over a stream, from the host when it offers one, else from `sha2`.
pub enum Sha256 {
    Portable(Box<sha2::Sha256>),
    Host(Box<dyn HostSha256>),
}

impl Sha256 {
    pub fn portable() -> Self {
        Sha256::Portable(Box::default())
    }

    pub fn update(&mut self, data: &[u8]) {
        match self {
            Sha256::Portable(h) => h.update(data),
            Sha256::Host(h) => h.update(data),
        }
    }

    pub fn finish(self) -> Digest {
        let bytes = match self {
            Sha256::Portable(h) => h.finalize().into(),
            Sha256::Host(h) => h.finish(),
        };
        Digest::from_bytes(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_abc_matches_the_fips_vector() {
        let d = Digest::of(Sha256::portable(), b"abc");
        assert_eq!(
            d.to_string(),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn parse_round_trips_and_rejects_bad_forms() {
        let s = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(
            s.parse::<Digest>().map(|d| d.to_string()).ok().as_deref(),
            Some(s)
        );
        for bad in ["", "sha256:", "sha512:abc", &s.to_uppercase(), &s[..70]] {
            assert!(bad.parse::<Digest>().is_err(), "{bad} should be rejected");
        }
    }
}
