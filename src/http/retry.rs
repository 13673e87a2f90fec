//! When to try a request again, and how long to wait first.

/// Attempts per request (or per blob upload) before giving up.
pub const MAX_ATTEMPTS: u32 = 5;
const BASE_MS: u64 = 250;
const CAP_MS: u64 = 8_000;
/// A `Retry-After` longer than this is not worth waiting for in a build.
const MAX_RETRY_AFTER_MS: u64 = 30_000;

/// Statuses that say "not now" rather than "no": overload and server faults.
pub fn retryable_status(status: u16) -> bool {
    status == 429 || status == 408 || (500..=599).contains(&status) && status != 501
}

/// Network failures worth another try: resets and timeouts. Refused
/// connections (a wrong port), TLS and DNS failures will not mend in a
/// few seconds, so they fail at once.
pub fn retryable_network(code: Option<&str>) -> bool {
    matches!(
        code,
        Some(
            "ECONNRESET"
                | "EPIPE"
                | "ETIMEDOUT"
                | "ECONNABORTED"
                | "UND_ERR_SOCKET"
                | "UND_ERR_CLOSED"
                | "ENETWORK"
        )
    )
}

/// Exponential backoff with full jitter, or the server's `Retry-After`
/// (whole seconds) when it gave one.
pub fn delay_ms(attempt: u32, retry_after: Option<&str>, random: u64) -> u64 {
    if let Some(secs) = retry_after.and_then(|v| v.trim().parse::<u64>().ok()) {
        return (secs * 1000).min(MAX_RETRY_AFTER_MS);
    }
    let ceiling = (BASE_MS << attempt.saturating_sub(1).min(10)).min(CAP_MS);
    // Half fixed, half random: spread out, but never a zero wait.
    ceiling / 2 + random % (ceiling / 2 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_statuses() {
        for s in [429, 408, 500, 502, 503, 504] {
            assert!(retryable_status(s), "{s}");
        }
        for s in [200, 201, 400, 401, 403, 404, 413, 501] {
            assert!(!retryable_status(s), "{s}");
        }
    }

    #[test]
    fn classifies_network_errors() {
        assert!(retryable_network(Some("ECONNRESET")));
        assert!(retryable_network(Some("UND_ERR_SOCKET")));
        assert!(!retryable_network(Some("CERT_HAS_EXPIRED")));
        assert!(!retryable_network(Some("ECONNREFUSED")));
        assert!(!retryable_network(Some("ENOTFOUND")));
        assert!(!retryable_network(None));
    }

    #[test]
    fn backs_off_exponentially_within_bounds() {
        let bounds: Vec<(u64, u64)> = (1..=7)
            .map(|a| (delay_ms(a, None, 0), delay_ms(a, None, u64::MAX)))
            .collect();
        assert_eq!(bounds[0], (125, 125 + (u64::MAX % 126)));
        for (a, (lo, hi)) in bounds.iter().enumerate() {
            let ceiling = (250u64 << a).min(8000);
            assert!(
                *lo == ceiling / 2 && *hi <= ceiling,
                "attempt {a}: {lo}..{hi}"
            );
        }
    }

    #[test]
    fn honours_retry_after_seconds_with_a_cap() {
        assert_eq!(delay_ms(1, Some("2"), 7), 2000);
        assert_eq!(delay_ms(1, Some(" 0 "), 7), 0);
        assert_eq!(delay_ms(1, Some("3600"), 7), 30_000);
        // An HTTP date is not parsed; the usual backoff applies.
        assert!(delay_ms(1, Some("Wed, 21 Oct 2015 07:28:00 GMT"), 0) >= 125);
    }
}
