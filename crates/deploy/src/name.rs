//! The names Kubernetes accepts: the workload's (from the project's name),
//! label values, and resource quantities.

/// The longest workload name: a StatefulSet's pods carry the label
/// `controller-revision-hash: NAME-<10 characters>`, which a label value's
/// 63 must hold.
pub const MAX_NAME: usize = 52;

/// The project's name as a DNS-1035 label (what a Service's name must be,
/// and so also a valid DNS-1123 name for the workload): lower case, runs of
/// anything but letters and digits made one `-`, starting with a letter,
/// at most `MAX_NAME` characters. `None` when nothing of it is left.
pub fn workload_name(project: &str) -> Option<String> {
    let mut out = String::new();
    for c in project.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    // A name must start with a letter: a leading digit gets a prefix.
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "app-");
    }
    out.truncate(MAX_NAME);
    let name = out.trim_end_matches('-');
    (!name.is_empty()).then(|| name.to_owned())
}

/// Whether `value` may be a label's value: at most 63 characters of
/// letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit.
pub fn is_label_value(value: &str) -> bool {
    let bytes = value.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 63
        && bytes[0].is_ascii_alphanumeric()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Whether `q` is a Kubernetes quantity as people write them: a positive
/// decimal number and an optional suffix (`100m`, `0.5`, `256Mi`, `1G`).
pub fn is_quantity(q: &str) -> bool {
    const SUFFIXES: &[&str] = &[
        "", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei",
    ];
    let number_len = q
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b'.')
        .count();
    let (number, suffix) = q.split_at(number_len);
    let mut parts = number.split('.');
    let whole = parts.next().unwrap_or_default();
    let fraction = parts.next();
    let digits_ok = parts.next().is_none()
        && !(whole.is_empty() && fraction.is_none_or(str::is_empty))
        && fraction.is_none_or(|f| !f.is_empty());
    let nonzero = number.bytes().any(|b| (b'1'..=b'9').contains(&b));
    digits_ok && nonzero && SUFFIXES.contains(&suffix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_names_become_dns_labels() {
        assert_eq!(workload_name("fastapi-app").as_deref(), Some("fastapi-app"));
        assert_eq!(workload_name("My_App.v2").as_deref(), Some("my-app-v2"));
        assert_eq!(workload_name("__x__").as_deref(), Some("x"));
        assert_eq!(workload_name("2fa").as_deref(), Some("app-2fa"));
        assert_eq!(workload_name("é_ß"), None);
        let long = workload_name(&"a-".repeat(40)).unwrap_or_default();
        assert!(long.len() <= MAX_NAME && !long.ends_with('-'), "{long}");
    }

    #[test]
    fn label_values_and_quantities() {
        assert!(is_label_value("1.0.0") && is_label_value("v1_rc-2"));
        assert!(!is_label_value("1.0+local") && !is_label_value("-1") && !is_label_value(""));
        for q in ["100m", "0.5", "1", "256Mi", "1G", ".5", "2Gi"] {
            assert!(is_quantity(q), "{q}");
        }
        for q in ["", "0", "m", "1.2.3", "5x", "-1", "1 Gi", "1.", "0Mi"] {
            assert!(!is_quantity(q), "{q}");
        }
    }
}
