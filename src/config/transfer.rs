//! How registry and index transfers run: `--parallel` (at once) and
//! `--chunk-size` (bytes per upload request). The CLI passes the flags'
//! text, the JS API numbers; both are read here, once.

use super::ConfigError;

/// Most transfers at once: more only queue at the registry and the host.
const MAX_PARALLEL: u64 = 64;

/// A count as the caller gave it: a JS number or a flag's text.
#[derive(Clone, Debug, PartialEq)]
pub enum Given {
    Number(f64),
    Text(String),
}

impl From<usize> for Given {
    fn from(n: usize) -> Self {
        Given::Number(n as f64)
    }
}

impl Given {
    pub(super) fn shown(&self) -> String {
        match self {
            Given::Number(n) => n.to_string(),
            Given::Text(t) => t.clone(),
        }
    }
}

/// The transfer settings, read; `None` leaves the client's default.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Transfer {
    pub parallel: Option<usize>,
    pub chunk_size: Option<usize>,
}

impl Transfer {
    /// Reads `--parallel` and `--chunk-size`; an error names the flag and value.
    pub fn read(parallel: Option<&Given>, chunk_size: Option<&Given>) -> Result<Self, ConfigError> {
        let parallel = parallel
            .map(|g| {
                count(g)
                    .filter(|n| (1..=MAX_PARALLEL).contains(n))
                    .ok_or_else(|| {
                        ConfigError::flag(
                            "--parallel",
                            Some(&g.shown()),
                            format!("needs a whole number from 1 to {MAX_PARALLEL}"),
                        )
                    })
            })
            .transpose()?;
        let chunk_size = chunk_size
            .map(|g| {
                size(g).filter(|n| *n >= 1).ok_or_else(|| {
                    ConfigError::flag(
                        "--chunk-size",
                        Some(&g.shown()),
                        "needs a size such as 8M, 512K or 1048576",
                    )
                })
            })
            .transpose()?;
        Ok(Transfer {
            parallel: parallel.and_then(|n| usize::try_from(n).ok()),
            chunk_size: chunk_size.and_then(|n| usize::try_from(n).ok()),
        })
    }
}

/// A whole number: a JS integer, or digits.
pub(super) fn count(given: &Given) -> Option<u64> {
    match given {
        // 2^53: past it a JS number is no longer a whole count.
        Given::Number(n) if n.fract() == 0.0 && (0.0..9_007_199_254_740_992.0).contains(n) => {
            Some(*n as u64)
        }
        Given::Number(_) => None,
        Given::Text(t) if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) => t.parse().ok(),
        Given::Text(_) => None,
    }
}

/// Bytes, from a count or text with a binary unit: `8M`, `512KiB`, `1g`, `4096b`.
fn size(given: &Given) -> Option<u64> {
    let Given::Text(text) = given else {
        return count(given);
    };
    let text = text.trim();
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let (number, unit) = text.split_at(digits);
    let scale: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => return None,
    };
    number.parse::<u64>().ok()?.checked_mul(scale)
}

/// `--insecure-registry` entries, each `HOST[:PORT]` as the registry part of
/// a reference writes it. A URL (`http://host`, `host/path`) would never
/// equal a reference's host, so the registry would silently stay secure.
pub fn insecure_registries(values: &[String]) -> Result<Vec<String>, ConfigError> {
    for value in values {
        let port_ok = match value.rsplit_once(':') {
            Some((host, _)) if !host.ends_with(']') && host.contains(':') => true, // bare IPv6
            Some((_, port)) => !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()),
            None => true,
        };
        let bad = value.is_empty()
            || value.contains("://")
            || value.contains(['/', '@', '?', '#'])
            || value.chars().any(char::is_whitespace)
            || !port_ok;
        if bad {
            return Err(ConfigError::flag(
                "--insecure-registry",
                Some(value),
                "needs HOST or HOST:PORT, the registry as a reference names it, e.g. registry.local:5000",
            ));
        }
    }
    Ok(values.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &str) -> Given {
        Given::Text(t.to_owned())
    }

    fn read(parallel: Option<Given>, chunk: Option<Given>) -> Result<Transfer, String> {
        Transfer::read(parallel.as_ref(), chunk.as_ref()).map_err(|e| e.to_string())
    }

    #[test]
    fn parallel_is_a_whole_number_from_1_to_64() {
        for (given, n) in [(text("1"), 1), (text("64"), 64), (Given::Number(8.0), 8)] {
            assert_eq!(read(Some(given), None).map(|t| t.parallel), Ok(Some(n)));
        }
        for bad in [
            text("0"),
            text("65"),
            text("many"),
            text(""),
            text("-1"),
            text("1.5"),
            text(" 2"),
            Given::Number(0.0),
            Given::Number(2.5),
            Given::Number(f64::NAN),
            Given::Number(-3.0),
        ] {
            let e = read(Some(bad.clone()), None).unwrap_err();
            assert!(
                e.starts_with("--parallel ") && e.ends_with("needs a whole number from 1 to 64"),
                "{bad:?}: {e}"
            );
        }
    }

    #[test]
    fn chunk_size_takes_binary_units() {
        for (given, n) in [
            (text("1048576"), 1 << 20),
            (text("8M"), 8 << 20),
            (text("512K"), 512 << 10),
            (text("512KiB"), 512 << 10),
            (text("1g"), 1 << 30),
            (text("4096 b"), 4096),
            (Given::Number(65536.0), 65536),
        ] {
            assert_eq!(
                read(None, Some(given.clone())).map(|t| t.chunk_size),
                Ok(Some(n)),
                "{given:?}"
            );
        }
        for bad in [
            text("8X"),
            text("0"),
            text("M"),
            text(""),
            text("1.5M"),
            Given::Number(0.5),
        ] {
            let e = read(None, Some(bad.clone())).unwrap_err();
            assert!(
                e.starts_with("--chunk-size ") && e.contains("needs a size such as 8M"),
                "{bad:?}: {e}"
            );
        }
        assert_eq!(
            read(None, Some(text("8X"))),
            Err("--chunk-size \"8X\": needs a size such as 8M, 512K or 1048576".to_owned())
        );
    }

    #[test]
    fn left_out_keeps_the_defaults() {
        assert_eq!(read(None, None), Ok(Transfer::default()));
    }

    #[test]
    fn insecure_registries_are_hosts_as_references_write_them() {
        let ok = [
            "localhost:5000",
            "registry.local",
            "10.0.0.1:443",
            "[::1]:5000",
        ];
        let ok: Vec<String> = ok.iter().map(|s| s.to_string()).collect();
        assert_eq!(insecure_registries(&ok).ok(), Some(ok.clone()));
        for bad in ["http://x", "x/y", "u:p@x", "x:", "x:port", "", "a b"] {
            let e = insecure_registries(&[bad.to_owned()])
                .err()
                .map(|e| e.to_string());
            assert!(
                e.as_deref()
                    .is_some_and(|e| e.starts_with("--insecure-registry")),
                "{bad}: {e:?}"
            );
        }
    }
}
