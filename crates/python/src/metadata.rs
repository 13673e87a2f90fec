//! Core metadata (`METADATA`, `PKG-INFO`, PEP 658 `.metadata`), versions 1.0 to 2.x: the
//! fields resolution needs, read from the RFC 822-style header block.

use crate::name::{ExtraName, PackageName};
use crate::pep440::{SpecifierSet, Version};
use crate::pep508::Requirement;

/// What a distribution says about itself that matters for resolving it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoreMetadata {
    pub name: PackageName,
    pub version: Version,
    pub requires_python: Option<SpecifierSet>,
    /// In file order, markers unevaluated (extras are markers: `extra == "standard"`).
    pub requires_dist: Vec<Requirement>,
    /// Normalised (PEP 685), in file order.
    pub provides_extra: Vec<ExtraName>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetadataError {
    #[error("core metadata has no {field} field")]
    Missing { field: &'static str },
    #[error("core metadata line {line}: {field} {value:?} is invalid: {reason}")]
    Invalid {
        line: usize,
        field: &'static str,
        value: String,
        reason: String,
    },
    #[error("core metadata line {line}: Metadata-Version {version} is newer than the 2.x this tool reads")]
    UnsupportedVersion { line: usize, version: String },
}

/// One header, unfolded, with the 1-based line it starts on.
pub struct Header<'a> {
    pub line: usize,
    pub name: &'a str,
    pub value: String,
}

/// Parses the header block; the body (a description, in metadata 2.1+) is not read.
pub fn parse(text: &str) -> Result<CoreMetadata, MetadataError> {
    let mut name = None;
    let mut version = None;
    let mut requires_python = None;
    let mut requires_dist = Vec::new();
    let mut provides_extra = Vec::new();
    for header in headers(text) {
        let Header { line, value, .. } = &header;
        let line = *line;
        match header.name.to_ascii_lowercase().as_str() {
            "metadata-version" => check_metadata_version(value, line)?,
            "name" => name = Some(parse_name(value, line)?),
            "version" => version = Some(parse_version(value, line)?),
            "requires-python" => requires_python = parse_requires_python(value, line)?,
            "requires-dist" => requires_dist.push(parse_requirement(value, line)?),
            "provides-extra" => provides_extra.extend(parse_extra(value)),
            _ => {}
        }
    }
    Ok(CoreMetadata {
        name: name.ok_or(MetadataError::Missing { field: "Name" })?,
        version: version.ok_or(MetadataError::Missing { field: "Version" })?,
        requires_python,
        requires_dist,
        provides_extra,
    })
}

/// The headers up to the first empty line. A continuation line (leading space or tab) is
/// joined to the header above it; a line that is neither ends the headers, which is how
/// Python's `email` parser (and so pip) reads a malformed block.
pub fn headers(text: &str) -> Vec<Header<'_>> {
    let mut out: Vec<Header<'_>> = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(last) = out.last_mut() {
                last.value.push(' ');
                last.value.push_str(line.trim());
                continue;
            }
        }
        let Some((name, value)) = line.split_once(':') else {
            break;
        };
        out.push(Header {
            line: index + 1,
            name: name.trim(),
            value: value.trim().to_string(),
        });
    }
    out
}

fn invalid(line: usize, field: &'static str, value: &str, reason: impl ToString) -> MetadataError {
    MetadataError::Invalid {
        line,
        field,
        value: value.to_string(),
        reason: reason.to_string(),
    }
}

/// A major version above 2 may change the meaning of fields (the spec says to refuse it).
fn check_metadata_version(value: &str, line: usize) -> Result<(), MetadataError> {
    let major = value.split('.').next().unwrap_or_default().trim();
    match major.parse::<u32>() {
        Ok(1 | 2) => Ok(()),
        Ok(_) => Err(MetadataError::UnsupportedVersion {
            line,
            version: value.to_string(),
        }),
        Err(e) => Err(invalid(line, "Metadata-Version", value, e)),
    }
}

fn parse_name(value: &str, line: usize) -> Result<PackageName, MetadataError> {
    PackageName::new(value).map_err(|e| invalid(line, "Name", value, e))
}

fn parse_version(value: &str, line: usize) -> Result<Version, MetadataError> {
    value
        .parse()
        .map_err(|e| invalid(line, "Version", value, e))
}

fn parse_requires_python(value: &str, line: usize) -> Result<Option<SpecifierSet>, MetadataError> {
    let set: SpecifierSet = value
        .parse()
        .map_err(|e| invalid(line, "Requires-Python", value, e))?;
    Ok((!set.is_empty()).then_some(set))
}

fn parse_requirement(value: &str, line: usize) -> Result<Requirement, MetadataError> {
    Requirement::parse(value).map_err(|e| invalid(line, "Requires-Dist", value, e))
}

/// Old metadata holds extras that are not names (`tests:python_version<"3"` from setuptools'
/// `extras_require` keys); no requirement can ask for them, so they are skipped, as pip does.
fn parse_extra(value: &str) -> Option<ExtraName> {
    ExtraName::new(value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FASTAPI: &str = include_str!("../../../tests/fixtures/metadata/fastapi-METADATA");
    const UVICORN: &str = include_str!("../../../tests/fixtures/metadata/uvicorn-METADATA");
    const IDNA_PKG_INFO: &str = include_str!("../../../tests/fixtures/metadata/idna-0.2-PKG-INFO");

    fn extra(name: &str) -> ExtraName {
        ExtraName::new(name).unwrap()
    }

    #[test]
    fn fastapi_wheel_metadata() {
        let m = parse(FASTAPI).unwrap();
        assert_eq!(m.name.as_str(), "fastapi");
        assert_eq!(m.version, "0.165.0".parse().unwrap());
        assert_eq!(m.requires_python, Some(">=3.11".parse().unwrap()));
        assert_eq!(m.requires_dist.len(), 7 + 2 + 12 + 11 + 13);
        assert_eq!(
            m.requires_dist[0],
            Requirement::parse("starlette>=1.6.0").unwrap()
        );
        assert_eq!(
            m.provides_extra,
            vec![
                extra("opentelemetry"),
                extra("standard"),
                extra("standard-no-fastapi-cloud-cli"),
                extra("all")
            ]
        );
        let uvicorn = m
            .requires_dist
            .iter()
            .find(|r| r.name.as_str() == "uvicorn")
            .unwrap();
        assert_eq!(uvicorn.extras, vec![extra("standard")]);
        assert_eq!(uvicorn.version, ">=0.12.0".parse().unwrap());
        assert!(uvicorn.marker.is_some());
    }

    #[test]
    fn uvicorn_wheel_metadata_with_markers() {
        let m = parse(UVICORN).unwrap();
        assert_eq!(m.name.as_str(), "uvicorn");
        assert_eq!(m.version.to_string(), "0.54.0");
        let names: Vec<&str> = m.requires_dist.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "click",
                "h11",
                "typing-extensions",
                "httptools",
                "python-dotenv",
                "pyyaml",
                "uvloop",
                "watchfiles",
                "websockets"
            ]
        );
        assert_eq!(m.provides_extra, vec![extra("standard")]);
    }

    /// Metadata 1.0 from a 2013 sdist: a folded Description, blank-looking continuation lines
    /// (spaces only), no Requires-Dist.
    #[test]
    fn legacy_pkg_info() {
        let m = parse(IDNA_PKG_INFO).unwrap();
        assert_eq!(m.name.as_str(), "idna");
        assert_eq!(m.version.to_string(), "0.2");
        assert_eq!(m.requires_python, None);
        assert!(m.requires_dist.is_empty());
    }

    #[test]
    fn folding_crlf_case_and_the_body() {
        let text = "Metadata-Version: 2.1\r\nname: Foo.Bar\r\nVERSION: 1.0\r\n\
                    Requires-Dist: requests\r\n  >=2.0 ; python_version < '3.8'\r\n\
                    Provides-Extra: Dev_Tools\r\nProvides-Extra: tests:python_version<\"3\"\r\n\
                    \r\nRequires-Dist: not-a-header-any-more\r\n";
        let m = parse(text).unwrap();
        assert_eq!(m.name.as_str(), "foo-bar");
        assert_eq!(m.requires_dist.len(), 1);
        assert_eq!(
            m.requires_dist[0],
            Requirement::parse("requests>=2.0; python_version < '3.8'").unwrap()
        );
        assert_eq!(m.provides_extra, vec![extra("dev-tools")]);
    }

    #[test]
    fn errors_name_the_line_and_field() {
        let err = parse("Metadata-Version: 2.1\nName: x\nVersion: 1\nRequires-Dist: foo >=>1\n")
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("core metadata line 4: Requires-Dist \"foo >=>1\" is invalid: "),
            "{err}"
        );
        let err = parse("Name: x\n").unwrap_err();
        assert_eq!(err.to_string(), "core metadata has no Version field");
        let err = parse("Metadata-Version: 3.0\nName: x\nVersion: 1\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "core metadata line 1: Metadata-Version 3.0 is newer than the 2.x this tool reads"
        );
        let err = parse("Name: x\nVersion: one\n").unwrap_err();
        assert!(err
            .to_string()
            .starts_with("core metadata line 2: Version \"one\" is invalid"));
    }

    #[test]
    fn a_line_that_is_not_a_header_ends_the_block() {
        let m = parse("Name: x\nVersion: 1\nstray text\nRequires-Dist: y\n").unwrap();
        assert!(m.requires_dist.is_empty());
    }
}
