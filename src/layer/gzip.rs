//! A deterministic gzip encoder that stores incompressible data instead of deflating it.
//!
//! Input is cut into 32 KiB pieces. A piece whose byte histogram is close to
//! uniform (random data, or data that is already compressed) goes out as a
//! deflate *stored* block, which costs a copy; everything else goes through
//! `miniz_oxide`. The choice uses integer arithmetic only, so every host
//! makes the same choice and writes the same bytes.

use miniz_oxide::deflate::core::{
    compress, create_comp_flags_from_zip_params, CompressorOxide, TDEFLFlush, TDEFLStatus,
};

/// miniz level 2 (greedy, few probes). On the layer benchmark's text it
/// writes 6% less than level 1, whose one-probe fast path is 40% quicker
/// but leaves layers 10% larger than `gzip -6`'s; level 3 is slower than
/// `gzip -1` itself. See docs/benchmarks.md.
pub const LEVEL: u8 = 2;
const PIECE: usize = 32 * 1024;
/// Input collected before compressing, to keep calls into miniz few.
const CHUNK: usize = 32 * PIECE;
/// `Σ count²` below `PIECE² / STORE_BELOW` means a Rényi entropy above
/// log2(STORE_BELOW) ≈ 7.64 bits per byte: deflate would save under 5%.
const STORE_BELOW: u64 = 200;

const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
/// A final fixed-Huffman block holding only end-of-block: `03 00`.
const FINAL_EMPTY_BLOCK: [u8; 2] = [0x03, 0x00];

pub struct GzipEncoder {
    deflate: Box<CompressorOxide>,
    crc: crc32fast::Hasher,
    pending: Vec<u8>,
    scratch: Vec<u8>,
    total_in: u64,
    started: bool,
    /// Whether the compressor's window still matches what the decoder has seen.
    window_in_sync: bool,
}

impl Default for GzipEncoder {
    fn default() -> Self {
        Self::new()
    }
}

impl GzipEncoder {
    pub fn new() -> Self {
        let flags = create_comp_flags_from_zip_params(i32::from(LEVEL), -15, 0);
        GzipEncoder {
            deflate: Box::new(CompressorOxide::new(flags)),
            crc: crc32fast::Hasher::new(),
            pending: Vec::with_capacity(CHUNK),
            scratch: vec![0; 64 * 1024],
            total_in: 0,
            started: false,
            window_in_sync: true,
        }
    }

    /// Takes uncompressed bytes; appends whatever compressed bytes are ready to `out`.
    pub fn push(&mut self, mut data: &[u8], out: &mut Vec<u8>) {
        self.start(out);
        self.crc.update(data);
        self.total_in += data.len() as u64;
        while !data.is_empty() {
            let take = (CHUNK - self.pending.len()).min(data.len());
            self.pending.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.pending.len() == CHUNK {
                self.flush_pending(out);
            }
        }
    }

    /// Ends the stream: the last block and the gzip trailer. Nothing may be pushed after.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        self.start(out);
        self.flush_pending(out);
        out.extend_from_slice(&FINAL_EMPTY_BLOCK);
        out.extend_from_slice(&self.crc.clone().finalize().to_le_bytes());
        // ISIZE is the length modulo 2^32 by definition.
        out.extend_from_slice(&(self.total_in as u32).to_le_bytes());
    }

    fn start(&mut self, out: &mut Vec<u8>) {
        if !self.started {
            out.extend_from_slice(&HEADER);
            self.started = true;
        }
    }

    fn flush_pending(&mut self, out: &mut Vec<u8>) {
        let pending = std::mem::take(&mut self.pending);
        let mut rest = &pending[..];
        while !rest.is_empty() {
            let store = incompressible(&rest[..PIECE.min(rest.len())]);
            let run = run_length(rest, store);
            if store {
                write_stored(&rest[..run], out);
                self.window_in_sync = false;
            } else {
                self.deflate_run(&rest[..run], out);
            }
            rest = &rest[run..];
        }
        self.pending = pending;
        self.pending.clear();
    }

    /// Deflates `data` and ends on a byte boundary (sync flush), so that a
    /// stored block may follow.
    fn deflate_run(&mut self, mut data: &[u8], out: &mut Vec<u8>) {
        if !self.window_in_sync {
            // Stored bytes went to the decoder behind the compressor's back;
            // back-references into its old window would now point wrong.
            self.deflate.reset();
            self.window_in_sync = true;
        }
        loop {
            let (status, used, written) =
                compress(&mut self.deflate, data, &mut self.scratch, TDEFLFlush::Sync);
            out.extend_from_slice(&self.scratch[..written]);
            data = &data[used..];
            let drained = written < self.scratch.len();
            if data.is_empty() && drained || status != TDEFLStatus::Okay {
                return;
            }
        }
    }
}

/// Bytes from the start of `data` whose pieces all have the same verdict.
fn run_length(data: &[u8], store: bool) -> usize {
    // The first piece's verdict is `store` already.
    let mut len = PIECE.min(data.len());
    while len < data.len() {
        let piece = &data[len..(len + PIECE).min(data.len())];
        if incompressible(piece) != store {
            break;
        }
        len += piece.len();
    }
    len
}

/// True when the byte histogram says deflate could save little.
fn incompressible(piece: &[u8]) -> bool {
    // Tiny pieces are cheap to deflate whatever they hold.
    if piece.len() < 4096 {
        return false;
    }
    // Every fourth byte is a fair sample of a 32 KiB piece, at a quarter of the cost.
    let mut counts = [0u32; 256];
    let mut n = 0u64;
    for &b in piece.iter().step_by(4) {
        counts[usize::from(b)] += 1;
        n += 1;
    }
    let collisions: u64 = counts.iter().map(|&c| u64::from(c) * u64::from(c)).sum();
    collisions * STORE_BELOW < n * n
}

/// Stored blocks (BTYPE 00) of at most 65,535 bytes each; the stream is
/// byte-aligned here, so each begins with a whole header byte.
fn write_stored(data: &[u8], out: &mut Vec<u8>) {
    for block in data.chunks(u16::MAX as usize) {
        let len = block.len() as u16;
        out.push(0);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gzip(parts: &[&[u8]]) -> Vec<u8> {
        let mut enc = GzipEncoder::new();
        let mut out = Vec::new();
        for p in parts {
            enc.push(p, &mut out);
        }
        enc.finish(&mut out);
        out
    }

    fn gunzip(gz: &[u8]) -> Vec<u8> {
        assert_eq!(&gz[..10], &HEADER);
        let body = &gz[10..gz.len() - 8];
        let data = miniz_oxide::inflate::decompress_to_vec(body)
            .unwrap_or_else(|e| panic!("inflate: {e:?}"));
        let crc = u32::from_le_bytes(
            gz[gz.len() - 8..gz.len() - 4]
                .try_into()
                .unwrap_or_default(),
        );
        assert_eq!(crc, crc32fast::hash(&data));
        data
    }

    /// A fixed-seed xorshift stream: reproducible "random" bytes.
    fn noise(len: usize, mut seed: u64) -> Vec<u8> {
        (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed as u8
            })
            .collect()
    }

    fn text(len: usize) -> Vec<u8> {
        b"def handler(request):\n    return {'status': 'ok', 'items': [1, 2, 3]}\n"
            .iter()
            .copied()
            .cycle()
            .take(len)
            .collect()
    }

    #[test]
    fn empty_input_is_a_valid_gzip_stream() {
        assert_eq!(gunzip(&gzip(&[])), Vec::<u8>::new());
    }

    #[test]
    fn mixed_text_and_noise_round_trip_across_chunk_boundaries() {
        let mut data = text(100_000);
        data.extend(noise(3 * CHUNK + 123, 7));
        data.extend(text(CHUNK + 5));
        data.extend(noise(40_000, 9));
        data.extend(text(3));
        // Feed in odd-sized slices to cross every internal boundary.
        let parts: Vec<&[u8]> = data.chunks(77_777).collect();
        assert_eq!(gunzip(&gzip(&parts)), data);
    }

    #[test]
    fn noise_is_stored_and_text_is_compressed() {
        let n = noise(4 * CHUNK, 3);
        let gz = gzip(&[&n]);
        let overhead = gz.len() - n.len();
        // Five bytes per stored block of up to 64 KiB, plus header and trailer.
        assert!(
            overhead < n.len() / 10_000 + 64,
            "stored noise overhead {overhead}"
        );
        let t = text(4 * CHUNK);
        assert!(gzip(&[&t]).len() < t.len() / 20);
    }

    #[test]
    fn output_depends_only_on_the_bytes_not_on_how_they_arrive() {
        let mut data = text(70_000);
        data.extend(noise(200_000, 11));
        let whole = gzip(&[&data]);
        let split: Vec<&[u8]> = data.chunks(1000).collect();
        assert_eq!(whole, gzip(&split));
    }
}
