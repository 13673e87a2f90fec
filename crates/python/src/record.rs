//! RECORD files (the wheel spec, after PEP 376): one CSV row per installed
//! file, `path,algorithm=urlsafe-base64-digest,size`, read as Python's `csv`
//! module reads them and written in a fixed order.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use pycontainer_digest::Digest;

/// One row. RECORD's own row, and rows for files that sign it, have no hash and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordEntry {
    pub path: String,
    pub hash: Option<RecordHash>,
    pub size: Option<u64>,
}

/// `algorithm=value` as written; which algorithms are acceptable is the installer's rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordHash {
    pub algorithm: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("RECORD line {line}: {reason}")]
    Csv { line: usize, reason: &'static str },
    #[error("RECORD line {line}: expected 3 fields (path, hash, size), found {found}")]
    Fields { line: usize, found: usize },
    #[error("RECORD line {line}: hash {value:?} is not of the form algorithm=value")]
    Hash { line: usize, value: String },
    #[error("RECORD line {line}: size {value:?} is not a whole number of bytes")]
    Size { line: usize, value: String },
    #[error("RECORD line {line}: an empty path")]
    EmptyPath { line: usize },
    #[error("RECORD hash {value:?} is not sha256= followed by 43 URL-safe base64 characters")]
    Sha256 { value: String },
}

impl RecordHash {
    pub fn sha256(digest: &Digest) -> Self {
        RecordHash {
            algorithm: "sha256".to_owned(),
            value: URL_SAFE_NO_PAD.encode(digest_bytes(digest)),
        }
    }

    /// The digest this hash names, when it is a well-formed sha256.
    pub fn to_digest(&self) -> Result<Digest, RecordError> {
        let invalid = || RecordError::Sha256 {
            value: self.to_string(),
        };
        if self.algorithm != "sha256" {
            return Err(invalid());
        }
        // The spec says no padding; tolerating it costs nothing and is unambiguous.
        let bytes = URL_SAFE_NO_PAD
            .decode(self.value.trim_end_matches('='))
            .map_err(|_| invalid())?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| invalid())?;
        Ok(Digest::from_bytes(bytes))
    }
}

impl fmt::Display for RecordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.algorithm, self.value)
    }
}

fn digest_bytes(digest: &Digest) -> [u8; 32] {
    let mut bytes = [0; 32];
    let hex = digest.hex().as_bytes();
    for (byte, pair) in bytes.iter_mut().zip(hex.chunks_exact(2)) {
        *byte = pair.iter().fold(0, |acc, &c| acc << 4 | hex_value(c));
    }
    bytes
}

/// A `Digest` holds only lowercase hex digits, so every byte maps.
fn hex_value(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        _ => c - b'a' + 10,
    }
}

/// Parses RECORD text. Blank lines are skipped, as Python's `csv` yields them empty.
pub fn parse(text: &str) -> Result<Vec<RecordEntry>, RecordError> {
    rows(text)?
        .into_iter()
        .map(|(line, fields)| entry(line, fields))
        .collect()
}

fn entry(line: usize, fields: Vec<String>) -> Result<RecordEntry, RecordError> {
    let [path, hash, size]: [String; 3] =
        fields
            .try_into()
            .map_err(|fields: Vec<String>| RecordError::Fields {
                line,
                found: fields.len(),
            })?;
    if path.is_empty() {
        return Err(RecordError::EmptyPath { line });
    }
    let hash = match hash.split_once('=') {
        _ if hash.is_empty() => None,
        Some((algorithm, value)) if !algorithm.is_empty() && !value.is_empty() => {
            Some(RecordHash {
                algorithm: algorithm.to_owned(),
                value: value.to_owned(),
            })
        }
        _ => return Err(RecordError::Hash { line, value: hash }),
    };
    let size = match size.as_str() {
        "" => None,
        digits if digits.bytes().all(|b| b.is_ascii_digit()) => {
            Some(digits.parse().map_err(|_| RecordError::Size {
                line,
                value: size.clone(),
            })?)
        }
        _ => return Err(RecordError::Size { line, value: size }),
    };
    Ok(RecordEntry { path, hash, size })
}

/// Splits CSV text (comma, double quotes doubled inside quoted fields, which
/// may span lines) into rows, each with the line it starts on.
fn rows(text: &str) -> Result<Vec<(usize, Vec<String>)>, RecordError> {
    let mut rows = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while chars.peek().is_some() {
        let start = line;
        let mut fields = Vec::new();
        loop {
            let (field, end) = field(&mut chars, &mut line, start)?;
            fields.push(field);
            if end != Some(',') {
                break;
            }
        }
        let blank = fields.len() == 1 && fields.first().is_some_and(String::is_empty);
        if !blank {
            rows.push((start, fields));
        }
    }
    Ok(rows)
}

/// Reads one field; returns it and what ended it (`,`, a newline, or the end).
fn field(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    line: &mut usize,
    start: usize,
) -> Result<(String, Option<char>), RecordError> {
    let mut value = String::new();
    if chars.peek() == Some(&'"') {
        chars.next();
        loop {
            match chars.next() {
                None => {
                    return Err(RecordError::Csv {
                        line: start,
                        reason: "a quoted field is never closed",
                    })
                }
                Some('"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    value.push('"');
                }
                Some('"') => break,
                Some(c) => {
                    *line += usize::from(c == '\n');
                    value.push(c);
                }
            }
        }
        return match end_of_field(chars, line) {
            Some(Some(c)) => Ok((value, Some(c))),
            Some(None) => Ok((value, None)),
            None => Err(RecordError::Csv {
                line: start,
                reason: "text follows a closing quote",
            }),
        };
    }
    loop {
        match end_of_field(chars, line) {
            Some(end) => return Ok((value, end)),
            None => value.extend(chars.next()),
        }
    }
}

/// Consumes a field's end if one is next: `Some(Some(','))`, `Some(Some('\n'))`
/// for any line ending, `Some(None)` at the end of the text; `None` otherwise.
fn end_of_field(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    line: &mut usize,
) -> Option<Option<char>> {
    match chars.peek().copied() {
        None => Some(None),
        Some(',') => {
            chars.next();
            Some(Some(','))
        }
        Some('\r') | Some('\n') => {
            if chars.next() == Some('\r') && chars.peek() == Some(&'\n') {
                chars.next();
            }
            *line += 1;
            Some(Some('\n'))
        }
        Some(_) => None,
    }
}

/// Writes RECORD text: rows sorted by path (pip sorts too; the order
/// files were installed in means nothing here), `\n` line ends, fields
/// quoted only when they hold a comma, a quote or a line break.
pub fn write(entries: &[RecordEntry]) -> String {
    let mut sorted: Vec<&RecordEntry> = entries.iter().collect();
    pycontainer_sort::sort_by(&mut sorted, |a, b| a.path.cmp(&b.path));
    let mut out = String::new();
    for e in sorted {
        let hash = e
            .hash
            .as_ref()
            .map(RecordHash::to_string)
            .unwrap_or_default();
        let size = e.size.map(|s| s.to_string()).unwrap_or_default();
        out.push_str(&quote(&e.path));
        out.push(',');
        out.push_str(&quote(&hash));
        out.push(',');
        out.push_str(&size);
        out.push('\n');
    }
    out
}

fn quote(field: &str) -> String {
    if field.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pycontainer_digest::Sha256;

    /// six 1.17.0's RECORD, as published on PyPI.
    const SIX_RECORD: &str = "\
six.py,sha256=xRyR9wPT1LNpbJI8tf7CE-BeddkhU5O--sfy-mo5BN8,34703
six-1.17.0.dist-info/LICENSE,sha256=Q3W6IOK5xsTnytKUCmKP2Q6VzD1Q7pKq51VxXYuh-9A,1066
six-1.17.0.dist-info/METADATA,sha256=ViBCB4wnUlSfbYp8htvF3XCAiKe-bYBnLsewcQC3JGg,1658
six-1.17.0.dist-info/WHEEL,sha256=pxeNX5JdtCe58PUSYP9upmc7jdRPgvT0Gm9kb1SHlVw,109
six-1.17.0.dist-info/top_level.txt,sha256=_iVH_iYEtEXnD8nYGQYpYFUvkUW9sEO1GYbkeKSAais,4
six-1.17.0.dist-info/RECORD,,
";

    #[test]
    fn a_real_record_parses() {
        let entries = parse(SIX_RECORD).unwrap();
        assert_eq!(entries.len(), 6);
        assert_eq!(entries[0].path, "six.py");
        assert_eq!(entries[0].size, Some(34703));
        let hash = entries[0].hash.as_ref().unwrap();
        assert_eq!(hash.algorithm, "sha256");
        assert_eq!(hash.value, "xRyR9wPT1LNpbJI8tf7CE-BeddkhU5O--sfy-mo5BN8");
        assert_eq!(
            entries[5],
            RecordEntry {
                path: "six-1.17.0.dist-info/RECORD".into(),
                hash: None,
                size: None
            }
        );
    }

    #[test]
    fn hashes_convert_both_ways_with_digests() {
        // "top_level.txt" of six holds "six\n".
        let digest = Digest::of(Sha256::portable(), b"six\n");
        let hash = RecordHash::sha256(&digest);
        assert_eq!(
            hash.to_string(),
            "sha256=_iVH_iYEtEXnD8nYGQYpYFUvkUW9sEO1GYbkeKSAais"
        );
        assert_eq!(hash.to_digest(), Ok(digest.clone()));
        let padded = RecordHash {
            value: format!("{}=", hash.value),
            ..hash.clone()
        };
        assert_eq!(padded.to_digest(), Ok(digest));
        for (algorithm, value) in [
            ("md5", hash.value.as_str()),
            ("sha256", "short"),
            ("sha256", "xRyR9wPT1LNpbJI8tf7CE+BeddkhU5O//sfy/mo5BN8"),
        ] {
            let bad = RecordHash {
                algorithm: algorithm.into(),
                value: value.into(),
            };
            assert!(bad.to_digest().is_err(), "{bad}");
        }
    }

    #[test]
    fn quoted_fields_may_hold_commas_quotes_and_newlines() {
        let text = "\"a,b.py\",sha256=x,1\r\n\"say \"\"hi\"\".txt\",,\n\"two\nlines\",,\n\nlast,,";
        let entries = parse(text).unwrap();
        let paths: Vec<_> = entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["a,b.py", "say \"hi\".txt", "two\nlines", "last"]);
        assert_eq!(parse(&write(&entries)).unwrap(), {
            let mut sorted = entries.clone();
            pycontainer_sort::sort_by(&mut sorted, |a, b| a.path.cmp(&b.path));
            sorted
        });
    }

    #[test]
    fn malformed_rows_name_their_line() {
        let cases = [
            (
                "a.py,,\nb.py,sha256=x\n",
                "RECORD line 2: expected 3 fields (path, hash, size), found 2",
            ),
            (
                "a.py,,\n\nc.py,sha256,1\n",
                "RECORD line 3: hash \"sha256\" is not of the form algorithm=value",
            ),
            (
                "a.py,sha256=x,-1\n",
                "RECORD line 1: size \"-1\" is not a whole number of bytes",
            ),
            (
                "a.py,,\n\"b.py,,\n",
                "RECORD line 2: a quoted field is never closed",
            ),
            (
                "\"a\"b.py,,\n",
                "RECORD line 1: text follows a closing quote",
            ),
            (",sha256=x,1\n", "RECORD line 1: an empty path"),
            (
                "a.py,,,\n",
                "RECORD line 1: expected 3 fields (path, hash, size), found 4",
            ),
        ];
        for (text, message) in cases {
            assert_eq!(parse(text).unwrap_err().to_string(), message, "{text:?}");
        }
    }

    #[test]
    fn writing_sorts_by_path_and_quotes_only_when_needed() {
        let entries = [
            RecordEntry {
                path: "z.py".into(),
                hash: Some(RecordHash {
                    algorithm: "sha256".into(),
                    value: "abc".into(),
                }),
                size: Some(3),
            },
            RecordEntry {
                path: "a,1.dist-info/RECORD".into(),
                hash: None,
                size: None,
            },
        ];
        assert_eq!(
            write(&entries),
            "\"a,1.dist-info/RECORD\",,\nz.py,sha256=abc,3\n"
        );
    }
}
