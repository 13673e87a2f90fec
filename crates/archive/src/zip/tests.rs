//! Tests for the wheel zip reader: crafted archives for each rule, and a real wheel.

use super::writer::{file, read_all, zip, zip64, zip_with_comment};
use super::*;

const SIX: &[u8] =
    include_bytes!("../../../../tests/fixtures/wheels/six-1.17.0-py2.py3-none-any.whl");

fn tail(zip: &[u8]) -> &[u8] {
    &zip[zip.len().saturating_sub(TAIL_LEN)..]
}

fn directory(zip: &[u8]) -> Directory {
    match find_end(tail(zip), zip.len() as u64).unwrap() {
        End::Directory(d) => d,
        End::Zip64 { .. } => panic!("expected a classic end record"),
    }
}

fn entries(zip: &[u8]) -> Result<Vec<ZipEntry>, ZipError> {
    let d = directory(zip);
    parse_directory(
        &zip[d.offset as usize..(d.offset + d.size) as usize],
        d.entries,
    )
}

#[test]
fn stored_and_deflated_entries_read_back_with_their_attributes() {
    let text = b"import sys\n".repeat(500);
    let archive = zip(&[
        file("pkg/", b"").stored().mode(Some(0o40755)),
        file("pkg/__init__.py", &text),
        file("pkg/run.sh", b"#!/bin/sh\n")
            .stored()
            .mode(Some(0o100755)),
        file("pkg/dos.txt", b"dos").mode(None),
    ]);
    let read = read_all(&archive).unwrap();
    let names: Vec<_> = read.iter().map(|(e, _)| e.name.as_str()).collect();
    assert_eq!(
        names,
        ["pkg/", "pkg/__init__.py", "pkg/run.sh", "pkg/dos.txt"]
    );
    let (init, data) = &read[1];
    assert_eq!(data, &text);
    assert_eq!(init.method, Method::Deflated);
    assert!(init.compressed_size < init.size);
    assert_eq!(init.crc32, crc32fast::hash(&text));
    assert_eq!(init.unix_mode, Some(0o100644));
    assert!(read[0].0.is_dir && !init.is_dir);
    assert_eq!(read[2].0.method, Method::Stored);
    assert_eq!(read[2].0.unix_mode, Some(0o100755));
    assert_eq!(read[2].1, b"#!/bin/sh\n");
    assert_eq!(read[3].0.unix_mode, None);
}

#[test]
fn the_real_six_wheel_reads_and_every_crc_checks() {
    let read = read_all(SIX).unwrap();
    let names: Vec<_> = read.iter().map(|(e, _)| e.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "six.py",
            "six-1.17.0.dist-info/LICENSE",
            "six-1.17.0.dist-info/METADATA",
            "six-1.17.0.dist-info/WHEEL",
            "six-1.17.0.dist-info/top_level.txt",
            "six-1.17.0.dist-info/RECORD",
        ]
    );
    let (six, data) = &read[0];
    assert_eq!((six.size, data.len()), (34703, 34703));
    assert!(data.starts_with(b"# Copyright (c) 2010-2024 Benjamin Peterson"));
    assert_eq!(read[4].1, b"six\n");
}

#[test]
fn a_signature_inside_the_comment_is_not_taken_for_the_end_record() {
    let files = [file("a.txt", b"hello")];
    let plain = zip(&files);
    let mut comment = b"see PK".to_vec();
    comment.extend_from_slice(&EOCD_SIG.to_le_bytes());
    comment.extend_from_slice(&[0; 30]);
    let archive = zip_with_comment(&files, &comment);
    assert_eq!(directory(&archive), directory(&plain));
    assert_eq!(read_all(&archive).unwrap()[0].1, b"hello");
}

#[test]
fn a_file_without_an_end_record_is_not_a_zip() {
    let junk = vec![7u8; 100];
    assert_eq!(find_end(&junk, 100), Err(ZipError::NoEnd { searched: 100 }));
    let mut archive = zip(&[file("a", b"x")]);
    archive.push(0); // the comment length no longer reaches the end
    assert!(matches!(
        find_end(tail(&archive), archive.len() as u64),
        Err(ZipError::NoEnd { .. })
    ));
    assert!(matches!(
        find_end(b"", 0),
        Err(ZipError::NoEnd { searched: 0 })
    ));
}

#[test]
fn a_directory_past_the_end_record_is_refused() {
    let mut archive = zip(&[file("a", b"x")]);
    let eocd = archive.len() - 22;
    archive[eocd + 16..eocd + 20].copy_from_slice(&1000u32.to_le_bytes());
    let err = find_end(tail(&archive), archive.len() as u64).unwrap_err();
    assert!(matches!(
        err,
        ZipError::OutOfBounds {
            what: "central directory",
            offset: 1000,
            ..
        }
    ));
}

#[test]
fn zip64_records_and_extra_fields_are_followed() {
    let text = b"zip64 body ".repeat(100);
    let archive = zip64(&[file("a/one.py", &text), file("b.txt", b"two").stored()]);
    let record_offset = match find_end(tail(&archive), archive.len() as u64).unwrap() {
        End::Zip64 { record_offset } => record_offset,
        End::Directory(d) => panic!("expected ZIP64, got {d:?}"),
    };
    let at = record_offset as usize;
    let d = parse_zip64_end(&archive[at..at + ZIP64_END_LEN], record_offset).unwrap();
    assert_eq!(d.entries, 2);
    let read = read_all(&archive).unwrap();
    assert_eq!(read[0].0.size, text.len() as u64);
    assert_eq!(read[0].1, text);
    assert_eq!(
        read[1].0.local_header_offset,
        directory_offset_of_second(&archive)
    );
    assert_eq!(read[1].1, b"two");
}

fn directory_offset_of_second(archive: &[u8]) -> u64 {
    let sig = LOCAL_SIG.to_le_bytes();
    archive
        .windows(4)
        .enumerate()
        .filter(|(_, w)| *w == sig)
        .nth(1)
        .map(|(i, _)| i as u64)
        .unwrap()
}

#[test]
fn a_zip64_mark_without_its_extra_field_is_refused() {
    let mut archive = zip(&[file("big.bin", b"x")]);
    let d = directory(&archive);
    let size_field = d.offset as usize + 24;
    archive[size_field..size_field + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(
        entries(&archive),
        Err(ZipError::MissingZip64 {
            entry: "big.bin".into()
        })
    );
}

#[test]
fn a_zip64_record_out_of_place_is_refused() {
    let archive = zip64(&[file("a", b"x")]);
    let End::Zip64 { record_offset } = find_end(tail(&archive), archive.len() as u64).unwrap()
    else {
        panic!("expected ZIP64");
    };
    let at = record_offset as usize;
    let mut record = archive[at..at + ZIP64_END_LEN].to_vec();
    record[0] = b'X';
    assert_eq!(
        parse_zip64_end(&record, record_offset),
        Err(ZipError::BadSignature {
            what: "ZIP64 end of central directory record"
        })
    );
    assert!(matches!(
        parse_zip64_end(&archive[at..at + ZIP64_END_LEN], 10),
        Err(ZipError::OutOfBounds { limit: 10, .. })
    ));
}

#[test]
fn encrypted_entries_and_other_methods_name_the_entry() {
    let mut locked = file("secret.py", b"x");
    locked.flags = 1;
    assert_eq!(
        entries(&zip(&[locked])),
        Err(ZipError::Encrypted {
            entry: "secret.py".into()
        })
    );
    let mut bzip = file("pkg/data.bin", b"x").stored();
    bzip.method = 12;
    let err = entries(&zip(&[bzip])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "zip entry \"pkg/data.bin\" uses compression method 12 (bzip2); only stored (0) and deflated (8) are supported"
    );
}

#[test]
fn names_must_be_utf8_by_flag_or_plain_ascii() {
    let ok = read_all(&zip(&[file("café/é.py", b"x")])).unwrap();
    assert_eq!(ok[0].0.name, "café/é.py");

    let mut cp437 = file("x", b"x");
    cp437.name = b"caf\x82.py".to_vec();
    assert!(matches!(
        entries(&zip(&[cp437.clone()])),
        Err(ZipError::NameEncoding { .. })
    ));
    cp437.flags = 0x0800;
    assert!(matches!(
        entries(&zip(&[cp437])),
        Err(ZipError::NameEncoding { .. })
    ));
    let mut utf8_unflagged = file("x", b"x");
    utf8_unflagged.name = "é.py".as_bytes().to_vec();
    utf8_unflagged.flags = 0;
    assert_eq!(
        entries(&zip(&[utf8_unflagged])),
        Err(ZipError::NameEncoding {
            entry: "é.py".into()
        })
    );
}

#[test]
fn a_wrong_entry_count_or_trailing_bytes_are_refused() {
    let archive = zip(&[file("a", b"x"), file("b", b"y")]);
    let d = directory(&archive);
    let cd = &archive[d.offset as usize..(d.offset + d.size) as usize];
    assert!(matches!(
        parse_directory(cd, 3),
        Err(ZipError::Truncated { .. })
    ));
    assert!(matches!(
        parse_directory(cd, 1),
        Err(ZipError::TrailingDirectory { count: 1, .. })
    ));
    assert!(matches!(
        parse_directory(cd, 2_000_000_000),
        Err(ZipError::Truncated { .. })
    ));
}

#[test]
fn the_local_header_must_name_the_same_entry() {
    let archive = zip(&[file("pkg/a.py", b"x")]);
    let mut entry = entries(&archive).unwrap().remove(0);
    assert_eq!(
        data_offset(&archive[..local_header_len(&entry)], &entry),
        Ok(LOCAL_HEADER_LEN as u64 + 8)
    );
    entry.name = "pkg/b.py".into();
    assert_eq!(
        data_offset(&archive[..local_header_len(&entry)], &entry),
        Err(ZipError::LocalName {
            entry: "pkg/b.py".into(),
            local: "pkg/a.py".into()
        })
    );
    assert_eq!(
        data_offset(&archive[4..40], &entry),
        Err(ZipError::BadSignature {
            what: "local file header"
        })
    );
}

#[test]
fn a_crc_mismatch_names_the_entry() {
    let mut f = file("pkg/mod.py", b"print(1)\n");
    f.crc32 = Some(0xdead_beef);
    let err = read_all(&zip(&[f.clone()])).unwrap_err();
    assert_eq!(
        err,
        ZipError::CrcMismatch {
            entry: "pkg/mod.py".into(),
            expected: 0xdead_beef,
            actual: crc32fast::hash(b"print(1)\n"),
        }
    );
    let err = read_all(&zip(&[f.stored()])).unwrap_err();
    assert!(matches!(err, ZipError::CrcMismatch { .. }));
}

#[test]
fn output_beyond_the_declared_size_stops_at_once() {
    let mut bomb = file("bomb.bin", &vec![0u8; 1 << 20]);
    bomb.size = Some(10);
    let archive = zip(&[bomb]);
    let entry = entries(&archive).unwrap().remove(0);
    let start = data_offset(&archive[..local_header_len(&entry)], &entry).unwrap() as usize;
    let raw = &archive[start..start + entry.compressed_size as usize];
    let mut reader = EntryReader::new(&entry);
    let mut out = Vec::new();
    assert_eq!(
        reader.push(raw, &mut out),
        Err(ZipError::TooLarge {
            entry: "bomb.bin".into(),
            expected: 10
        })
    );
}

/// Found writing the fuzz target (crates/fuzz, zip): one read of a deflate
/// bomb (64 MiB of zeros in a few KiB) was inflated whole before the
/// declared size was checked, and wheelfile.rs reads 1 MiB at a time.
#[test]
fn a_bomb_in_one_read_stops_within_a_piece_of_its_declared_size() {
    let raw = [
        crate::gzip::deflate_chunk(&[0; 1 << 20]).repeat(64),
        vec![3, 0],
    ]
    .concat();
    let entry = ZipEntry {
        name: "bomb.bin".into(),
        method: Method::Deflated,
        compressed_size: raw.len() as u64,
        size: 10,
        crc32: 0,
        local_header_offset: 0,
        is_dir: false,
        unix_mode: None,
    };
    let mut out = Vec::new();
    let result = EntryReader::new(&entry).push(&raw, &mut out);
    assert!(
        matches!(result, Err(ZipError::TooLarge { .. })),
        "{result:?}"
    );
    let bound = 10 + 1032 * INFLATE_PIECE + INFLATE_SCRATCH;
    assert!(
        out.len() <= bound,
        "{} bytes out, more than {bound}",
        out.len()
    );
}

#[test]
fn short_data_and_extra_data_are_refused() {
    let text = b"some text to compress, some text to compress".repeat(20);
    let archive = zip(&[file("t.txt", &text)]);
    let entry = entries(&archive).unwrap().remove(0);
    let start = data_offset(&archive[..local_header_len(&entry)], &entry).unwrap() as usize;
    let raw = &archive[start..start + entry.compressed_size as usize];

    let mut reader = EntryReader::new(&entry);
    reader.push(&raw[..raw.len() - 3], &mut Vec::new()).unwrap();
    assert_eq!(
        reader.finish(),
        Err(ZipError::DataEndedEarly {
            entry: "t.txt".into(),
            missing: 3
        })
    );

    let mut reader = EntryReader::new(&entry);
    let mut longer = raw.to_vec();
    longer.push(0);
    assert!(matches!(
        reader.push(&longer, &mut Vec::new()),
        Err(ZipError::TooMuchData { .. })
    ));
}

#[test]
fn the_inflater_handles_one_byte_chunks_and_refuses_a_truncated_stream() {
    let text: Vec<u8> = (0..200_000u32)
        .flat_map(|i| (i % 251).to_le_bytes())
        .collect();
    let packed = miniz_oxide::deflate::compress_to_vec(&text, 6);
    let mut inflater = Inflater::new();
    let mut out = Vec::new();
    for byte in packed.chunks(1) {
        inflater.push(byte, &mut out).unwrap();
    }
    inflater.finish().unwrap();
    assert_eq!(out, text);

    let mut inflater = Inflater::new();
    inflater
        .push(&packed[..packed.len() / 2], &mut Vec::new())
        .unwrap();
    assert_eq!(inflater.finish(), Err(InflateError::Truncated));

    let mut inflater = Inflater::new();
    let mut trailing = packed.clone();
    trailing.extend_from_slice(b"junk");
    assert_eq!(
        inflater.push(&trailing, &mut Vec::new()),
        Err(InflateError::TrailingData)
    );
}

#[test]
fn output_held_back_after_the_last_input_byte_still_comes_out() {
    // Just over one scratch buffer of zeros: the final match is decoded from
    // the last input bytes while the buffer is full, so its tail waits
    // inside the inflate state until drained.
    for n in [32_769, 32_774, 65_540] {
        let zeros = vec![0u8; n];
        let packed = miniz_oxide::deflate::compress_to_vec(&zeros, 6);
        let mut inflater = Inflater::new();
        let mut out = Vec::new();
        inflater.push(&packed, &mut out).unwrap();
        inflater.finish().unwrap();
        assert_eq!(out.len(), n);
    }
}

#[test]
fn corrupt_deflate_data_names_the_entry() {
    let mut archive = zip(&[file("bad.py", b"x").stored()]);
    // Rewrite the method to deflated with a stored body that is not deflate.
    let d = directory(&archive);
    let method_field = d.offset as usize + 10;
    archive[method_field] = 8;
    archive[30 + 6] = 0xff; // the one data byte: block type 3, invalid
    let err = read_all(&archive).unwrap_err();
    assert!(
        matches!(&err, ZipError::Inflate { entry, .. } if entry == "bad.py"),
        "{err:?}"
    );
}
