//! A tiny ZIP writer for tests, so that crafted archives (odd flags, wrong
//! sizes, ZIP64 records) can be built without a zip tool.

/// One file to write; fields default to a plain deflated Unix file.
#[derive(Clone)]
pub struct File {
    pub name: Vec<u8>,
    pub data: Vec<u8>,
    pub method: u16,
    pub flags: u16,
    pub unix_mode: Option<u32>,
    /// Overrides the directory's CRC or size, to make them lie.
    pub crc32: Option<u32>,
    pub size: Option<u32>,
}

pub fn file(name: &str, data: &[u8]) -> File {
    File {
        name: name.as_bytes().to_vec(),
        data: data.to_vec(),
        method: 8,
        flags: if name.is_ascii() { 0 } else { 0x0800 },
        unix_mode: Some(0o100644),
        crc32: None,
        size: None,
    }
}

impl File {
    pub fn stored(mut self) -> Self {
        self.method = 0;
        self
    }

    pub fn mode(mut self, mode: Option<u32>) -> Self {
        self.unix_mode = mode;
        self
    }
}

fn compressed(f: &File) -> Vec<u8> {
    if f.method == 8 {
        miniz_oxide::deflate::compress_to_vec(&f.data, 6)
    } else {
        f.data.clone()
    }
}

fn put16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// A classic archive with `comment` after its end record.
pub fn zip_with_comment(files: &[File], comment: &[u8]) -> Vec<u8> {
    write(files, comment, false)
}

pub fn zip(files: &[File]) -> Vec<u8> {
    write(files, b"", false)
}

/// Every size, offset and count moved into ZIP64 fields and records.
pub fn zip64(files: &[File]) -> Vec<u8> {
    write(files, b"", true)
}

fn write(files: &[File], comment: &[u8], zip64: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for f in files {
        let offset = out.len() as u32;
        let data = compressed(f);
        let crc = f.crc32.unwrap_or_else(|| crc32fast::hash(&f.data));
        let size = f.size.unwrap_or(f.data.len() as u32);
        put32(&mut out, 0x0403_4b50);
        put16(&mut out, 20);
        put16(&mut out, f.flags);
        put16(&mut out, f.method);
        put32(&mut out, 0);
        put32(&mut out, crc);
        put32(&mut out, data.len() as u32);
        put32(&mut out, size);
        put16(&mut out, f.name.len() as u16);
        put16(&mut out, 0);
        out.extend_from_slice(&f.name);
        out.extend_from_slice(&data);

        let (host, external) = match f.unix_mode {
            Some(mode) => (3u16, mode << 16),
            None => (0, 0),
        };
        let mut extra = Vec::new();
        let (csize32, size32, offset32) = if zip64 {
            put16(&mut extra, 1);
            put16(&mut extra, 24);
            put64(&mut extra, size.into());
            put64(&mut extra, data.len() as u64);
            put64(&mut extra, offset.into());
            (u32::MAX, u32::MAX, u32::MAX)
        } else {
            (data.len() as u32, size, offset)
        };
        put32(&mut central, 0x0201_4b50);
        put16(&mut central, host << 8 | 20);
        put16(&mut central, 20);
        put16(&mut central, f.flags);
        put16(&mut central, f.method);
        put32(&mut central, 0);
        put32(&mut central, crc);
        put32(&mut central, csize32);
        put32(&mut central, size32);
        put16(&mut central, f.name.len() as u16);
        put16(&mut central, extra.len() as u16);
        put16(&mut central, 0);
        put16(&mut central, 0);
        put16(&mut central, 0);
        put32(&mut central, external);
        put32(&mut central, offset32);
        central.extend_from_slice(&f.name);
        central.extend_from_slice(&extra);
    }
    let cd_offset = out.len() as u64;
    out.extend_from_slice(&central);
    let count = files.len() as u64;
    if zip64 {
        let record_offset = out.len() as u64;
        put32(&mut out, 0x0606_4b50);
        put64(&mut out, 44);
        put16(&mut out, 45);
        put16(&mut out, 45);
        put32(&mut out, 0);
        put32(&mut out, 0);
        put64(&mut out, count);
        put64(&mut out, count);
        put64(&mut out, central.len() as u64);
        put64(&mut out, cd_offset);
        put32(&mut out, 0x0706_4b50);
        put32(&mut out, 0);
        put64(&mut out, record_offset);
        put32(&mut out, 1);
    }
    let (count16, size32, offset32) = if zip64 {
        (u16::MAX, u32::MAX, u32::MAX)
    } else {
        (count as u16, central.len() as u32, cd_offset as u32)
    };
    put32(&mut out, 0x0605_4b50);
    put16(&mut out, 0);
    put16(&mut out, 0);
    put16(&mut out, count16);
    put16(&mut out, count16);
    put32(&mut out, size32);
    put32(&mut out, offset32);
    put16(&mut out, comment.len() as u16);
    out.extend_from_slice(comment);
    out
}

/// Reads every entry back through the public, random-access API the way the
/// integrator does (tail, directory, local header, data in small chunks).
pub fn read_all(zip: &[u8]) -> Result<Vec<(super::ZipEntry, Vec<u8>)>, super::ZipError> {
    use super::*;
    let len = zip.len() as u64;
    let tail = &zip[zip.len().saturating_sub(TAIL_LEN)..];
    let directory = match find_end(tail, len)? {
        End::Directory(d) => d,
        End::Zip64 { record_offset } => {
            let at = record_offset as usize;
            parse_zip64_end(&zip[at..at + ZIP64_END_LEN], record_offset)?
        }
    };
    let cd = &zip[directory.offset as usize..(directory.offset + directory.size) as usize];
    let mut out = Vec::new();
    for entry in parse_directory(cd, directory.entries)? {
        let at = entry.local_header_offset as usize;
        let header = &zip[at..(at + local_header_len(&entry)).min(zip.len())];
        let start = data_offset(header, &entry)? as usize;
        let raw = &zip[start..start + entry.compressed_size as usize];
        let mut reader = EntryReader::new(&entry);
        let mut data = Vec::new();
        for chunk in raw.chunks(7) {
            reader.push(chunk, &mut data)?;
        }
        reader.finish()?;
        out.push((entry, data));
    }
    Ok(out)
}
