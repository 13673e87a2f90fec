//! Build time: `SOURCE_DATE_EPOCH` or a fixed epoch, never the wall clock, so builds reproduce.

use crate::host::Host;

/// Used when `SOURCE_DATE_EPOCH` is unset: the Unix epoch, as ko does, so
/// two builds of one tree match whenever and wherever they run.
pub const DEFAULT_EPOCH: u64 = 0;

#[derive(Debug, thiserror::Error)]
#[error(
    "SOURCE_DATE_EPOCH={value:?} is not a whole number of seconds from 1970-01-01 to 9999-12-31"
)]
pub struct ClockError {
    pub value: String,
}

/// 9999-12-31T23:59:59Z: `created` is RFC 3339, whose years have four digits.
const LAST_EPOCH: u64 = 253_402_300_799;

impl ClockError {
    /// The stable code the CLI and JS API report.
    pub fn code(&self) -> &'static str {
        "source-date-epoch"
    }
}

/// The timestamp for file mtimes, `created` and history.
pub fn build_epoch<H: Host>(host: &H) -> Result<u64, ClockError> {
    match host.env("SOURCE_DATE_EPOCH") {
        None => Ok(DEFAULT_EPOCH),
        Some(v) if v.trim().is_empty() => Ok(DEFAULT_EPOCH),
        Some(v) => match v.trim().parse() {
            Ok(secs) if secs <= LAST_EPOCH => Ok(secs),
            _ => Err(ClockError { value: v }),
        },
    }
}

/// RFC 3339 in UTC, as image configs write `created`.
pub fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::NativeHost;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(4_102_444_799), "2099-12-31T23:59:59Z");
    }

    #[test]
    fn the_last_second_of_9999_is_the_last_epoch() {
        let epoch = |v: &str| build_epoch(&NativeHost::with_env(&[("SOURCE_DATE_EPOCH", v)]));
        assert_eq!(epoch("253402300799").ok(), Some(LAST_EPOCH));
        assert_eq!(rfc3339(LAST_EPOCH), "9999-12-31T23:59:59Z");
        let e = epoch("253402300800").err().map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some("SOURCE_DATE_EPOCH=\"253402300800\" is not a whole number of seconds from 1970-01-01 to 9999-12-31")
        );
    }

    #[test]
    fn reads_source_date_epoch() {
        assert_eq!(
            build_epoch(&NativeHost::with_env(&[(
                "SOURCE_DATE_EPOCH",
                "1700000000"
            )]))
            .ok(),
            Some(1_700_000_000)
        );
        assert_eq!(
            build_epoch(&NativeHost::with_env(&[])).ok(),
            Some(DEFAULT_EPOCH)
        );
        let e = build_epoch(&NativeHost::with_env(&[("SOURCE_DATE_EPOCH", "yesterday")]));
        assert!(e
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
            .contains("yesterday"));
    }
}
