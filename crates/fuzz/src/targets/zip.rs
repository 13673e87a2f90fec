//! The wheel (zip) reader: end record, ZIP64, central directory, local
//! headers and entry data, read the way `src/wheelfile.rs` reads a cached wheel.

use pycontainer_archive::zip::writer::{self, file};
use pycontainer_archive::zip::{self as z, End, EntryReader, ZipError};

use crate::{Memory, Target};

pub static TARGET: Target = Target {
    name: "zip",
    seed_files: &[
        "tests/fixtures/wheels/six-1.17.0-py2.py3-none-any.whl",
        "tests/fixtures/wheels/evil_symlink-1.0-py3-none-any.whl",
        "tests/fixtures/wheels/badhash-1.0-py3-none-any.whl",
    ],
    seeds,
    dictionary: &[
        "PK\x01\x02",
        "PK\x03\x04",
        "PK\x05\x06",
        "PK\x06\x06",
        "PK\x06\x07",
        "\u{ff}\u{ff}\u{ff}\u{ff}",
        "\x01\0",
    ],
    grammar: None,
    check,
    // A 4 KiB piece may honestly inflate to ~4 MiB (deflate's 1,032:1).
    memory: Memory {
        fixed: 8 << 20,
        per_byte: 4,
    },
    smoke_cases: 1000,
};

fn seeds() -> Vec<Vec<u8>> {
    let files = [
        file("pkg/__init__.py", b"print('hi')\n"),
        file("pkg/data.bin", &[7; 5000]).stored(),
        file("pkg-1.0.dist-info/RECORD", b"pkg/__init__.py,,\n"),
    ];
    vec![
        writer::zip(&files),
        writer::zip64(&files),
        writer::zip(&[file("bomb", &[0; 200 << 10])]),
    ]
}

/// Reads every entry; an entry's output never passes its declared size.
fn check(input: &[u8]) -> Result<(), String> {
    let _ = read(input);
    Ok(())
}

/// Random access through `get`, as a host's `read` of a range past the end
/// returns less; each entry's data in 4 KiB pieces, its output dropped.
fn read(zip: &[u8]) -> Result<(), ZipError> {
    let len = zip.len() as u64;
    let tail = zip
        .get(zip.len().saturating_sub(z::TAIL_LEN)..)
        .unwrap_or_default();
    let directory = match z::find_end(tail, len)? {
        End::Directory(d) => d,
        End::Zip64 { record_offset } => {
            let record = range(zip, record_offset, z::ZIP64_END_LEN as u64);
            z::parse_zip64_end(record, record_offset)?
        }
    };
    let bytes = range(zip, directory.offset, directory.size);
    for entry in z::parse_directory(bytes, directory.entries)? {
        let header = range(
            zip,
            entry.local_header_offset,
            z::local_header_len(&entry) as u64,
        );
        let start = z::data_offset(header, &entry)?;
        let raw = range(zip, start, entry.compressed_size);
        let mut reader = EntryReader::new(&entry);
        let mut out = Vec::new();
        for chunk in raw.chunks(4096) {
            reader.push(chunk, &mut out)?;
            out.clear();
        }
        reader.finish()?;
    }
    Ok(())
}

fn range(bytes: &[u8], offset: u64, len: u64) -> &[u8] {
    let start = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(bytes.len());
    let end = usize::try_from(offset.saturating_add(len))
        .unwrap_or(usize::MAX)
        .min(bytes.len());
    bytes.get(start..end).unwrap_or_default()
}
