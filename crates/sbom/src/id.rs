//! Identifiers derived from content: the same image gives the same ids, a
//! different image different ones.

use pycontainer_digest::{Digest, Sha256};

/// A UUID from the SHA-256 of `name`, laid out as RFC 9562's version 5
/// (name-based). Version 5 proper hashes with SHA-1, which no crate here
/// carries; version 8 would name the hash honestly, but CycloneDX 1.6's
/// `serialNumber` pattern accepts versions 1 to 5 only.
pub fn uuid(name: &str) -> String {
    let digest = Digest::of(Sha256::portable(), name.as_bytes());
    let hex = digest.hex();
    let mut chars: Vec<char> = hex.chars().take(32).collect();
    chars[12] = '5';
    // The variant: the top two bits of this digit are 10.
    let variant = chars[16].to_digit(16).unwrap_or(0);
    chars[16] = char::from_digit(8 | (variant & 3), 16).unwrap_or('8');
    let s: String = chars.into_iter().collect();
    format!(
        "{}-{}-{}-{}-{}",
        &s[0..8],
        &s[8..12],
        &s[12..16],
        &s[16..20],
        &s[20..32]
    )
}

/// A short stable tag for a text (a license's `LicenseRef-`).
pub fn short(text: &str) -> String {
    Digest::of(Sha256::portable(), text.as_bytes()).hex()[..12].to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn uuids_are_stable_and_shaped_for_cyclonedx() {
        let a = super::uuid("sha256:00");
        assert_eq!(a, super::uuid("sha256:00"));
        assert_ne!(a, super::uuid("sha256:01"));
        let parts: Vec<&str> = a.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('5'));
        assert!(matches!(parts[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'));
    }
}
