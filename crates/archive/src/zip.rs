//! A minimal ZIP reader for wheels, sans-I/O and random-access: the caller
//! reads the file's tail, then its central directory, then each entry's bytes,
//! and hands them here. Only what wheels use: stored and deflated entries,
//! ZIP64 sizes and offsets, no encryption, no split archives.
//!
//! Reading one file:
//! 1. read the last `min(TAIL_LEN, file_len)` bytes → [`find_end`];
//! 2. for [`End::Zip64`], read `ZIP64_END_LEN` bytes at its offset → [`parse_zip64_end`];
//! 3. read the [`Directory`]'s bytes → [`parse_directory`];
//! 4. per entry, read [`local_header_len`] bytes at its `local_header_offset`
//!    → [`data_offset`], then its `compressed_size` bytes from there, in
//!    chunks, through an [`EntryReader`].

use crate::inflate::{self, Next};
use zlib_rs::Inflate;

const EOCD_SIG: u32 = 0x0605_4b50;
const LOCATOR_SIG: u32 = 0x0706_4b50;
const ZIP64_END_SIG: u32 = 0x0606_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const LOCAL_SIG: u32 = 0x0403_4b50;

const EOCD_LEN: usize = 22;
const LOCATOR_LEN: usize = 20;
/// The fixed part of the ZIP64 end of central directory record.
pub const ZIP64_END_LEN: usize = 56;
/// The fixed part of a local file header; the entry's name follows it.
pub const LOCAL_HEADER_LEN: usize = 30;
/// How many bytes at the end of the file hold the end record: its fixed
/// part, the longest comment it can announce, and the ZIP64 locator before it.
pub const TAIL_LEN: usize = LOCATOR_LEN + EOCD_LEN + u16::MAX as usize;

const FLAG_ENCRYPTED: u16 = 0x0001;
const FLAG_STRONG_ENCRYPTION: u16 = 0x0040;
const FLAG_UTF8: u16 = 0x0800;
const ZIP64_EXTRA_ID: u16 = 0x0001;
const HOST_UNIX: u16 = 3;
/// What a 32-bit field holds when its value lives in the ZIP64 extra field.
const ZIP64_MARK: u32 = u32::MAX;
/// Enough output per inflate call to keep the call count low on big files.
const INFLATE_SCRATCH: usize = 32 * 1024;
/// Compressed bytes inflated between two checks of the declared size:
/// deflate expands at most ~1,032 times, so a bomb overshoots by ~4 MiB at most.
const INFLATE_PIECE: usize = 4 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZipError {
    #[error("not a zip file: no end of central directory record in its last {searched} bytes")]
    NoEnd { searched: usize },
    #[error("the zip file's tail ({tail} bytes) is longer than the file ({file_len} bytes)")]
    TailTooLong { tail: usize, file_len: u64 },
    #[error("split (multi-disk) zip archives are not supported")]
    MultiDisk,
    #[error("truncated zip data: the {what} ends early")]
    Truncated { what: &'static str },
    #[error("invalid zip data: bad signature for the {what}")]
    BadSignature { what: &'static str },
    #[error("invalid zip data: the {what} (offset {offset}, {size} bytes) does not fit before offset {limit}")]
    OutOfBounds {
        what: &'static str,
        offset: u64,
        size: u64,
        limit: u64,
    },
    #[error(
        "invalid zip data: the central directory holds {extra} bytes after its {count} entries"
    )]
    TrailingDirectory { count: u64, extra: usize },
    #[error("zip entry {entry:?}: its name is neither UTF-8 (flag 0x0800) nor plain ASCII")]
    NameEncoding { entry: String },
    #[error("zip entry {entry:?} is encrypted; wheels cannot be")]
    Encrypted { entry: String },
    #[error("zip entry {entry:?} uses compression method {method} ({}); only stored (0) and deflated (8) are supported", method_name(*method))]
    UnsupportedMethod { entry: String, method: u16 },
    #[error("zip entry {entry:?}: a size or offset is marked as ZIP64 but the entry has no ZIP64 extra field for it")]
    MissingZip64 { entry: String },
    #[error("zip entry {entry:?} is stored but its compressed size {compressed} differs from its size {size}")]
    StoredSizes {
        entry: String,
        compressed: u64,
        size: u64,
    },
    #[error("zip entry {entry:?}: the local header names {local:?} instead")]
    LocalName { entry: String, local: String },
    #[error("zip entry {entry:?}: its data offset overflows")]
    OffsetOverflow { entry: String },
    #[error("zip entry {entry:?}: more than its {compressed} compressed bytes were given")]
    TooMuchData { entry: String, compressed: u64 },
    #[error("zip entry {entry:?}: its data ended {missing} bytes early")]
    DataEndedEarly { entry: String, missing: u64 },
    #[error("zip entry {entry:?}: {source}")]
    Inflate { entry: String, source: InflateError },
    #[error(
        "zip entry {entry:?}: it inflates to more than the {expected} bytes the directory says"
    )]
    TooLarge { entry: String, expected: u64 },
    #[error("zip entry {entry:?}: it inflates to {actual} bytes, the directory says {expected}")]
    SizeMismatch {
        entry: String,
        expected: u64,
        actual: u64,
    },
    #[error(
        "zip entry {entry:?}: CRC-32 {actual:08x} does not match the directory's {expected:08x}"
    )]
    CrcMismatch {
        entry: String,
        expected: u32,
        actual: u32,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InflateError {
    #[error("corrupt deflate data ({0})")]
    Corrupt(String),
    #[error("the deflate stream ends before its data does")]
    TrailingData,
    #[error("the deflate stream is truncated")]
    Truncated,
}

fn method_name(method: u16) -> &'static str {
    match method {
        12 => "bzip2",
        14 => "LZMA",
        93 => "Zstandard",
        95 => "XZ",
        99 => "AES-encrypted",
        _ => "unknown",
    }
}

/// Where the central directory is and how many entries it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Directory {
    pub offset: u64,
    pub size: u64,
    pub entries: u64,
}

/// What the tail says: the directory itself, or where the ZIP64 record that
/// locates it is (read [`ZIP64_END_LEN`] bytes there for [`parse_zip64_end`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    Directory(Directory),
    Zip64 { record_offset: u64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Stored,
    Deflated,
}

/// One central directory entry, with ZIP64 values already applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipEntry {
    pub name: String,
    pub method: Method,
    pub compressed_size: u64,
    pub size: u64,
    pub crc32: u32,
    pub local_header_offset: u64,
    pub is_dir: bool,
    /// `st_mode` (type and permission bits) when the entry was made on Unix.
    pub unix_mode: Option<u32>,
}

/// Little-endian fields read front to back; running out names the structure.
struct Reader<'a> {
    bytes: &'a [u8],
    what: &'static str,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8], what: &'static str) -> Self {
        Reader { bytes, what }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], ZipError> {
        if self.bytes.len() < n {
            return Err(ZipError::Truncated { what: self.what });
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], ZipError> {
        let mut a = [0; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn u16(&mut self) -> Result<u16, ZipError> {
        self.array().map(u16::from_le_bytes)
    }

    fn u32(&mut self) -> Result<u32, ZipError> {
        self.array().map(u32::from_le_bytes)
    }

    fn u64(&mut self) -> Result<u64, ZipError> {
        self.array().map(u64::from_le_bytes)
    }

    fn signature(&mut self, expected: u32) -> Result<(), ZipError> {
        if self.u32()? == expected {
            Ok(())
        } else {
            Err(ZipError::BadSignature { what: self.what })
        }
    }
}

/// Finds the end of central directory record in `tail`, the file's last
/// bytes (`min(TAIL_LEN, file_len)` of them).
pub fn find_end(tail: &[u8], file_len: u64) -> Result<End, ZipError> {
    let tail_start = file_len
        .checked_sub(tail.len() as u64)
        .ok_or(ZipError::TailTooLong {
            tail: tail.len(),
            file_len,
        })?;
    // Scanning back finds the last record whose comment reaches exactly the
    // end of the file, so a signature inside a comment is not mistaken for it.
    let at = (0..=tail.len().saturating_sub(EOCD_LEN))
        .rev()
        .find(|&at| is_end_record(tail, at))
        .ok_or(ZipError::NoEnd {
            searched: tail.len(),
        })?;
    let eocd_offset = tail_start + at as u64;
    if let Some(locator) = at
        .checked_sub(LOCATOR_LEN)
        .and_then(|start| tail.get(start..at))
    {
        if locator.starts_with(&LOCATOR_SIG.to_le_bytes()) {
            return zip64_locator(locator, eocd_offset - LOCATOR_LEN as u64);
        }
    }
    classic_end(tail.get(at..).unwrap_or_default(), eocd_offset)
}

fn is_end_record(tail: &[u8], at: usize) -> bool {
    let Some(record) = tail.get(at..) else {
        return false;
    };
    let mut r = Reader::new(record, "end of central directory record");
    let comment_len = r.take(20).and_then(|_| r.u16());
    record.starts_with(&EOCD_SIG.to_le_bytes())
        && comment_len.is_ok_and(|len| usize::from(len) == record.len() - EOCD_LEN)
}

fn classic_end(record: &[u8], eocd_offset: u64) -> Result<End, ZipError> {
    let mut r = Reader::new(record, "end of central directory record");
    r.signature(EOCD_SIG)?;
    let disk = r.u16()?;
    let directory_disk = r.u16()?;
    let entries_here = r.u16()?;
    let entries = r.u16()?;
    let size = r.u32()?;
    let offset = r.u32()?;
    if disk != 0 || directory_disk != 0 || entries_here != entries {
        return Err(ZipError::MultiDisk);
    }
    let directory = Directory {
        offset: offset.into(),
        size: size.into(),
        entries: entries.into(),
    };
    check_directory_bounds(directory, eocd_offset).map(End::Directory)
}

fn zip64_locator(locator: &[u8], locator_offset: u64) -> Result<End, ZipError> {
    let mut r = Reader::new(locator, "ZIP64 end of central directory locator");
    r.signature(LOCATOR_SIG)?;
    let disk = r.u32()?;
    let record_offset = r.u64()?;
    let disks = r.u32()?;
    if disk != 0 || disks > 1 {
        return Err(ZipError::MultiDisk);
    }
    if record_offset.saturating_add(ZIP64_END_LEN as u64) > locator_offset {
        return Err(ZipError::OutOfBounds {
            what: "ZIP64 end of central directory record",
            offset: record_offset,
            size: ZIP64_END_LEN as u64,
            limit: locator_offset,
        });
    }
    Ok(End::Zip64 { record_offset })
}

/// Reads the ZIP64 end record (`ZIP64_END_LEN` bytes at `record_offset`).
pub fn parse_zip64_end(record: &[u8], record_offset: u64) -> Result<Directory, ZipError> {
    let mut r = Reader::new(record, "ZIP64 end of central directory record");
    r.signature(ZIP64_END_SIG)?;
    // Record size, version made by, version needed.
    r.take(12)?;
    let disk = r.u32()?;
    let directory_disk = r.u32()?;
    let entries_here = r.u64()?;
    let entries = r.u64()?;
    let size = r.u64()?;
    let offset = r.u64()?;
    if disk != 0 || directory_disk != 0 || entries_here != entries {
        return Err(ZipError::MultiDisk);
    }
    check_directory_bounds(
        Directory {
            offset,
            size,
            entries,
        },
        record_offset,
    )
}

fn check_directory_bounds(directory: Directory, limit: u64) -> Result<Directory, ZipError> {
    if directory.offset.saturating_add(directory.size) > limit {
        return Err(ZipError::OutOfBounds {
            what: "central directory",
            offset: directory.offset,
            size: directory.size,
            limit,
        });
    }
    Ok(directory)
}

/// Parses the central directory's `count` entries from its bytes.
pub fn parse_directory(bytes: &[u8], count: u64) -> Result<Vec<ZipEntry>, ZipError> {
    const MIN_ENTRY_LEN: usize = 46;
    // The count comes from the file; the bytes bound what it can honestly be.
    let capacity = usize::try_from(count)
        .unwrap_or(usize::MAX)
        .min(bytes.len() / MIN_ENTRY_LEN);
    let mut entries = Vec::with_capacity(capacity);
    let mut r = Reader::new(bytes, "central directory");
    for _ in 0..count {
        entries.push(parse_entry(&mut r)?);
    }
    if !r.bytes.is_empty() {
        return Err(ZipError::TrailingDirectory {
            count,
            extra: r.bytes.len(),
        });
    }
    Ok(entries)
}

fn parse_entry(r: &mut Reader<'_>) -> Result<ZipEntry, ZipError> {
    r.signature(CENTRAL_SIG)?;
    let made_by = r.u16()?;
    let _needed = r.u16()?;
    let flags = r.u16()?;
    let method = r.u16()?;
    let _mtime = r.u32()?;
    let crc32 = r.u32()?;
    let compressed = r.u32()?;
    let size = r.u32()?;
    let name_len = r.u16()?;
    let extra_len = r.u16()?;
    let comment_len = r.u16()?;
    let _disk_start = r.u16()?;
    let _internal = r.u16()?;
    let external = r.u32()?;
    let offset = r.u32()?;
    let name = decode_name(r.take(name_len.into())?, flags)?;
    let extra = r.take(extra_len.into())?;
    r.take(comment_len.into())?;

    if flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION) != 0 {
        return Err(ZipError::Encrypted { entry: name });
    }
    let method = match method {
        0 => Method::Stored,
        8 => Method::Deflated,
        _ => {
            return Err(ZipError::UnsupportedMethod {
                entry: name,
                method,
            })
        }
    };
    let [size, compressed_size, local_header_offset] =
        apply_zip64(extra, [size, compressed, offset], &name)?;
    if method == Method::Stored && compressed_size != size {
        return Err(ZipError::StoredSizes {
            entry: name,
            compressed: compressed_size,
            size,
        });
    }
    Ok(ZipEntry {
        is_dir: name.ends_with('/'),
        unix_mode: (made_by >> 8 == HOST_UNIX).then_some(external >> 16),
        name,
        method,
        compressed_size,
        size,
        crc32,
        local_header_offset,
    })
}

fn decode_name(raw: &[u8], flags: u16) -> Result<String, ZipError> {
    // Without the UTF-8 flag a name is CP437; only its ASCII subset is read
    // the same by every tool, so anything else is refused, not guessed.
    let acceptable = flags & FLAG_UTF8 != 0 || raw.is_ascii();
    match std::str::from_utf8(raw) {
        Ok(name) if acceptable => Ok(name.to_owned()),
        _ => Err(ZipError::NameEncoding {
            entry: String::from_utf8_lossy(raw).into_owned(),
        }),
    }
}

/// Replaces the 32-bit fields (size, compressed size, offset, in the order
/// the ZIP64 extra field lists them) that are marked as living in it.
fn apply_zip64(extra: &[u8], fields: [u32; 3], name: &str) -> Result<[u64; 3], ZipError> {
    let mut values = fields.map(u64::from);
    if !fields.contains(&ZIP64_MARK) {
        return Ok(values);
    }
    let missing = || ZipError::MissingZip64 {
        entry: name.to_owned(),
    };
    let data = zip64_extra(extra).ok_or_else(missing)?;
    let mut r = Reader::new(data, "ZIP64 extra field");
    for (value, field) in values.iter_mut().zip(fields) {
        if field == ZIP64_MARK {
            *value = r.u64().map_err(|_| missing())?;
        }
    }
    Ok(values)
}

fn zip64_extra(mut extra: &[u8]) -> Option<&[u8]> {
    // Fields are (id, length, data); a few tools pad the end with zeros, so
    // fewer than four bytes left is the end, not an error.
    while extra.len() >= 4 {
        let mut r = Reader::new(extra, "extra field");
        let id = r.u16().ok()?;
        let len = r.u16().ok()?;
        let data = r.take(len.into()).ok()?;
        if id == ZIP64_EXTRA_ID {
            return Some(data);
        }
        extra = r.bytes;
    }
    None
}

/// How many bytes to read at `local_header_offset` for [`data_offset`].
pub fn local_header_len(entry: &ZipEntry) -> usize {
    LOCAL_HEADER_LEN + entry.name.len()
}

/// Where `entry`'s data starts, from its local header (at least
/// [`local_header_len`] bytes), whose name must be the directory's.
pub fn data_offset(local_header: &[u8], entry: &ZipEntry) -> Result<u64, ZipError> {
    let mut r = Reader::new(local_header, "local file header");
    r.signature(LOCAL_SIG)?;
    // Versions, flags, method, time, CRC and sizes: the directory's copies
    // are the ones trusted (the local ones may be zero, with a data descriptor).
    r.take(22)?;
    let name_len = r.u16()?;
    let extra_len = r.u16()?;
    let local = r.take(name_len.into())?;
    if local != entry.name.as_bytes() {
        return Err(ZipError::LocalName {
            entry: entry.name.clone(),
            local: String::from_utf8_lossy(local).into_owned(),
        });
    }
    let header = LOCAL_HEADER_LEN as u64 + u64::from(name_len) + u64::from(extra_len);
    entry
        .local_header_offset
        .checked_add(header)
        .ok_or_else(|| ZipError::OffsetOverflow {
            entry: entry.name.clone(),
        })
}

/// Streaming raw-deflate decompression, with zlib-rs: in the wasm it
/// inflates a wheel's members 1.8 times as fast as miniz_oxide did (31.6 MB
/// of 20 wheels: 60 ms against 110 ms), and the venv layer's install
/// inflates them on the main thread.
pub struct Inflater {
    state: Inflate,
    done: bool,
}

impl Default for Inflater {
    fn default() -> Self {
        Self::new()
    }
}

impl Inflater {
    pub fn new() -> Self {
        Inflater {
            state: Inflate::new(false, 15),
            done: false,
        }
    }

    /// Inflates `compressed`, appending the output to `out`. Deflate can
    /// expand about 1,000 times, so callers bound memory by feeding small chunks.
    pub fn push(&mut self, mut compressed: &[u8], out: &mut Vec<u8>) -> Result<(), InflateError> {
        loop {
            if self.done {
                return if compressed.is_empty() {
                    Ok(())
                } else {
                    Err(InflateError::TrailingData)
                };
            }
            // Straight into `out`, INFLATE_SCRATCH at a time; what is not
            // written is cut off again.
            let start = out.len();
            out.resize(start + INFLATE_SCRATCH, 0);
            let step = inflate::step(
                &mut self.state,
                compressed,
                out.get_mut(start..).unwrap_or_default(),
            );
            out.truncate(start + step.written);
            compressed = compressed.get(step.consumed..).unwrap_or_default();
            match step.next.map_err(|e| InflateError::Corrupt(e.to_owned()))? {
                Next::Ended => self.done = true,
                Next::Wait => return Ok(()),
                Next::More => {}
            }
        }
    }

    /// Fails unless the stream reached its end.
    pub fn finish(&self) -> Result<(), InflateError> {
        if self.done {
            Ok(())
        } else {
            Err(InflateError::Truncated)
        }
    }
}

/// Reads one entry's data: takes its `compressed_size` bytes (from
/// [`data_offset`] on, in any chunks), yields its bytes, and checks their
/// size and CRC-32 against the central directory.
pub struct EntryReader {
    name: String,
    expected_size: u64,
    expected_crc: u32,
    compressed_size: u64,
    compressed_left: u64,
    inflater: Option<Inflater>,
    tally: Tally,
}

/// The output so far: its length and CRC-32.
struct Tally {
    produced: u64,
    crc: crc32fast::Hasher,
}

impl Tally {
    /// Counts `bytes`; past the declared size they are an error.
    fn add(&mut self, bytes: &[u8], expected: u64, entry: &str) -> Result<(), ZipError> {
        self.produced += bytes.len() as u64;
        if self.produced > expected {
            return Err(ZipError::TooLarge {
                entry: entry.to_owned(),
                expected,
            });
        }
        self.crc.update(bytes);
        Ok(())
    }
}

impl EntryReader {
    pub fn new(entry: &ZipEntry) -> Self {
        EntryReader {
            name: entry.name.clone(),
            expected_size: entry.size,
            expected_crc: entry.crc32,
            compressed_size: entry.compressed_size,
            compressed_left: entry.compressed_size,
            inflater: (entry.method == Method::Deflated).then(Inflater::new),
            tally: Tally {
                produced: 0,
                crc: crc32fast::Hasher::new(),
            },
        }
    }

    /// Takes the next raw bytes of the entry, appending what they hold to `out`.
    pub fn push(&mut self, raw: &[u8], out: &mut Vec<u8>) -> Result<(), ZipError> {
        self.compressed_left = self
            .compressed_left
            .checked_sub(raw.len() as u64)
            .ok_or_else(|| ZipError::TooMuchData {
                entry: self.name.clone(),
                compressed: self.compressed_size,
            })?;
        let Some(inflater) = &mut self.inflater else {
            out.extend_from_slice(raw);
            return self.tally.add(raw, self.expected_size, &self.name);
        };
        // In pieces, each checked against the declared size: a whole 1 MiB
        // chunk of a deflate bomb would make a GiB before any check.
        for piece in raw.chunks(INFLATE_PIECE) {
            let start = out.len();
            inflater
                .push(piece, out)
                .map_err(|source| ZipError::Inflate {
                    entry: self.name.clone(),
                    source,
                })?;
            let made = out.get(start..).unwrap_or_default();
            self.tally.add(made, self.expected_size, &self.name)?;
        }
        Ok(())
    }

    /// Checks that all data came, and that its size and CRC-32 match.
    pub fn finish(self) -> Result<(), ZipError> {
        let entry = self.name;
        if self.compressed_left > 0 {
            return Err(ZipError::DataEndedEarly {
                entry,
                missing: self.compressed_left,
            });
        }
        if let Some(inflater) = &self.inflater {
            inflater.finish().map_err(|source| ZipError::Inflate {
                entry: entry.clone(),
                source,
            })?;
        }
        if self.tally.produced != self.expected_size {
            return Err(ZipError::SizeMismatch {
                entry,
                expected: self.expected_size,
                actual: self.tally.produced,
            });
        }
        let actual = self.tally.crc.finalize();
        if actual != self.expected_crc {
            return Err(ZipError::CrcMismatch {
                entry,
                expected: self.expected_crc,
                actual,
            });
        }
        Ok(())
    }
}

/// Writes crafted archives for tests, here and in the crates that read wheels.
#[cfg(any(test, feature = "writer"))]
pub mod writer;

#[cfg(test)]
mod tests;
