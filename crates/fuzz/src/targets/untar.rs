//! untar of base layers (what the base's Python probe and symlink checks read).

use pycontainer_archive::tar::{header, padding};
use pycontainer_archive::untar::{Header, Untar, Visitor, Want};
use pycontainer_archive::Entry;

use super::STREAM;
use crate::Target;

pub static TARGET: Target = Target {
    name: "untar",
    seed_files: &[],
    seeds,
    dictionary: &[
        "ustar\0",
        "ustar  \0",
        "././@LongLink",
        "path=",
        "linkpath=",
        "size=",
        "77777777777\0",
        "\u{80}",
        "\0",
    ],
    grammar: None,
    check,
    memory: STREAM,
    smoke_cases: 1500,
};

fn seeds() -> Vec<Vec<u8>> {
    let long = format!("usr/lib/{}/python3.11/os.py", "d".repeat(120));
    let entries = [
        Entry::dir("usr", 0),
        Entry::bytes("usr/bin/python3.11", 0o755, b"#!ELF".to_vec()),
        Entry::symlink("usr/bin/python3", "python3.11"),
        Entry::symlink("usr/bin/long", "t".repeat(150)),
        Entry::bytes(long, 0o644, vec![b'x'; 700]),
    ];
    let mut tar = Vec::new();
    let mut seeds = Vec::new();
    for entry in &entries {
        let mut one = header(entry, 0).unwrap_or_default();
        if let pycontainer_archive::EntryKind::File { .. } = entry.kind {
            let size = entry.size();
            one.extend(std::iter::repeat_n(b'x', size as usize));
            one.extend(std::iter::repeat_n(0, padding(size)));
        }
        tar.extend_from_slice(&one);
        seeds.push(one);
    }
    tar.extend([0; 1024]);
    seeds.push(tar);
    seeds
}

/// What a visitor saw: each header, and the data it asked for.
#[derive(Debug, Default, PartialEq)]
struct Seen {
    entries: Vec<Header>,
    data: usize,
}

impl Visitor for Seen {
    fn entry(&mut self, header: &Header) -> Want {
        self.entries.push(header.clone());
        Want::Data { limit: 4096 }
    }

    fn data(&mut self, bytes: &[u8]) {
        self.data += bytes.len();
    }
}

/// Fed whole or in 7-byte pieces, the stream shows the same entries and data.
fn check(input: &[u8]) -> Result<(), String> {
    let whole = read(input, input.len().max(1));
    let pieces = read(input, 7);
    if whole != pieces {
        return Err(format!("whole gives {whole:?}, in pieces {pieces:?}"));
    }
    let (seen, _) = whole;
    if seen.data > input.len() {
        return Err(format!(
            "{} data bytes out of {} in",
            seen.data,
            input.len()
        ));
    }
    Ok(())
}

fn read(input: &[u8], piece: usize) -> (Seen, Option<String>) {
    let mut seen = Seen::default();
    let mut untar = Untar::default();
    for chunk in input.chunks(piece) {
        if let Err(e) = untar.push(chunk, &mut seen) {
            return (seen, Some(e.to_string()));
        }
    }
    (seen, None)
}
