//! gunzip of base layers as they stream in (diff_id checks, the Python probe).

use pycontainer_archive::gunzip::Gunzip;
use pycontainer_archive::gzip;

use super::STREAM;
use crate::Target;

pub static TARGET: Target = Target {
    name: "gunzip",
    seed_files: &[],
    seeds,
    dictionary: &["\x1f\u{8b}\x08", "\0", "\x03\0", "\x01\0\0\u{ff}\u{ff}"],
    grammar: None,
    check,
    memory: STREAM,
    smoke_cases: 1000,
};

fn seeds() -> Vec<Vec<u8>> {
    let mut named = vec![
        0x1f,
        0x8b,
        8,
        8 | 16 | 4 | 2,
        0,
        0,
        0,
        0,
        0,
        3,
        4,
        0,
        b'a',
        b'b',
        b'c',
        b'd',
    ];
    named.extend_from_slice(b"name\0comment\0\0\0");
    named.extend_from_slice(gzip::gzip(b"x").get(10..).unwrap_or_default());
    let mut two = gzip::gzip(b"first member ");
    two.extend(gzip::gzip(b"second member"));
    vec![
        gzip::gzip(b""),
        gzip::gzip(b"hello, hello, hello, hello"),
        gzip::gzip(&[0; 64 << 10]),
        two,
        named,
    ]
}

/// Deflate cannot expand more than 1032 to 1: more output means invented bytes.
const MAX_RATIO: usize = 1032;

/// Fed whole or in 7-byte pieces, the stream yields the same bytes and the same verdict.
fn check(input: &[u8]) -> Result<(), String> {
    let whole = decode(input, input.len().max(1));
    let pieces = decode(input, 7);
    if whole != pieces {
        return Err(format!("whole gives {whole:?}, in pieces {pieces:?}"));
    }
    let produced = whole.0;
    if produced > MAX_RATIO * input.len() + 64 {
        return Err(format!("{produced} bytes out of {} in", input.len()));
    }
    Ok(())
}

/// Output length, a checksum of it, and the error if any (the output is
/// counted, never kept: memory must not follow it).
fn decode(input: &[u8], piece: usize) -> (usize, u64, Option<String>) {
    let mut len = 0usize;
    let mut sum = 0u64;
    let mut sink = |out: &[u8]| {
        for &b in out {
            sum = sum.rotate_left(5) ^ u64::from(b);
        }
        len += out.len();
    };
    let mut gunzip = Gunzip::new();
    let mut result = Ok(());
    for chunk in input.chunks(piece) {
        result = gunzip.push(chunk, &mut sink);
        if result.is_err() {
            break;
        }
    }
    let result = result.and_then(|()| gunzip.finish());
    (len, sum, result.err().map(|e| e.to_string()))
}
