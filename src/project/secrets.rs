//! Files whose only purpose is credentials, left out of the image by
//! default: keys, cloud and cluster logins, package-registry tokens,
//! Terraform state and shell histories. Key files are recognised by what
//! they hold, not only by their name.

/// The reason every credentials exclude starts with, so that a re-included
/// one can be warned about.
pub const CREDENTIALS: &str = "credentials";

/// Directories of credentials, at any depth.
const DIRS: &[&str] = &[".ssh", ".aws", ".azure", ".kube", ".gnupg"];

/// Why the directory at `rel` holds only credentials.
pub fn dir_reason(rel: &str) -> Option<&'static str> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    if DIRS.contains(&name) {
        return Some("credentials (a login directory)");
    }
    (rel == ".config/gcloud" || rel.ends_with("/.config/gcloud"))
        .then_some("credentials (a login directory)")
}

/// Why the file at `rel` (named `name`) is credentials by its name alone.
pub fn file_reason(rel: &str, name: &str) -> Option<&'static str> {
    const KEYS: &[&str] = &["id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"];
    const TOKENS: &[&str] = &[".npmrc", ".pypirc", ".netrc", ".git-credentials"];
    if KEYS.iter().any(|k| name.starts_with(k)) {
        Some("credentials (an SSH key)")
    } else if TOKENS.contains(&name)
        || rel == ".docker/config.json"
        || rel.ends_with("/.docker/config.json")
    {
        Some("credentials (registry or login tokens)")
    } else if name.contains(".tfstate") {
        Some("credentials (Terraform state)")
    } else if name == ".histfile" || (name.starts_with('.') && name.ends_with("_history")) {
        Some("credentials (a shell or REPL history)")
    } else {
        None
    }
}

/// Whether a file of this name may hold a private key, so its content
/// must be looked at: certificates share the extensions with keys.
pub fn needs_sniffing(name: &str) -> bool {
    [".pem", ".key", ".p12", ".pfx"]
        .iter()
        .any(|ext| name.len() > ext.len() && name.to_ascii_lowercase().ends_with(ext))
}

/// How much of a key file is read: keys and bundles are a few KB.
pub const SNIFF_LIMIT: usize = 256 << 10;

/// Why the start of a `.pem`/`.key`/`.p12`/`.pfx` file shows it holds a private key.
pub fn private_key(name: &str, head: &[u8]) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    let pkcs12 = lower.ends_with(".p12") || lower.ends_with(".pfx");
    let holds = if pkcs12 {
        pkcs12_key(head)
    } else {
        // PEM: `-----BEGIN [RSA |EC |OPENSSH |ENCRYPTED ]PRIVATE KEY-----`.
        contains(head, b"PRIVATE KEY-----")
    };
    holds.then_some("credentials (a private key)")
}

/// A PKCS#12 file holds a key when a keyBag or pkcs8ShroudedKeyBag is in
/// sight, and is taken to when its bags are all encrypted (nothing in
/// sight); only a file showing certificate bags and no key bag is not.
fn pkcs12_key(der: &[u8]) -> bool {
    // OIDs 1.2.840.113549.1.12.10.1.{1,2,3}, DER-encoded with their tag.
    const BAG: &[u8] = &[
        0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01,
    ];
    let mut key = false;
    let mut cert = false;
    let mut at = 0;
    while let Some(i) = find(&der[at..], BAG) {
        let kind = der.get(at + i + BAG.len()).copied();
        key |= matches!(kind, Some(1 | 2));
        cert |= kind == Some(3);
        at += i + BAG.len();
    }
    key || !cert
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    find(hay, needle).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_are_only_ever_credentials() {
        assert!(dir_reason(".ssh").is_some());
        assert!(dir_reason("deploy/.aws").is_some());
        assert!(dir_reason("home/.config/gcloud").is_some());
        assert!(dir_reason("config").is_none());
        for (rel, name) in [
            ("id_rsa", "id_rsa"),
            ("keys/id_ed25519.pub", "id_ed25519.pub"),
            (".npmrc", ".npmrc"),
            ("ci/.docker/config.json", "config.json"),
            ("infra/terraform.tfstate.backup", "terraform.tfstate.backup"),
            (".python_history", ".python_history"),
        ] {
            assert!(file_reason(rel, name).is_some(), "{rel}");
        }
        assert!(file_reason("config.json", "config.json").is_none());
        assert!(file_reason("history.py", "history.py").is_none());
    }

    #[test]
    fn keys_are_told_from_certificates_by_their_content() {
        assert!(needs_sniffing("tls.KEY") && needs_sniffing("ca.pem") && !needs_sniffing(".pem"));
        let key =
            b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----\n";
        let cert = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        assert!(private_key("server.pem", key).is_some());
        assert!(private_key("ca.pem", cert).is_none());
        let bag = |kind: u8| {
            let mut der = vec![0x30, 0x82];
            der.extend_from_slice(&[
                0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01, kind,
            ]);
            der
        };
        assert!(
            private_key("id.p12", &bag(2)).is_some(),
            "a shrouded key bag"
        );
        assert!(
            private_key("trust.p12", &bag(3)).is_none(),
            "certificates only"
        );
        assert!(
            private_key("opaque.pfx", &[0x30, 0x82, 0x01]).is_some(),
            "encrypted: assumed a key"
        );
    }
}
