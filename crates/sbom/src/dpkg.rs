//! dpkg's status database: `var/lib/dpkg/status`, and distroless's
//! `var/lib/dpkg/status.d/*` (one file a package). Records are blocks of
//! `Field: value` lines separated by blank lines; continuation lines start
//! with a space.

use crate::license::License;
use crate::model::OsPackage;
use crate::SbomError;

/// The packages a status file says are installed. A record without a
/// `Status` (distroless writes none) counts as installed; one whose status
/// is anything but `installed` (removed, config-files, half-installed) does
/// not, as `dpkg-query -W` would show it without files.
pub fn parse_status(file: &str, text: &str) -> Result<Vec<OsPackage>, SbomError> {
    let mut out = Vec::new();
    for record in records(text) {
        if record
            .field("Status")
            .is_some_and(|s| s.split_whitespace().nth(2) != Some("installed"))
        {
            continue;
        }
        let missing = |field| SbomError::MissingField {
            file: file.to_string(),
            line: record.line,
            field,
        };
        out.push(OsPackage {
            name: record
                .field("Package")
                .ok_or_else(|| missing("Package"))?
                .to_string(),
            version: record
                .field("Version")
                .ok_or_else(|| missing("Version"))?
                .to_string(),
            arch: record.field("Architecture").map(str::to_string),
            license: License::NoAssertion,
        });
    }
    Ok(out)
}

/// One record: its first line (1-based) and its fields' first lines.
pub(crate) struct Record<'a> {
    pub line: usize,
    fields: Vec<(&'a str, &'a str)>,
}

impl<'a> Record<'a> {
    pub fn field(&self, name: &str) -> Option<&'a str> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }
}

/// The records of a deb822-style file. Continuation lines belong to
/// multi-line fields (`Description`, `Conffiles`) that are not read here.
fn records(text: &str) -> Vec<Record<'_>> {
    let mut out: Vec<Record<'_>> = Vec::new();
    let mut open = false;
    for (index, raw) in text.lines().enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            open = false;
            continue;
        }
        if line.starts_with([' ', '\t']) {
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        if !open {
            out.push(Record {
                line: index + 1,
                fields: Vec::new(),
            });
            open = true;
        }
        if let Some(record) = out.last_mut() {
            record.fields.push((name.trim(), value.trim()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &str = "\
Package: libc6
Status: install ok installed
Priority: optional
Architecture: amd64
Multi-Arch: same
Version: 2.36-9+deb12u4
Description: GNU C Library: Shared libraries
 Contains the standard libraries.
 Package: not-a-record

Package: python3.11-minimal
Status: install ok installed
Architecture: amd64
Source: python3.11
Version: 3.11.2-6+deb12u1

Package: gone
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0-1
";

    #[test]
    fn installed_records_only_with_their_versions_and_arches() {
        let packages = parse_status("status", STATUS).unwrap();
        let names: Vec<_> = packages
            .iter()
            .map(|p| {
                format!(
                    "{} {} {}",
                    p.name,
                    p.version,
                    p.arch.as_deref().unwrap_or("-")
                )
            })
            .collect();
        assert_eq!(
            names,
            [
                "libc6 2.36-9+deb12u4 amd64",
                "python3.11-minimal 3.11.2-6+deb12u1 amd64"
            ]
        );
    }

    #[test]
    fn a_distroless_record_has_no_status_and_counts() {
        let text = "Package: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\n";
        let packages = parse_status("status.d/tzdata", text).unwrap();
        assert_eq!(packages.len(), 1);
        assert_eq!(packages[0].version, "2024a-0+deb12u1");
    }

    #[test]
    fn a_record_without_a_version_is_an_error_naming_its_line() {
        let text = "Package: a\nVersion: 1\n\n\nPackage: b\nStatus: install ok installed\n";
        let err = parse_status("var/lib/dpkg/status", text).unwrap_err();
        assert_eq!(
            err.to_string(),
            "var/lib/dpkg/status: record at line 5 has no Version field"
        );
        assert_eq!(err.code(), "sbom-package-database");
    }

    #[test]
    fn crlf_and_an_empty_file() {
        assert!(parse_status("s", "").unwrap().is_empty());
        let packages = parse_status("s", "Package: a\r\nVersion: 1\r\n").unwrap();
        assert_eq!(packages[0].version, "1");
    }
}
