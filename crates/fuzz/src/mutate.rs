//! Structure-aware mutation: the edits that break parsers in practice
//! (cut-off input, a field's number pushed to its limits, a token of the
//! format in the wrong place, a piece repeated many times, two inputs
//! spliced), rather than uniformly random bytes.

use arbitrary::{Result, Unstructured};

/// No input grows past this: parsers are judged on small inputs, where a
/// bound on time or memory that fails is a bug and not the input's size.
pub const MAX_INPUT: usize = 64 << 10;

/// Bytes that end or open a construct in most text formats.
const SPECIAL: &[u8] = b"\0\n\r\t \"'\\[]{}()<>=,;:@/#.-+*~!$%&|^`?";

/// Numbers at the edges of the integer types and of what parsers expect.
const NUMBERS: &[&str] = &[
    "0",
    "-1",
    "1",
    "255",
    "65535",
    "4294967295",
    "4294967296",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999999999999999",
    "1e999",
    "0x10",
    "077777777777",
];

/// Little-endian field values for the binary formats.
const WIDE: &[u64] = &[
    0,
    1,
    0x7f,
    0xff,
    0x7fff,
    0xffff,
    0x7fff_ffff,
    0xffff_ffff,
    u64::MAX,
    u64::MAX / 2,
];

/// Applies 1 to 8 edits to `input`; `others` supplies material to splice
/// and `dictionary` the target's tokens.
pub fn mutate(
    u: &mut Unstructured,
    input: &mut Vec<u8>,
    others: &[Vec<u8>],
    dictionary: &[&str],
) -> Result<()> {
    let edits = u.int_in_range(1..=8)?;
    for _ in 0..edits {
        edit(u, input, others, dictionary)?;
        input.truncate(MAX_INPUT);
    }
    Ok(())
}

fn edit(
    u: &mut Unstructured,
    input: &mut Vec<u8>,
    others: &[Vec<u8>],
    dictionary: &[&str],
) -> Result<()> {
    let at = position(u, input.len())?;
    match u.int_in_range(0..=10)? {
        0 => {
            if let Some(b) = input.get_mut(at) {
                *b ^= 1 << u.int_in_range(0..=7)?;
            }
        }
        1 => {
            let b = *u.choose(SPECIAL)?;
            insert(input, at, &[b]);
        }
        2 => {
            let len = u.int_in_range(0..=64)?;
            let end = (at + len).min(input.len());
            input.drain(at..end);
        }
        3 => input.truncate(at),
        4 => {
            if let Some(token) = choose_str(u, dictionary)? {
                insert(input, at, token.as_bytes());
            }
        }
        5 => {
            // A piece repeated: deep nesting, long runs, quadratic scans.
            let len = u.int_in_range(1..=32)?;
            let end = (at + len).min(input.len());
            let piece = input.get(at..end).unwrap_or_default().to_vec();
            let times = u.int_in_range(2..=512)?;
            insert(input, end, &piece.repeat(times));
        }
        6 => {
            if let Some(other) = choose(u, others)? {
                let from = position(u, other.len())?;
                let len = u.int_in_range(0..=1024)?;
                let piece = other.get(from..(from + len).min(other.len()));
                insert(input, at, piece.unwrap_or_default());
            }
        }
        7 => replace_number(u, input)?,
        8 => {
            let width = *u.choose(&[1usize, 2, 4, 8])?;
            let value = u.choose(WIDE)?.to_le_bytes();
            let end = (at + width).min(input.len());
            let field = value.get(..end - at).unwrap_or_default();
            input.splice(at..end, field.iter().copied());
        }
        9 => {
            let len = u.int_in_range(1..=16)?;
            let bytes: Vec<u8> = (0..len)
                .map(|_| u.arbitrary::<u8>())
                .collect::<Result<_>>()?;
            insert(input, at, &bytes);
        }
        _ => {
            if let Some(b) = input.get_mut(at) {
                *b = u.arbitrary()?;
            }
        }
    }
    Ok(())
}

/// Replaces a run of ASCII digits (the first at or after a random place)
/// with an edge-case number.
fn replace_number(u: &mut Unstructured, input: &mut Vec<u8>) -> Result<()> {
    let from = position(u, input.len())?;
    let Some(start) = input
        .get(from..)
        .and_then(|rest| rest.iter().position(u8::is_ascii_digit))
        .map(|i| from + i)
    else {
        return Ok(());
    };
    let len = input
        .get(start..)
        .unwrap_or_default()
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let number = u.choose(NUMBERS)?;
    input.splice(start..start + len, number.bytes());
    Ok(())
}

fn insert(input: &mut Vec<u8>, at: usize, bytes: &[u8]) {
    let at = at.min(input.len());
    input.splice(at..at, bytes.iter().copied());
}

/// A place in (or at the end of) an input of `len` bytes.
fn position(u: &mut Unstructured, len: usize) -> Result<usize> {
    u.int_in_range(0..=len)
}

fn choose<'a, T>(u: &mut Unstructured, items: &'a [T]) -> Result<Option<&'a T>> {
    if items.is_empty() {
        return Ok(None);
    }
    u.choose(items).map(Some)
}

fn choose_str<'a>(u: &mut Unstructured, items: &[&'a str]) -> Result<Option<&'a str>> {
    Ok(choose(u, items)?.copied())
}
