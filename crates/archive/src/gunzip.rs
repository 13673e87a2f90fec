//! A streaming gzip decoder (multi-member, CRC-checked), used to check diff_ids.

use crate::inflate::{self, Next};
use zlib_rs::Inflate;

#[derive(Debug, thiserror::Error)]
#[error("invalid gzip data: {0}")]
pub struct GunzipError(pub String);

enum Phase {
    Header,
    Body,
    Trailer,
}

/// The longest gzip header read: the fixed part, a full extra field and a
/// file name and comment of 32 KiB each, far beyond what any tool writes.
const MAX_HEADER: usize = 10 + 2 + 65_535 + 2 * 32_768 + 2;

/// Feed compressed bytes with `push`; uncompressed bytes go to the sink.
pub struct Gunzip {
    phase: Phase,
    pending: Vec<u8>,
    inflate: Inflate,
    crc: crc32fast::Hasher,
    len: u32,
    scratch: Vec<u8>,
    members: u32,
}

impl Default for Gunzip {
    fn default() -> Self {
        Self::new()
    }
}

impl Gunzip {
    pub fn new() -> Self {
        Gunzip {
            phase: Phase::Header,
            pending: Vec::new(),
            inflate: Inflate::new(false, 15),
            crc: crc32fast::Hasher::new(),
            len: 0,
            scratch: vec![0; 64 * 1024],
            members: 0,
        }
    }

    pub fn push(
        &mut self,
        mut input: &[u8],
        sink: &mut dyn FnMut(&[u8]),
    ) -> Result<(), GunzipError> {
        while !input.is_empty() {
            match self.phase {
                Phase::Header => {
                    // Held until the header is whole, and no longer than a
                    // header can honestly be: a name that never ends must
                    // not pull the whole layer into memory.
                    let before = self.pending.len();
                    let take = (MAX_HEADER + 1 - before).min(input.len());
                    self.pending.extend_from_slice(&input[..take]);
                    let Some(n) = header_len(&self.pending)? else {
                        if self.pending.len() > MAX_HEADER {
                            return Err(GunzipError(format!(
                                "the gzip header runs past {MAX_HEADER} bytes: its name or comment never ends"
                            )));
                        }
                        return Ok(());
                    };
                    // The header did not end within the bytes held before,
                    // so it ends within those just taken. A loop, not a
                    // call per member: a layer of many tiny members must
                    // not exhaust the stack.
                    input = input.get(n.saturating_sub(before)..).unwrap_or_default();
                    self.pending.clear();
                    self.phase = Phase::Body;
                    self.inflate.reset(false);
                    self.crc = crc32fast::Hasher::new();
                    self.len = 0;
                }
                Phase::Body => {
                    // Until the input is used up and the output has room to
                    // spare: a full output may leave more inside the state.
                    loop {
                        let step = inflate::step(&mut self.inflate, input, &mut self.scratch);
                        let out = self.scratch.get(..step.written).unwrap_or_default();
                        self.crc.update(out);
                        self.len = self.len.wrapping_add(out.len() as u32);
                        sink(out);
                        input = input.get(step.consumed..).unwrap_or_default();
                        match step.next {
                            Ok(Next::Ended) => {
                                self.phase = Phase::Trailer;
                                break;
                            }
                            Ok(Next::Wait) => break,
                            Ok(Next::More) => {}
                            Err(e) => return Err(GunzipError(format!("deflate stream: {e}"))),
                        }
                    }
                }
                Phase::Trailer => {
                    let take = (8 - self.pending.len()).min(input.len());
                    self.pending.extend_from_slice(&input[..take]);
                    input = &input[take..];
                    if self.pending.len() == 8 {
                        self.check_trailer()?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Fails unless the input ended right after a complete member.
    pub fn finish(&mut self) -> Result<(), GunzipError> {
        // Inflate may hold output back until asked again with no input.
        if let Phase::Body = self.phase {
            return Err(GunzipError(
                "truncated: the deflate stream does not end".to_owned(),
            ));
        }
        if !self.pending.is_empty() || self.members == 0 {
            return Err(GunzipError(
                "truncated: incomplete header or trailer".to_owned(),
            ));
        }
        Ok(())
    }

    fn check_trailer(&mut self) -> Result<(), GunzipError> {
        let crc = u32::from_le_bytes([
            self.pending[0],
            self.pending[1],
            self.pending[2],
            self.pending[3],
        ]);
        let len = u32::from_le_bytes([
            self.pending[4],
            self.pending[5],
            self.pending[6],
            self.pending[7],
        ]);
        if crc != self.crc.clone().finalize() || len != self.len {
            return Err(GunzipError(
                "CRC or length in the trailer does not match the data".to_owned(),
            ));
        }
        self.pending.clear();
        self.members += 1;
        self.phase = Phase::Header;
        Ok(())
    }
}

/// The header's length once `buf` holds all of it (RFC 1952 §2.3).
fn header_len(buf: &[u8]) -> Result<Option<usize>, GunzipError> {
    if buf.len() < 10 {
        return Ok(None);
    }
    if buf[0] != 0x1f || buf[1] != 0x8b || buf[2] != 8 {
        return Err(GunzipError("not a gzip header".to_owned()));
    }
    let flags = buf[3];
    let mut at = 10;
    if flags & 4 != 0 {
        let Some(xlen) = buf.get(at..at + 2) else {
            return Ok(None);
        };
        at += 2 + usize::from(u16::from_le_bytes([xlen[0], xlen[1]]));
    }
    for flag in [8, 16] {
        if flags & flag != 0 {
            match buf.get(at..).and_then(|b| b.iter().position(|&c| c == 0)) {
                Some(end) => at += end + 1,
                None => return Ok(None),
            }
        }
    }
    if flags & 2 != 0 {
        at += 2;
    }
    Ok((buf.len() >= at).then_some(at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gzip;

    fn gz(data: &[u8]) -> Vec<u8> {
        gzip::gzip(data)
    }

    fn gunzip_in(pieces: usize, data: &[u8]) -> Result<Vec<u8>, GunzipError> {
        let mut d = Gunzip::new();
        let mut out = Vec::new();
        for chunk in data.chunks(data.len().div_ceil(pieces).max(1)) {
            d.push(chunk, &mut |b| out.extend_from_slice(b))?;
        }
        d.finish()?;
        Ok(out)
    }

    #[test]
    fn round_trips_in_any_split_and_across_members() {
        let data: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut two = gz(&data);
        two.extend(gz(b"second"));
        let mut want = data.clone();
        want.extend_from_slice(b"second");
        for pieces in [1, 3, 1000] {
            assert_eq!(gunzip_in(pieces, &two).ok(), Some(want.clone()));
        }
    }

    /// A megabyte of zeros is a few hundred bytes of deflate: one call
    /// takes all of it with far more output pending than fits. All of it
    /// reaches the sink before the trailer does, and a stream from another
    /// deflater (miniz) reads the same.
    #[test]
    fn output_held_inside_the_decoder_comes_out_before_the_trailer() {
        let zeros = vec![0u8; 1 << 20];
        let mut whole = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
        whole.extend(miniz_oxide::deflate::compress_to_vec(&zeros, 9));
        whole.extend(crc32fast::hash(&zeros).to_le_bytes());
        whole.extend((zeros.len() as u32).to_le_bytes());
        let (body, trailer) = whole.split_at(whole.len() - 8);
        let mut d = Gunzip::new();
        let mut out = Vec::new();
        d.push(body, &mut |b| out.extend_from_slice(b)).unwrap();
        assert_eq!(out.len(), zeros.len());
        d.push(trailer, &mut |b| out.extend_from_slice(b)).unwrap();
        d.finish().unwrap();
        assert_eq!(out, zeros);
    }

    #[test]
    fn detects_corruption_and_truncation() {
        let mut bad = gz(b"hello hello hello");
        let n = bad.len();
        bad[n - 6] ^= 1;
        assert!(gunzip_in(1, &bad).is_err());
        let good = gz(b"hello");
        assert!(gunzip_in(1, &good[..good.len() - 3]).is_err());
        assert!(gunzip_in(1, b"not gzip at all").is_err());
    }

    /// Each member used to start with a nested call to `push`: a layer of
    /// many empty members in one piece ran the stack out (the wasm has 1 MiB).
    #[test]
    fn many_members_in_one_piece_need_no_stack() {
        let stream = gz(b"").repeat(5_000);
        let worker = std::thread::Builder::new()
            .stack_size(128 << 10)
            .spawn(move || gunzip_in(1, &stream).map(|out| out.len()))
            .map(|w| w.join());
        assert!(matches!(worker, Ok(Ok(Ok(0)))), "{worker:?}");
    }

    /// A header whose file name never ends (flag FNAME, then no NUL) used
    /// to be held whole: the entire layer, in memory. It stops at the cap.
    #[test]
    fn a_name_that_never_ends_is_refused_at_the_header_cap() {
        let mut d = Gunzip::new();
        let header = [0x1f, 0x8b, 8, 8, 0, 0, 0, 0, 0, 3];
        d.push(&header, &mut |_| {}).unwrap_or_default();
        let name = [b'a'; 64 << 10];
        let mut result = Ok(());
        for _ in 0..64 {
            result = d.push(&name, &mut |_| {});
            assert!(d.pending.len() <= MAX_HEADER + 1);
            if result.is_err() {
                break;
            }
        }
        let message = result.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(message.contains("never ends"), "{message}");
    }
}
