//! Reads a tar stream pushed in pieces, so that a base layer can be looked
//! into while it streams through gunzip, never held whole.

use crate::tar::{padding, BLOCK};

#[derive(Debug, thiserror::Error)]
#[error("invalid tar stream: {0}")]
pub struct UntarError(pub String);

/// What an entry is, as far as a reader of base layers cares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    Symlink(String),
    Hardlink(String),
    Other,
}

/// One entry's header, with PAX and GNU long names applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// As stored, without a leading `./` or `/` and without a trailing `/`.
    pub path: String,
    pub kind: Kind,
    pub size: u64,
}

/// What an OCI layer's whiteout entry takes away from the layers below.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Whiteout<'a> {
    /// `DIR/.wh..wh..opq`: everything under DIR (`""` at the top), not DIR itself.
    Opaque(&'a str),
    /// `DIR/.wh.NAME`: DIR/NAME and everything under it.
    Removed(String),
}

impl Header {
    /// The whiteout this entry is, if it is one (the OCI image spec's
    /// "Whiteouts"); such an entry is never a file of the image.
    pub fn whiteout(&self) -> Option<Whiteout<'_>> {
        let (dir, name) = self.path.rsplit_once('/').unwrap_or(("", &self.path));
        if name == ".wh..wh..opq" {
            return Some(Whiteout::Opaque(dir));
        }
        let hidden = name.strip_prefix(".wh.")?;
        Some(Whiteout::Removed(if dir.is_empty() {
            hidden.to_owned()
        } else {
            format!("{dir}/{hidden}")
        }))
    }
}

/// The reader's decision for an entry's data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Want {
    Skip,
    /// Hand the data to `Visitor::data`, at most this many bytes of it.
    Data {
        limit: u64,
    },
}

pub trait Visitor {
    fn entry(&mut self, header: &Header) -> Want;
    /// A piece of the data of the last entry that was wanted.
    fn data(&mut self, bytes: &[u8]);
}

enum State {
    Header,
    /// Data of an ordinary entry: `left` bytes, the first `keep` handed on.
    Data {
        left: u64,
        keep: u64,
        pad: usize,
    },
    /// The body of a PAX or GNU long-name record, gathered whole.
    Meta {
        kind: u8,
        left: u64,
        pad: usize,
    },
    End,
}

/// Overrides that a PAX header or a GNU `L`/`K` record sets for the next entry.
#[derive(Default)]
struct Pending {
    path: Option<String>,
    link: Option<String>,
    size: Option<u64>,
}

/// Feed bytes with `push`; the visitor sees each entry in order.
pub struct Untar {
    state: State,
    block: Vec<u8>,
    meta: Vec<u8>,
    pending: Pending,
}

/// PAX and long-name records are small; anything larger is not a tar we want.
const MAX_META: u64 = 1 << 20;

impl Default for Untar {
    fn default() -> Self {
        Untar {
            state: State::Header,
            block: Vec::with_capacity(BLOCK),
            meta: Vec::new(),
            pending: Pending::default(),
        }
    }
}

impl Untar {
    pub fn push(&mut self, mut input: &[u8], visitor: &mut dyn Visitor) -> Result<(), UntarError> {
        while !input.is_empty() {
            match &mut self.state {
                State::End => return Ok(()),
                State::Header => {
                    let take = (BLOCK - self.block.len()).min(input.len());
                    self.block.extend_from_slice(&input[..take]);
                    input = &input[take..];
                    if self.block.len() == BLOCK {
                        let block = std::mem::take(&mut self.block);
                        self.header(&block, visitor)?;
                    }
                }
                State::Data { left, keep, pad } => {
                    if *left == 0 {
                        let skip = (*pad).min(input.len());
                        input = &input[skip..];
                        *pad -= skip;
                        if *pad == 0 {
                            self.state = State::Header;
                        }
                        continue;
                    }
                    let take = (*left).min(input.len() as u64) as usize;
                    let handed = (*keep).min(take as u64) as usize;
                    if handed > 0 {
                        visitor.data(&input[..handed]);
                        *keep -= handed as u64;
                    }
                    *left -= take as u64;
                    input = &input[take..];
                }
                State::Meta { kind, left, pad } => {
                    if *left == 0 {
                        let skip = (*pad).min(input.len());
                        input = &input[skip..];
                        *pad -= skip;
                        if *pad == 0 {
                            let kind = *kind;
                            let meta = std::mem::take(&mut self.meta);
                            self.apply_meta(kind, &meta)?;
                            self.state = State::Header;
                        }
                        continue;
                    }
                    let take = (*left).min(input.len() as u64) as usize;
                    self.meta.extend_from_slice(&input[..take]);
                    *left -= take as u64;
                    input = &input[take..];
                }
            }
        }
        Ok(())
    }

    fn header(&mut self, block: &[u8], visitor: &mut dyn Visitor) -> Result<(), UntarError> {
        if block.iter().all(|&b| b == 0) {
            // One zero block is enough to stop: what follows is padding.
            self.state = State::End;
            return Ok(());
        }
        let h = tar::Header::from_byte_slice(block);
        check_sum(h, block)?;
        let stored = h
            .entry_size()
            .map_err(|e| UntarError(format!("entry size: {e}")))?;
        let kind_byte = block[156];
        if matches!(kind_byte, b'x' | b'g' | b'L' | b'K') {
            if stored > MAX_META {
                return Err(UntarError(format!(
                    "a {stored}-byte extended header is larger than any real one"
                )));
            }
            self.meta.clear();
            self.state = State::Meta {
                kind: kind_byte,
                left: stored,
                pad: padding(stored),
            };
            return self.empty_meta_done();
        }
        let pending = std::mem::take(&mut self.pending);
        let raw_path = match pending.path {
            Some(p) => p,
            None => String::from_utf8_lossy(&h.path_bytes()).into_owned(),
        };
        let link = || match &pending.link {
            Some(l) => l.clone(),
            None => h
                .link_name_bytes()
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default(),
        };
        let kind = match kind_byte {
            b'0' | 0 | b'7' => Kind::File,
            b'5' => Kind::Dir,
            b'2' => Kind::Symlink(link()),
            b'1' => Kind::Hardlink(link()),
            _ => Kind::Other,
        };
        let size = pending.size.unwrap_or(stored);
        let header = Header {
            path: clean(&raw_path),
            kind,
            size,
        };
        // Only regular files carry data; a size on anything else is ignored
        // by readers, so it is skipped here too.
        let data = if matches!(header.kind, Kind::File) {
            size
        } else {
            0
        };
        let keep = match visitor.entry(&header) {
            Want::Data { limit } => limit.min(data),
            Want::Skip => 0,
        };
        self.state = State::Data {
            left: data,
            keep,
            pad: padding(data),
        };
        if data == 0 {
            self.state = State::Header;
        }
        Ok(())
    }

    /// Says whether the stream ended where a tar may end: at the
    /// end-of-archive blocks or between entries, not inside one.
    pub fn finish(&self) -> Result<(), UntarError> {
        match &self.state {
            State::End => Ok(()),
            State::Header if self.block.is_empty() => Ok(()),
            State::Header => Err(UntarError("the stream ends inside a header".to_owned())),
            State::Data { .. } | State::Meta { .. } => Err(UntarError(
                "the stream ends inside an entry's data".to_owned(),
            )),
        }
    }

    /// A zero-length extended header ends at once.
    fn empty_meta_done(&mut self) -> Result<(), UntarError> {
        if let State::Meta { kind, left: 0, .. } = self.state {
            self.apply_meta(kind, &[])?;
            self.state = State::Header;
        }
        Ok(())
    }

    fn apply_meta(&mut self, kind: u8, meta: &[u8]) -> Result<(), UntarError> {
        match kind {
            b'x' => {
                for (key, value) in pax_records(meta)? {
                    match key {
                        "path" => self.pending.path = Some(value.to_owned()),
                        "linkpath" => self.pending.link = Some(value.to_owned()),
                        "size" => {
                            let size = value.parse().map_err(|_| {
                                UntarError(format!("PAX size {value:?} is not a number"))
                            })?;
                            self.pending.size = Some(size);
                        }
                        _ => {}
                    }
                }
            }
            b'L' => self.pending.path = Some(c_string(meta)),
            b'K' => self.pending.link = Some(c_string(meta)),
            // Global PAX headers set defaults no layer reader relies on.
            _ => {}
        }
        Ok(())
    }
}

/// A header whose checksum does not add up is not a header: bytes that
/// are no tar at all, or a tar damaged in between. The sum counts the
/// checksum field as spaces, unsigned as POSIX says or signed as old tars did.
fn check_sum(h: &tar::Header, block: &[u8]) -> Result<(), UntarError> {
    let stored = h
        .cksum()
        .map_err(|_| UntarError("a header's checksum field is not a number".to_owned()))?;
    let field = 148..156;
    let spaces = 8 * u32::from(b' ');
    let unsigned: u32 = block
        .iter()
        .enumerate()
        .filter(|(i, _)| !field.contains(i))
        .map(|(_, &b)| u32::from(b))
        .sum::<u32>()
        + spaces;
    let signed: i64 = block
        .iter()
        .enumerate()
        .filter(|(i, _)| !field.contains(i))
        .map(|(_, &b)| i64::from(b as i8))
        .sum::<i64>()
        + i64::from(spaces);
    if stored == unsigned || i64::from(stored) == signed {
        return Ok(());
    }
    Err(UntarError(format!(
        "a header's checksum is {stored}, but its bytes sum to {unsigned}"
    )))
}

/// `"%d %s=%s\n"` records, each length counting the whole record.
fn pax_records(mut meta: &[u8]) -> Result<Vec<(&str, &str)>, UntarError> {
    let mut out = Vec::new();
    while !meta.is_empty() {
        let bad = || UntarError("malformed PAX record".to_owned());
        let space = meta.iter().position(|&b| b == b' ').ok_or_else(bad)?;
        let len: usize = std::str::from_utf8(&meta[..space])
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(bad)?;
        let record = meta.get(space + 1..len).ok_or_else(bad)?;
        let record = record.strip_suffix(b"\n").ok_or_else(bad)?;
        let text = std::str::from_utf8(record).map_err(|_| bad())?;
        let (key, value) = text.split_once('=').ok_or_else(bad)?;
        out.push((key, value));
        meta = &meta[len..];
    }
    Ok(out)
}

fn c_string(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

fn clean(path: &str) -> String {
    let p = path.trim_start_matches("./").trim_start_matches('/');
    p.trim_end_matches('/').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::Entry;
    use crate::tar::{header, END_OF_ARCHIVE};

    #[derive(Default)]
    struct Seen {
        entries: Vec<Header>,
        data: Vec<u8>,
    }

    impl Visitor for Seen {
        fn entry(&mut self, h: &Header) -> Want {
            self.entries.push(h.clone());
            if h.path.ends_with("status") {
                Want::Data { limit: 5 }
            } else {
                Want::Skip
            }
        }
        fn data(&mut self, bytes: &[u8]) {
            self.data.extend_from_slice(bytes);
        }
    }

    fn archive() -> Vec<u8> {
        let long = format!("usr/lib/{}/libc.so.6", "x".repeat(150));
        let entries = [
            (Entry::dir("var/lib/dpkg", 0), vec![]),
            (
                Entry::bytes("var/lib/dpkg/status", 0o644, b"Package: x\n\n".to_vec()),
                b"Package: x\n\n".to_vec(),
            ),
            (
                Entry::symlink(long, format!("libc-{}.so", "2".repeat(120))),
                vec![],
            ),
        ];
        let mut tar = Vec::new();
        for (entry, data) in entries {
            tar.extend(header(&entry, 0).unwrap());
            tar.extend(&data);
            tar.resize(tar.len() + padding(data.len() as u64), 0);
        }
        tar.extend(END_OF_ARCHIVE);
        tar
    }

    #[test]
    fn reads_entries_pax_names_and_wanted_data_in_any_split() {
        let tar = archive();
        for piece in [1, 7, 512, 513, tar.len()] {
            let mut seen = Seen::default();
            let mut untar = Untar::default();
            for chunk in tar.chunks(piece) {
                untar.push(chunk, &mut seen).unwrap();
            }
            let paths: Vec<&str> = seen.entries.iter().map(|h| h.path.as_str()).collect();
            assert_eq!(paths[..2], ["var/lib/dpkg", "var/lib/dpkg/status"]);
            assert_eq!(paths[2].len(), "usr/lib//libc.so.6".len() + 150);
            assert_eq!(
                seen.entries[2].kind,
                Kind::Symlink(format!("libc-{}.so", "2".repeat(120)))
            );
            assert_eq!(seen.data, b"Packa", "split {piece}");
        }
    }

    #[test]
    fn impossible_headers_and_cut_streams_are_errors() {
        let tar = archive();
        let mut damaged = tar.clone();
        damaged[10] ^= 0x20;
        let e = Untar::default()
            .push(&damaged, &mut Seen::default())
            .unwrap_err();
        assert!(e.to_string().contains("checksum"), "{e}");
        let e = Untar::default()
            .push(&[b'x'; 512], &mut Seen::default())
            .unwrap_err();
        assert!(e.to_string().contains("checksum"), "{e}");
        let mut untar = Untar::default();
        untar.push(&tar[..600], &mut Seen::default()).unwrap();
        assert!(
            untar.finish().is_err(),
            "cut inside the status file's header"
        );
        let mut untar = Untar::default();
        untar.push(&tar, &mut Seen::default()).unwrap();
        untar.finish().unwrap();
    }

    #[test]
    fn malformed_pax_records_are_errors() {
        assert!(pax_records(b"5 a=b\n").is_err());
        assert!(pax_records(b"x a=b\n").is_err());
        assert_eq!(pax_records(b"8 ab=cd\n").unwrap(), [("ab", "cd")]);
    }
}
