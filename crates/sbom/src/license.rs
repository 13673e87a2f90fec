//! A distribution's declared license, from its core metadata: PEP 639's
//! `License-Expression`, else a `License` field that is an SPDX id, else the
//! trove classifiers when they name one SPDX id without doubt, else the
//! `License` text as it stands, else nothing asserted.

use pycontainer_python::metadata::headers;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum License {
    /// An SPDX license expression.
    Spdx(String),
    /// Free text that is no SPDX expression (SPDX carries it as a `LicenseRef-`).
    Text(String),
    NoAssertion,
}

/// SPDX ids that distributions write in `License` (and apk in `L:`), and
/// spellings of them that are not ambiguous. Matched without case.
const IDS: &[(&str, &str)] = &[
    ("0BSD", "0BSD"),
    ("AGPL-3.0-only", "AGPL-3.0-only"),
    ("AGPL-3.0-or-later", "AGPL-3.0-or-later"),
    ("Apache-2.0", "Apache-2.0"),
    ("Apache 2.0", "Apache-2.0"),
    ("Apache License 2.0", "Apache-2.0"),
    ("Apache License, Version 2.0", "Apache-2.0"),
    ("Apache Software License 2.0", "Apache-2.0"),
    ("Artistic-2.0", "Artistic-2.0"),
    ("BSD-2-Clause", "BSD-2-Clause"),
    ("BSD-3-Clause", "BSD-3-Clause"),
    ("BSL-1.0", "BSL-1.0"),
    ("CC0-1.0", "CC0-1.0"),
    ("EPL-2.0", "EPL-2.0"),
    ("GPL-2.0-only", "GPL-2.0-only"),
    ("GPL-2.0-or-later", "GPL-2.0-or-later"),
    ("GPL-3.0-only", "GPL-3.0-only"),
    ("GPL-3.0-or-later", "GPL-3.0-or-later"),
    ("ISC", "ISC"),
    ("LGPL-2.1-only", "LGPL-2.1-only"),
    ("LGPL-2.1-or-later", "LGPL-2.1-or-later"),
    ("LGPL-3.0-only", "LGPL-3.0-only"),
    ("LGPL-3.0-or-later", "LGPL-3.0-or-later"),
    ("MIT", "MIT"),
    ("MIT License", "MIT"),
    ("MIT-0", "MIT-0"),
    ("MPL-2.0", "MPL-2.0"),
    ("OpenSSL", "OpenSSL"),
    ("PSF-2.0", "PSF-2.0"),
    ("Python-2.0", "Python-2.0"),
    ("Unlicense", "Unlicense"),
    ("UPL-1.0", "UPL-1.0"),
    ("Zlib", "Zlib"),
];

/// Trove classifiers (after `License :: `) that name exactly one SPDX id.
/// "BSD License", "Apache Software License" and "GNU Lesser General Public
/// License v2" are left out: each covers several licenses.
const CLASSIFIERS: &[(&str, &str)] = &[
    ("OSI Approved :: MIT License", "MIT"),
    (
        "OSI Approved :: MIT No Attribution License (MIT-0)",
        "MIT-0",
    ),
    ("OSI Approved :: ISC License (ISCL)", "ISC"),
    (
        "OSI Approved :: Python Software Foundation License",
        "PSF-2.0",
    ),
    (
        "OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)",
        "MPL-2.0",
    ),
    (
        "OSI Approved :: GNU General Public License v2 (GPLv2)",
        "GPL-2.0-only",
    ),
    (
        "OSI Approved :: GNU General Public License v2 or later (GPLv2+)",
        "GPL-2.0-or-later",
    ),
    (
        "OSI Approved :: GNU General Public License v3 (GPLv3)",
        "GPL-3.0-only",
    ),
    (
        "OSI Approved :: GNU General Public License v3 or later (GPLv3+)",
        "GPL-3.0-or-later",
    ),
    (
        "OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)",
        "LGPL-3.0-only",
    ),
    (
        "OSI Approved :: GNU Lesser General Public License v3 or later (LGPLv3+)",
        "LGPL-3.0-or-later",
    ),
    (
        "OSI Approved :: GNU Affero General Public License v3",
        "AGPL-3.0-only",
    ),
    (
        "OSI Approved :: GNU Affero General Public License v3 or later (AGPLv3+)",
        "AGPL-3.0-or-later",
    ),
    ("OSI Approved :: The Unlicense (Unlicense)", "Unlicense"),
    ("OSI Approved :: zlib/libpng License", "Zlib"),
    (
        "OSI Approved :: Boost Software License 1.0 (BSL-1.0)",
        "BSL-1.0",
    ),
    (
        "OSI Approved :: Eclipse Public License 2.0 (EPL-2.0)",
        "EPL-2.0",
    ),
    (
        "OSI Approved :: Universal Permissive License (UPL)",
        "UPL-1.0",
    ),
    (
        "CC0 1.0 Universal (CC0 1.0) Public Domain Dedication",
        "CC0-1.0",
    ),
];

/// The license a METADATA (or PKG-INFO) declares.
pub fn from_metadata(text: &str) -> License {
    let mut expression = None;
    let mut field = None;
    let mut classified = Vec::new();
    for header in headers(text) {
        match header.name.to_ascii_lowercase().as_str() {
            "license-expression" => expression = Some(header.value),
            "license" => field = Some(header.value),
            "classifier" => {
                if let Some(rest) = header.value.strip_prefix("License :: ") {
                    classified.push(
                        CLASSIFIERS
                            .iter()
                            .find(|(c, _)| *c == rest.trim())
                            .map(|(_, id)| *id),
                    );
                }
            }
            _ => {}
        }
    }
    // PEP 639 makes the expression authoritative, and valid SPDX by rule.
    if let Some(expression) = expression.filter(|e| expression_shaped(e)) {
        return License::Spdx(expression);
    }
    let field = field
        .map(|f| f.trim().to_string())
        .filter(|f| !f.is_empty() && f != "UNKNOWN");
    if let Some(id) = field.as_deref().and_then(known_id) {
        return License::Spdx(id.to_string());
    }
    // Several classifiers may mean "either" or "both": only one id is certain.
    if let [Some(id)] = classified.as_slice() {
        return License::Spdx((*id).to_string());
    }
    match field {
        Some(text) => License::Text(text),
        None => License::NoAssertion,
    }
}

/// An apk `L:` field: an expression of known ids, else the text.
pub fn from_package_field(value: &str) -> License {
    let value = value.trim();
    if value.is_empty() {
        return License::NoAssertion;
    }
    let known = expression_shaped(value)
        && value
            .split([' ', '(', ')'])
            .filter(|t| !t.is_empty() && !matches!(*t, "AND" | "OR" | "WITH"))
            .all(|t| IDS.iter().any(|(spelling, id)| spelling == id && *id == t));
    if known {
        License::Spdx(value.to_string())
    } else {
        License::Text(value.to_string())
    }
}

fn known_id(value: &str) -> Option<&'static str> {
    IDS.iter()
        .find(|(spelling, _)| spelling.eq_ignore_ascii_case(value))
        .map(|(_, id)| *id)
}

/// The characters of SPDX expression syntax, with balanced parentheses: not
/// a full parse, but enough that a sentence is never passed off as one.
fn expression_shaped(value: &str) -> bool {
    let mut depth: i32 = 0;
    for c in value.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            c if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | ':' | ' ') => {}
            _ => return false,
        }
        if depth < 0 {
            return false;
        }
    }
    depth == 0 && !value.trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(lines: &str) -> String {
        format!("Metadata-Version: 2.4\nName: x\nVersion: 1\n{lines}\n\nbody: License: MIT\n")
    }

    #[test]
    fn the_pep_639_expression_wins() {
        let text = meta("License-Expression: MIT OR Apache-2.0\nLicense: BSD\nClassifier: License :: OSI Approved :: ISC License (ISCL)");
        assert_eq!(
            from_metadata(&text),
            License::Spdx("MIT OR Apache-2.0".into())
        );
    }

    #[test]
    fn a_license_field_that_names_an_id_is_taken_in_its_spdx_case() {
        assert_eq!(
            from_metadata(&meta("License: mit")),
            License::Spdx("MIT".into())
        );
        assert_eq!(
            from_metadata(&meta("License: Apache License, Version 2.0")),
            License::Spdx("Apache-2.0".into())
        );
    }

    #[test]
    fn one_unambiguous_classifier_gives_its_id() {
        let text = meta("License: Copyright someone\n  all rights\nClassifier: License :: OSI Approved :: MIT License\nClassifier: Programming Language :: Python");
        assert_eq!(from_metadata(&text), License::Spdx("MIT".into()));
    }

    #[test]
    fn ambiguous_or_several_classifiers_leave_the_text() {
        let bsd = meta("License: BSD\nClassifier: License :: OSI Approved :: BSD License");
        assert_eq!(from_metadata(&bsd), License::Text("BSD".into()));
        let two = meta("Classifier: License :: OSI Approved :: MIT License\nClassifier: License :: OSI Approved :: GNU General Public License v3 (GPLv3)");
        assert_eq!(from_metadata(&two), License::NoAssertion);
    }

    #[test]
    fn nothing_declared_is_no_assertion_and_the_body_is_not_read() {
        assert_eq!(from_metadata(&meta("Summary: s")), License::NoAssertion);
        assert_eq!(
            from_metadata(&meta("License: UNKNOWN")),
            License::NoAssertion
        );
    }

    #[test]
    fn a_sentence_in_license_expression_is_not_an_expression() {
        let text = meta("License-Expression: see LICENSE, please");
        assert_eq!(from_metadata(&text), License::NoAssertion);
        assert!(!expression_shaped("MIT)"));
        assert!(expression_shaped(
            "(MIT OR Apache-2.0) AND GPL-2.0-or-later WITH Classpath-exception-2.0"
        ));
    }

    #[test]
    fn apk_fields_of_known_ids_are_expressions() {
        assert_eq!(
            from_package_field("MIT AND BSD-3-Clause"),
            License::Spdx("MIT AND BSD-3-Clause".into())
        );
        assert_eq!(from_package_field("custom"), License::Text("custom".into()));
        assert_eq!(from_package_field(""), License::NoAssertion);
    }
}
