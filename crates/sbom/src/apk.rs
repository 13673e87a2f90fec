//! apk's database, `lib/apk/db/installed`: records of `X:value` lines
//! separated by blank lines (`P` name, `V` version, `A` arch, `L` license);
//! every record there is installed.

use crate::license;
use crate::model::OsPackage;
use crate::SbomError;

pub fn parse_installed(file: &str, text: &str) -> Result<Vec<OsPackage>, SbomError> {
    let mut out = Vec::new();
    let mut record: Option<(usize, Vec<(char, &str)>)> = None;
    // A final blank line closes the last record like the others.
    for (index, raw) in text.lines().chain(std::iter::once("")).enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.is_empty() {
            if let Some((start, fields)) = record.take() {
                out.push(package(file, start, &fields)?);
            }
            continue;
        }
        let mut chars = line.chars();
        let (Some(key), Some(':')) = (chars.next(), chars.next()) else {
            continue;
        };
        let fields = &mut record.get_or_insert_with(|| (index + 1, Vec::new())).1;
        fields.push((key, chars.as_str()));
    }
    Ok(out)
}

fn package(file: &str, line: usize, fields: &[(char, &str)]) -> Result<OsPackage, SbomError> {
    let get = |key| {
        fields
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.to_string())
    };
    let missing = |field| SbomError::MissingField {
        file: file.to_string(),
        line,
        field,
    };
    Ok(OsPackage {
        name: get('P').ok_or_else(|| missing("P (name)"))?,
        version: get('V').ok_or_else(|| missing("V (version)"))?,
        arch: get('A'),
        license: get('L').map_or(license::License::NoAssertion, |l| {
            license::from_package_field(&l)
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::license::License;

    const INSTALLED: &str = "\
C:Q1abc=
P:musl
V:1.2.4_git20230717-r4
A:x86_64
S:407278
L:MIT
o:musl
F:lib
R:ld-musl-x86_64.so.1

C:Q1def=
P:ca-certificates-bundle
V:20240226-r0
A:x86_64
L:MPL-2.0 AND MIT
";

    #[test]
    fn every_record_with_name_version_arch_and_license() {
        let packages = parse_installed("lib/apk/db/installed", INSTALLED).unwrap();
        assert_eq!(packages.len(), 2);
        assert_eq!(packages[0].name, "musl");
        assert_eq!(packages[0].version, "1.2.4_git20230717-r4");
        assert_eq!(packages[0].arch.as_deref(), Some("x86_64"));
        assert_eq!(packages[1].license, License::Spdx("MPL-2.0 AND MIT".into()));
    }

    #[test]
    fn a_record_without_a_name_is_an_error() {
        let err = parse_installed("installed", "P:a\nV:1\n\nV:2\nA:x86_64\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "installed: record at line 4 has no P (name) field"
        );
    }
}
