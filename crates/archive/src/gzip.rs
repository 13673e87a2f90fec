//! A deterministic gzip encoder that stores incompressible data and can use more than one core.
//!
//! Input is cut into 1 MiB chunks, each deflated on its own (a fresh window,
//! ending on a byte boundary), so chunks can be compressed in any order on
//! any thread and the stream is the same. Within a chunk, 32 KiB pieces whose
//! byte histogram is close to uniform (random or already-compressed data) go
//! out as deflate *stored* blocks, which costs a copy; everything else goes
//! through `zlib-rs` (zlib-ng's algorithms in Rust). The choices use integer
//! arithmetic only, and zlib-rs's SIMD paths (simd128 in the wasm, AVX2 on
//! x86-64) only compare bytes faster, never choose other matches, so every
//! host writes the same bytes.

use zlib_rs::{Deflate, DeflateFlush};

/// zlib-rs level 3 (zlib-ng's `deflate_fast` with more probes). Level 2
/// is 20% quicker but leaves a layer of Python sources 18% larger than
/// `gzip -6`'s, level 3 9%; level 1 (`deflate_quick`, fixed Huffman codes)
/// 48%. See docs/benchmarks.md, "Layer".
pub const LEVEL: i32 = 3;
const PIECE: usize = 32 * 1024;
/// The unit of independent compression: large enough that restarting the
/// window costs nothing measurable, small enough to keep two in flight.
pub const CHUNK: usize = 32 * PIECE;
/// `Σ count²` below `PIECE² / STORE_BELOW` means a Rényi entropy above
/// log2(STORE_BELOW) ≈ 7.64 bits per byte: deflate would save under 5%.
const STORE_BELOW: u64 = 200;

pub const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
/// A final fixed-Huffman block holding only end-of-block: `03 00`.
const FINAL_EMPTY_BLOCK: [u8; 2] = [0x03, 0x00];

/// Deflates one chunk on its own into non-final blocks that end byte-aligned.
/// The same bytes in give the same bytes out, on every host and thread.
pub fn deflate_chunk(data: &[u8]) -> Vec<u8> {
    // Sized for the worst case (stored blocks add 5 bytes per 64 KiB) so it
    // never grows: regrowing megabyte buffers fragments wasm's heap, which
    // never shrinks.
    let mut out = Vec::with_capacity(data.len() + data.len() / 1024 + 64);
    let mut compressor: Option<Deflate> = None;
    let mut rest = data;
    while !rest.is_empty() {
        let store = incompressible(&rest[..PIECE.min(rest.len())]);
        let run = run_length(rest, store);
        if store {
            write_stored(&rest[..run], &mut out);
            // Stored bytes reached the decoder behind the compressor's back;
            // back-references into its old window would now point wrong.
            compressor = None;
        } else {
            // Raw deflate (no zlib header) with a 32 KiB window.
            let c = compressor.get_or_insert_with(|| Deflate::new(LEVEL, false, 15));
            deflate_run(c, &rest[..run], &mut out);
        }
        rest = &rest[run..];
    }
    out
}

/// A chunk as the layer encoder takes it back: its deflated bytes, then the
/// CRC-32 of `data` (little-endian). The thread that deflates a chunk also
/// checksums it, so the thread that reads, tars and hashes the layer does
/// not; [`Trailer::add_chunk`] joins the checksums in order.
pub fn compress_chunk(data: &[u8]) -> Vec<u8> {
    let mut out = deflate_chunk(data);
    out.extend_from_slice(&crc32fast::hash(data).to_le_bytes());
    out
}

/// [`compress_chunk`]'s result taken apart: the deflated bytes and the
/// chunk's CRC-32; `None` when it is too short to hold one.
pub fn split_compressed(result: &[u8]) -> Option<(&[u8], u32)> {
    let (deflated, crc) = result.split_at_checked(result.len().checked_sub(4)?)?;
    Some((deflated, u32::from_le_bytes(crc.try_into().ok()?)))
}

/// Deflates `data` and ends on a byte boundary (sync flush), so that a
/// stored block or another chunk may follow.
fn deflate_run(compressor: &mut Deflate, mut data: &[u8], out: &mut Vec<u8>) {
    // As in zlib, a flush is complete once a call leaves output room unused;
    // a call that fills the room is followed by another with what is left.
    loop {
        let start = out.len();
        let room = data.len() + data.len() / 8 + 1024;
        out.resize(start + room, 0);
        let (in_before, out_before) = (compressor.total_in(), compressor.total_out());
        // Its errors are a bad level or a failed allocation: the level is a
        // constant, and Rust's allocator aborts rather than fail.
        compressor
            .compress(data, &mut out[start..], DeflateFlush::SyncFlush)
            .unwrap_or_else(|_| unreachable!());
        let written = (compressor.total_out() - out_before) as usize;
        out.truncate(start + written);
        data = &data[(compressor.total_in() - in_before) as usize..];
        if written < room {
            return;
        }
    }
}

/// The checksum and length the trailer needs, over the uncompressed bytes.
#[derive(Clone, Default)]
pub struct Trailer {
    crc: crc32fast::Hasher,
    len: u64,
}

impl Trailer {
    pub fn update(&mut self, data: &[u8]) {
        self.crc.update(data);
        self.len += data.len() as u64;
    }

    /// Appends the checksum of `len` bytes that follow those seen so far,
    /// worked out elsewhere (by [`compress_chunk`]).
    pub fn add_chunk(&mut self, crc: u32, len: u64) {
        self.crc
            .combine(&crc32fast::Hasher::new_with_initial_len(crc, len));
        self.len += len;
    }

    /// The final empty block, then CRC-32 and the length modulo 2^32.
    pub fn finish(self) -> [u8; 10] {
        let mut out = [0u8; 10];
        out[..2].copy_from_slice(&FINAL_EMPTY_BLOCK);
        out[2..6].copy_from_slice(&self.crc.finalize().to_le_bytes());
        out[6..].copy_from_slice(&(self.len as u32).to_le_bytes());
        out
    }
}

/// A whole gzip stream of `data`, compressed on this thread (for tests).
#[cfg(any(test, feature = "writer"))]
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut out = HEADER.to_vec();
    let mut trailer = Trailer::default();
    for chunk in data.chunks(CHUNK) {
        trailer.update(chunk);
        out.extend(deflate_chunk(chunk));
    }
    out.extend_from_slice(&trailer.finish());
    out
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
        super::gzip(&parts.concat())
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

    /// A run whose compressed form fills miniz's output exactly as its
    /// input ends, from a 140 MB tree whose layers came out corrupt when
    /// the flush after such a call was cut short.
    #[test]
    fn a_run_that_fills_the_output_as_it_ends_still_flushes() {
        let data: &[u8] = include_bytes!("testdata/scratch-boundary.bin");
        assert_eq!(gunzip(&gzip(&[data])), data.to_vec());
    }

    /// The same failure in other data: word salad compresses to about a
    /// third, and near these lengths its last call fills the output (a
    /// sweep over 16 KiB..1 MiB found such windows every ~133 KB).
    #[test]
    fn runs_ending_on_a_full_output_round_trip() {
        let salad = words(140_000);
        for len in (131_810..=132_032).step_by(37) {
            let data = &salad[..len];
            assert_eq!(gunzip(&gzip(&[data])), data.to_vec(), "length {len}");
        }
    }

    /// Python-like words, for test data that compresses as sources do.
    const VOCAB: [&str; 16] = [
        "import ",
        "return ",
        "self",
        ".items",
        "(request)",
        ":\n    ",
        "value",
        " = ",
        "None",
        "[0]",
        "json",
        " if ",
        "else ",
        "for x in ",
        "data",
        "\n",
    ];

    fn words(len: usize) -> Vec<u8> {
        let mut seed = 88_172_645_463_325_252u64;
        let mut out = Vec::with_capacity(len + 16);
        while out.len() < len {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            out.extend_from_slice(VOCAB[(seed % 16) as usize].as_bytes());
            out.extend_from_slice(&[b'a' + (seed >> 8) as u8 % 26]);
        }
        out.truncate(len);
        out
    }

    /// Python-like words and a stretch of noise from a 32-bit LCG: the
    /// same generator as `pinnedChunk` in tests/js/deflate-worker.test.mjs.
    fn pinned_chunk() -> Vec<u8> {
        let mut x: u32 = 1;
        let mut next = || {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            x
        };
        let mut out = Vec::with_capacity(CHUNK);
        while out.len() < CHUNK - 200_000 {
            out.extend_from_slice(VOCAB[(next() >> 16) as usize % 16].as_bytes());
        }
        while out.len() < CHUNK {
            out.push((next() >> 24) as u8);
        }
        out
    }

    #[test]
    fn a_compressed_chunk_is_its_deflate_then_its_checksum_which_joins_like_one_pass() {
        let data = text(3 * CHUNK / 2 + 77);
        let mut joined = Trailer::default();
        for chunk in data.chunks(CHUNK).chain([&[][..]]) {
            let result = compress_chunk(chunk);
            let (deflated, crc) = split_compressed(&result).unwrap();
            assert_eq!(deflated, deflate_chunk(chunk));
            assert_eq!(crc, crc32fast::hash(chunk));
            joined.add_chunk(crc, chunk.len() as u64);
        }
        let mut one_pass = Trailer::default();
        one_pass.update(&data);
        assert_eq!(joined.finish(), one_pass.finish());
        assert_eq!(split_compressed(&[1, 2, 3]), None);
    }

    /// The wasm build (simd128) must write these same bytes; the JS test
    /// pins the same digest, so a native build whose SIMD paths chose other
    /// matches than the wasm's would fail one of the two.
    #[test]
    fn a_chunk_deflates_to_the_pinned_bytes_on_every_host() {
        let data = pinned_chunk();
        let deflated = deflate_chunk(&data);
        let digest =
            pycontainer_digest::Digest::of(pycontainer_digest::Sha256::portable(), &deflated);
        assert_eq!(
            digest.hex(),
            "46d6e415a569f7bbbb8857324b3b276e752452401f27cd7c958e56cdd8993057"
        );
        assert_eq!(gunzip(&super::gzip(&data)), data);
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
    fn chunks_compressed_apart_make_the_same_stream() {
        let mut data = text(CHUNK + 70_000);
        data.extend(noise(CHUNK, 11));
        // Compress the chunks last to first, as another thread might finish them.
        let mut parts: Vec<Vec<u8>> = data.chunks(CHUNK).rev().map(deflate_chunk).collect();
        parts.reverse();
        let mut trailer = Trailer::default();
        trailer.update(&data);
        let stream = [HEADER.to_vec(), parts.concat(), trailer.finish().to_vec()].concat();
        assert_eq!(stream, super::gzip(&data));
        assert_eq!(gunzip(&stream), data);
    }
}
