//! Decompression bombs and huge declared sizes, measured: the readers of
//! gzip, tar and zip hold a bounded amount of memory whatever the input
//! says or expands to. (The random runs only see inputs of a few KiB.)

use pycontainer_archive::gunzip::Gunzip;
use pycontainer_archive::gzip::{self, deflate_chunk};
use pycontainer_archive::tar::header;
use pycontainer_archive::untar::{Header, Untar, Visitor, Want};
use pycontainer_archive::zip::{parse_directory, EntryReader, Method, ZipEntry, ZipError};
use pycontainer_archive::{Content, Entry};
use pycontainer_fuzz::alloc::measure;

const MIB: usize = 1 << 20;

/// `n` MiB of zeros as a raw deflate stream of a few KiB per MiB.
fn zeros_deflated(n: usize) -> Vec<u8> {
    let mut raw = deflate_chunk(&vec![0; MIB]).repeat(n);
    raw.extend([3, 0]);
    raw
}

#[test]
fn gunzip_streams_a_bomb_in_bounded_memory() {
    let bomb = gzip::gzip(&vec![0; 16 * MIB]);
    assert!(bomb.len() < 32 << 10, "{} bytes", bomb.len());
    let (result, peak) = measure(|| {
        let mut out = 0usize;
        let mut g = Gunzip::new();
        for chunk in bomb.chunks(MIB) {
            g.push(chunk, &mut |b| out += b.len())?;
        }
        g.finish().map(|()| out)
    });
    assert_eq!(result.ok(), Some(16 * MIB));
    assert!(peak < MIB, "held {peak} bytes");
}

#[test]
fn gunzip_refuses_a_header_that_never_ends_in_bounded_memory() {
    let name = vec![b'a'; 16 * MIB];
    let (result, peak) = measure(|| {
        let mut g = Gunzip::new();
        g.push(&[0x1f, 0x8b, 8, 8, 0, 0, 0, 0, 0, 3], &mut |_| {})?;
        name.chunks(MIB).try_for_each(|c| g.push(c, &mut |_| {}))
    });
    assert!(result.is_err());
    assert!(peak < MIB, "held {peak} bytes");
}

/// An honest entry that declares 4 GiB, read in 4 KiB pieces: each piece's
/// output is bounded, and the missing data is reported.
#[test]
fn a_zip_entry_declaring_4_gib_is_read_in_bounded_pieces() {
    let raw = zeros_deflated(64);
    let entry = ZipEntry {
        name: "big.bin".into(),
        method: Method::Deflated,
        compressed_size: raw.len() as u64,
        size: u64::from(u32::MAX),
        crc32: 0,
        local_header_offset: 0,
        is_dir: false,
        unix_mode: None,
    };
    let (result, peak) = measure(|| {
        let mut reader = EntryReader::new(&entry);
        let mut out = Vec::new();
        for piece in raw.chunks(4096) {
            reader.push(piece, &mut out)?;
            out.clear();
        }
        reader.finish()
    });
    assert!(
        matches!(result, Err(ZipError::SizeMismatch { actual, .. }) if actual == 64 * MIB as u64)
    );
    assert!(peak < 8 * MIB, "held {peak} bytes");
}

#[test]
fn a_zip_directory_claiming_every_entry_there_is_allocates_for_its_bytes_only() {
    let bytes = vec![0x50; 4096];
    let (result, peak) = measure(|| parse_directory(&bytes, u64::MAX));
    assert!(result.is_err());
    assert!(peak < 64 << 10, "held {peak} bytes");
}

struct Count(usize, Vec<u64>);

impl Visitor for Count {
    fn entry(&mut self, header: &Header) -> Want {
        self.1.push(header.size);
        Want::Data { limit: u64::MAX }
    }
    fn data(&mut self, bytes: &[u8]) {
        self.0 += bytes.len();
    }
}

#[test]
fn untar_takes_huge_declared_sizes_without_allocating_for_them() {
    // 1 TiB in a PAX `size` record, then the stream simply ends.
    let huge = Entry::file("f", 0o644, 1 << 40, Content::Bytes(Vec::new()));
    let mut stream = header(&huge, 0).unwrap_or_default();
    stream.extend(vec![b'x'; MIB]);
    // A PAX record that claims to be larger than any real one.
    let mut pax = header(&Entry::bytes("p", 0o644, Vec::new()), 0).unwrap_or_default();
    pax[124..136].copy_from_slice(b"77777777777\0");
    pax[156] = b'x';
    let (results, peak) = measure(|| {
        let mut count = Count(0, Vec::new());
        let first = Untar::default()
            .push(&stream, &mut count)
            .map(|()| count.1.clone());
        let second = Untar::default().push(&pax, &mut count);
        (first, second, count.0)
    });
    let (first, second, data) = results;
    assert_eq!(first.ok(), Some(vec![1 << 40]));
    assert_eq!(data, MIB);
    assert!(second.is_err());
    assert!(peak < 64 << 10, "held {peak} bytes");
}
