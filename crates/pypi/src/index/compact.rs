//! A project page in a compact binary form, for keeping pages already
//! parsed: reading pydantic-core's 15,000 files back from it costs a
//! fraction of parsing its 7 MB of JSON again. The form is private to this
//! crate's version (a magic string says which); anything that does not
//! read back exactly is refused, and the caller parses the page again.

use std::collections::BTreeMap;

use super::{Hashes, ProjectFile, ProjectPage};
use pycontainer_python::pep440::SpecifierSet;

const MAGIC: &[u8; 8] = b"PYCPAGE1";

const REQUIRES_PYTHON: u8 = 1;
const YANKED: u8 = 2;
const CORE_METADATA: u8 = 4;
const SIZE: u8 = 8;

/// The page in the compact form.
pub fn encode(page: &ProjectPage) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    put_len(&mut out, page.files.len());
    for f in &page.files {
        put_str(&mut out, &f.filename);
        put_str(&mut out, &f.url);
        put_hashes(&mut out, &f.hashes);
        let flags = [
            (f.requires_python.is_some(), REQUIRES_PYTHON),
            (f.yanked.is_some(), YANKED),
            (f.core_metadata.is_some(), CORE_METADATA),
            (f.size.is_some(), SIZE),
        ]
        .iter()
        .filter(|(set, _)| *set)
        .fold(0, |all, (_, bit)| all | bit);
        out.push(flags);
        if let Some(set) = &f.requires_python {
            put_str(&mut out, &set.to_string());
        }
        if let Some(reason) = &f.yanked {
            put_str(&mut out, reason);
        }
        if let Some(hashes) = &f.core_metadata {
            put_hashes(&mut out, hashes);
        }
        if let Some(size) = f.size {
            out.extend_from_slice(&size.to_le_bytes());
        }
    }
    out
}

/// The page [`encode`] wrote; `None` for anything else, cut short, or
/// holding a `requires-python` that does not read back as it was written.
pub fn decode(bytes: &[u8]) -> Option<ProjectPage> {
    let mut r = Reader {
        rest: bytes.strip_prefix(MAGIC)?,
    };
    let count = r.len()?;
    // Each file takes at least 13 bytes: no count can claim more than that.
    let mut files = Vec::with_capacity(count.min(r.rest.len() / 13));
    // A page's thousands of files share a handful of texts.
    let mut parsed: BTreeMap<&str, SpecifierSet> = BTreeMap::new();
    for _ in 0..count {
        let filename = r.str()?.to_owned();
        let url = r.str()?.to_owned();
        let hashes = r.hashes()?;
        let flags = r.byte()?;
        if flags & !(REQUIRES_PYTHON | YANKED | CORE_METADATA | SIZE) != 0 {
            return None;
        }
        let requires_python = match flags & REQUIRES_PYTHON {
            0 => None,
            _ => {
                let text = r.str()?;
                match parsed.get(text) {
                    Some(set) => Some(set.clone()),
                    None => {
                        let set: SpecifierSet = text.parse().ok()?;
                        if set.to_string() != text {
                            return None;
                        }
                        parsed.insert(text, set.clone());
                        Some(set)
                    }
                }
            }
        };
        let yanked = match flags & YANKED {
            0 => None,
            _ => Some(r.str()?.to_owned()),
        };
        let core_metadata = match flags & CORE_METADATA {
            0 => None,
            _ => Some(r.hashes()?),
        };
        let size = match flags & SIZE {
            0 => None,
            _ => Some(r.u64()?),
        };
        files.push(ProjectFile {
            filename,
            url,
            hashes,
            requires_python,
            yanked,
            core_metadata,
            size,
        });
    }
    r.rest.is_empty().then_some(ProjectPage { files })
}

fn put_len(out: &mut Vec<u8>, len: usize) {
    // Pages and their strings are far below 4 GiB; a longer one would not
    // read back, and the page is then parsed again.
    out.extend_from_slice(&u32::try_from(len).unwrap_or(u32::MAX).to_le_bytes());
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_len(out, s.len());
    out.extend_from_slice(s.as_bytes());
}

fn put_hashes(out: &mut Vec<u8>, hashes: &Hashes) {
    put_len(out, hashes.len());
    for (alg, hex) in hashes {
        put_str(out, alg);
        put_str(out, hex);
    }
}

struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.rest.split_at_checked(n)?;
        self.rest = rest;
        Some(head)
    }

    fn byte(&mut self) -> Option<u8> {
        self.take(1)?.first().copied()
    }

    fn len(&mut self) -> Option<usize> {
        let bytes = self.take(4)?.try_into().ok()?;
        usize::try_from(u32::from_le_bytes(bytes)).ok()
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn str(&mut self) -> Option<&'a str> {
        let len = self.len()?;
        std::str::from_utf8(self.take(len)?).ok()
    }

    fn hashes(&mut self) -> Option<Hashes> {
        let count = self.len()?;
        let mut hashes = Vec::with_capacity(count.min(self.rest.len() / 8));
        for _ in 0..count {
            hashes.push((self.str()?.to_owned(), self.str()?.to_owned()));
        }
        Some(hashes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::parse_project;

    const STARLETTE_JSON: &str = include_str!("../../../../tests/fixtures/index/starlette.json");

    fn starlette() -> ProjectPage {
        parse_project(
            STARLETTE_JSON.as_bytes(),
            Some("application/vnd.pypi.simple.v1+json"),
            "https://pypi.org/simple/starlette/",
        )
        .unwrap()
    }

    #[test]
    fn a_page_reads_back_as_it_was() {
        let mut page = starlette();
        // Every field in both states, whatever the fixture holds.
        page.files[0].yanked = Some("broken".to_owned());
        page.files[0].core_metadata = Some(vec![("sha256".to_owned(), "ab".repeat(32))]);
        page.files[1].core_metadata = Some(Vec::new());
        page.files[1].requires_python = Some(">=3.8, !=3.9.*, <4".parse().unwrap());
        page.files[2].size = None;
        page.files[2].hashes.clear();
        let bytes = encode(&page);
        assert_eq!(decode(&bytes), Some(page));
        assert_eq!(
            decode(&encode(&ProjectPage { files: Vec::new() }))
                .unwrap()
                .files,
            []
        );
    }

    #[test]
    fn anything_else_is_refused_without_a_panic() {
        let bytes = encode(&starlette());
        for cut in [0, 4, 8, 12, 100, bytes.len() / 2, bytes.len() - 1] {
            assert_eq!(decode(&bytes[..cut]), None, "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(decode(&longer), None);
        let mut other = bytes.clone();
        other[7] = b'2';
        assert_eq!(decode(&other), None);
        // A flag this form does not have.
        let mut file = ProjectFile::new("x-1.0.tar.gz", "https://files.example/x-1.0.tar.gz");
        file.size = Some(5);
        let mut flagged = encode(&ProjectPage { files: vec![file] });
        let flags_at = flagged.len() - 1 - 8;
        flagged[flags_at] |= 0x10;
        assert_eq!(decode(&flagged), None);
        // A count that claims more files than there are bytes.
        let mut huge = MAGIC.to_vec();
        huge.extend_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(decode(&huge), None);
    }

    #[test]
    fn a_requires_python_that_does_not_read_back_the_same_is_refused() {
        let mut file = ProjectFile::new("x-1.0.tar.gz", "https://files.example/x-1.0.tar.gz");
        file.size = Some(5);
        let mut bytes = encode(&ProjectPage { files: vec![file] });
        // Rewrite the flags byte and append a non-canonical text by hand.
        let flags_at = bytes.len() - 1 - 8;
        bytes[flags_at] |= REQUIRES_PYTHON;
        let size = bytes.split_off(flags_at + 1);
        put_str(&mut bytes, ">=3.8 ,<4");
        bytes.extend_from_slice(&size);
        assert_eq!(decode(&bytes), None);
    }
}
