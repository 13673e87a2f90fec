//! Deterministic tar headers: ustar, with PAX records only for what ustar cannot hold.

use crate::entry::{Entry, EntryKind};

pub const BLOCK: usize = 512;
/// Two zero blocks end an archive.
pub const END_OF_ARCHIVE: [u8; 2 * BLOCK] = [0; 2 * BLOCK];

#[derive(Debug, thiserror::Error)]
pub enum TarError {
    #[error("path too long for a tar entry: {path}")]
    PathTooLong { path: String },
}

/// Zero bytes that pad `size` bytes of data to a whole block.
pub fn padding(size: u64) -> usize {
    let rem = (size % BLOCK as u64) as usize;
    if rem == 0 {
        0
    } else {
        BLOCK - rem
    }
}

/// The header block(s) for `entry`: owner root with empty names, and `mtime`.
pub fn header(entry: &Entry, mtime: u64) -> Result<Vec<u8>, TarError> {
    let name = match entry.kind {
        EntryKind::Dir => format!("{}/", entry.path),
        _ => entry.path.clone(),
    };
    let mut pax = Vec::new();
    let mut h = tar::Header::new_ustar();
    h.set_mtime(mtime);
    h.set_uid(u64::from(entry.owner));
    h.set_gid(u64::from(entry.owner));
    h.set_mode(entry.mode);
    match &entry.kind {
        EntryKind::Dir => {
            h.set_entry_type(tar::EntryType::Directory);
            h.set_size(0);
        }
        EntryKind::File { size, .. } => {
            h.set_entry_type(tar::EntryType::Regular);
            // ustar's octal size field holds under 8 GiB.
            if *size >= 1 << 33 {
                pax_record(&mut pax, "size", &size.to_string());
                h.set_size(0);
            } else {
                h.set_size(*size);
            }
        }
        EntryKind::Symlink { target } => {
            h.set_entry_type(tar::EntryType::Symlink);
            h.set_size(0);
            if h.set_link_name(target).is_err() {
                pax_record(&mut pax, "linkpath", target);
            }
        }
    }
    if set_ustar_name(&mut h, &name).is_err() {
        pax_record(&mut pax, "path", &name);
        // A readable stand-in for readers that ignore PAX.
        set_ustar_name(&mut h, tail_within(&name, 90))
            .map_err(|_| TarError::PathTooLong { path: name.clone() })?;
    }
    h.set_cksum();

    let mut out = Vec::with_capacity(BLOCK * 3);
    if !pax.is_empty() {
        let mut ph = tar::Header::new_ustar();
        set_ustar_name(&mut ph, "pax_header").map_err(|_| TarError::PathTooLong { path: name })?;
        ph.set_entry_type(tar::EntryType::XHeader);
        ph.set_mode(0o644);
        ph.set_mtime(mtime);
        ph.set_uid(0);
        ph.set_gid(0);
        ph.set_size(pax.len() as u64);
        ph.set_cksum();
        out.extend_from_slice(ph.as_bytes());
        out.extend_from_slice(&pax);
        out.resize(out.len() + padding(pax.len() as u64), 0);
    }
    out.extend_from_slice(h.as_bytes());
    Ok(out)
}

/// Writes the name into ustar's name/prefix fields byte for byte, keeping a
/// directory's trailing `/` (the tar crate's setter would drop it).
fn set_ustar_name(h: &mut tar::Header, name: &str) -> Result<(), ()> {
    let bytes = name.as_bytes();
    let ustar = h.as_ustar_mut().ok_or(())?;
    let (prefix, rest) = if bytes.len() <= ustar.name.len() {
        (&[][..], bytes)
    } else {
        // Split at a '/' so that prefix fits 155 bytes and the rest 100.
        let split = bytes
            .iter()
            .enumerate()
            .filter(|&(i, &b)| {
                b == b'/' && i <= ustar.prefix.len() && bytes.len() - i - 1 <= ustar.name.len()
            })
            .map(|(i, _)| i)
            .find(|&i| i + 1 < bytes.len())
            .ok_or(())?;
        (&bytes[..split], &bytes[split + 1..])
    };
    ustar.name.fill(0);
    ustar.prefix.fill(0);
    ustar.name[..rest.len()].copy_from_slice(rest);
    ustar.prefix[..prefix.len()].copy_from_slice(prefix);
    Ok(())
}

/// The last bytes of `name`, at most `max` of them, cut at a character boundary.
fn tail_within(name: &str, max: usize) -> &str {
    let mut start = name.len().saturating_sub(max);
    while !name.is_char_boundary(start) {
        start += 1;
    }
    &name[start..]
}

/// Appends one PAX record: `"<len> <key>=<value>\n"`, where len counts itself.
fn pax_record(out: &mut Vec<u8>, key: &str, value: &str) {
    let body = key.len() + value.len() + 3; // ' ', '=', '\n'
    let mut len = body + 1;
    while len != body + len.to_string().len() {
        len = body + len.to_string().len();
    }
    out.extend_from_slice(format!("{len} {key}={value}\n").as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, size: u64) -> Entry {
        Entry::bytes(path, 0o644, vec![0; size as usize])
    }

    #[test]
    fn pax_length_counts_its_own_digits() {
        let mut out = Vec::new();
        pax_record(&mut out, "path", &"a".repeat(90));
        let text = String::from_utf8(out).unwrap_or_default();
        let (len, _) = text.split_once(' ').unwrap_or_default();
        assert_eq!(len.parse::<usize>().ok(), Some(text.len()));
    }

    #[test]
    fn a_short_path_is_one_block_and_reads_back() {
        let h = header(&file("app/main.py", 5), 0).unwrap_or_default();
        assert_eq!(h.len(), BLOCK);
        let parsed = tar::Header::from_byte_slice(&h);
        assert_eq!(parsed.path_bytes().as_ref(), b"app/main.py");
        assert_eq!(parsed.size().ok(), Some(5));
        assert_eq!(parsed.uid().ok(), Some(0));
        assert_eq!(parsed.mtime().ok(), Some(0));
        assert_eq!(parsed.username_bytes(), Some(&b""[..]));
    }

    #[test]
    fn a_long_multibyte_name_goes_to_pax_whole() {
        let long = format!("app/{}", "文".repeat(60));
        let h = header(&file(&long, 0), 0).unwrap_or_default();
        assert_eq!(h.len(), 3 * BLOCK);
        let pax = String::from_utf8_lossy(&h[BLOCK..2 * BLOCK]);
        assert!(pax.contains(&long));
    }

    #[test]
    fn a_directory_keeps_its_trailing_slash() {
        let d = Entry::dir("app/src", 0);
        let h = header(&d, 7).unwrap_or_default();
        let parsed = tar::Header::from_byte_slice(&h);
        assert_eq!(parsed.path_bytes().as_ref(), b"app/src/");
        assert_eq!(parsed.entry_type(), tar::EntryType::Directory);
    }

    #[test]
    fn a_long_path_uses_the_ustar_prefix_then_pax() {
        let mid = format!("app/{}/{}", "d".repeat(120), "f".repeat(60));
        assert_eq!(header(&file(&mid, 1), 0).map(|h| h.len()).ok(), Some(BLOCK));
        let long = format!("app/{}", "x".repeat(300));
        let h = header(&file(&long, 1), 0).unwrap_or_default();
        assert_eq!(h.len(), 3 * BLOCK, "pax header, pax data, header");
        let mut archive = h.clone();
        archive.extend_from_slice(b"z");
        archive.resize(archive.len() + padding(1), 0);
        archive.extend_from_slice(&END_OF_ARCHIVE);
        let mut ar = tar::Archive::new(&archive[..]);
        let names: Vec<String> = ar
            .entries()
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| {
                e.path()
                    .map(|p| p.to_string_lossy().into_owned())
                    .unwrap_or_default()
            })
            .collect();
        assert_eq!(names, vec![long]);
    }
}
