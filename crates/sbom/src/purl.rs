//! Package URLs (purl-spec): `pkg:type/namespace/name@version?qualifiers`,
//! each part percent-encoded, qualifiers sorted by key as the spec's
//! canonical form wants.

use crate::model::{OsPackage, OsPackages};

/// `pkg:pypi/<name>@<version>`, the name PEP 503-normalised (as the purl
/// spec says for pypi: lowercase, `_` as `-`).
pub fn pypi(name: &str, version: &str) -> String {
    format!(
        "pkg:pypi/{}@{}",
        encode(&pycontainer_python::name::normalize(name)),
        encode(version)
    )
}

/// `pkg:deb/debian/<name>@<version>?arch=amd64&distro=debian-12`, or `apk`.
pub fn os(packages: &OsPackages, package: &OsPackage) -> String {
    let mut out = format!(
        "pkg:{}/{}/{}@{}",
        packages.manager.purl_type(),
        encode(&packages.namespace),
        encode(&package.name),
        encode(&package.version)
    );
    let qualifiers = [
        ("arch", package.arch.as_deref()),
        ("distro", packages.distro.as_deref()),
    ];
    let mut separator = '?';
    for (key, value) in qualifiers {
        if let Some(value) = value {
            out.push(separator);
            out.push_str(key);
            out.push('=');
            out.push_str(&encode(value));
            separator = '&';
        }
    }
    out
}

/// Percent-encodes all but the unreserved characters, so that a Debian
/// epoch's `:` or a `+` in a version stays part of the version.
fn encode(part: &str) -> String {
    let mut out = String::with_capacity(part.len());
    for byte in part.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'-' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::license::License;
    use crate::model::Manager;

    #[test]
    fn pypi_names_are_normalised() {
        assert_eq!(
            pypi("Typing_Extensions", "4.12.2"),
            "pkg:pypi/typing-extensions@4.12.2"
        );
        assert_eq!(pypi("torch", "2.4.0+cpu"), "pkg:pypi/torch@2.4.0%2Bcpu");
    }

    #[test]
    fn deb_versions_keep_their_epoch_and_qualifiers_are_sorted() {
        let packages = OsPackages {
            manager: Manager::Dpkg,
            namespace: "debian".into(),
            distro: Some("debian-12".into()),
            packages: Vec::new(),
        };
        let package = OsPackage {
            name: "libgcc-s1".into(),
            version: "1:12.2.0-14".into(),
            arch: Some("amd64".into()),
            license: License::NoAssertion,
        };
        assert_eq!(
            os(&packages, &package),
            "pkg:deb/debian/libgcc-s1@1%3A12.2.0-14?arch=amd64&distro=debian-12"
        );
    }
}
