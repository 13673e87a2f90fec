//! A wheel in the cache, read through the host: its directory, its small
//! metadata members whole, and any member streamed in pieces, checked
//! against its RECORD hash. The dependency resolver reads metadata with it,
//! and the layer writer streams wheel members into the deps layer.

use pycontainer_archive::zip::{self, End, EntryReader, ZipEntry, ZipError};
use pycontainer_digest::{Digest, Sha256};

use crate::host::{Host, HostError};

#[derive(Debug, thiserror::Error)]
pub enum WheelFileError {
    #[error("{wheel}: {source}")]
    Zip { wheel: String, source: ZipError },
    #[error("the cached wheel {path} is gone; build again to download it")]
    Missing { path: String },
    #[error("{wheel}: {entry} is {size} bytes, too large to be a metadata file")]
    MemberTooLarge {
        wheel: String,
        entry: String,
        size: u64,
    },
    #[error("{wheel}: {entry} does not match the hash its RECORD gives (RECORD says {expected}, the file is {actual}); the wheel is corrupt or was altered")]
    RecordMismatch {
        wheel: String,
        entry: String,
        expected: String,
        actual: String,
    },
    #[error(transparent)]
    Host(#[from] HostError),
}

impl WheelFileError {
    /// The stable code the CLI and JS API report.
    pub fn code(&self) -> &'static str {
        match self {
            WheelFileError::Missing { .. } | WheelFileError::Host(_) => "io",
            WheelFileError::Zip { .. }
            | WheelFileError::MemberTooLarge { .. }
            | WheelFileError::RecordMismatch { .. } => "bad-wheel",
        }
    }
}

/// Compressed bytes read per host call while streaming a member.
const CHUNK: usize = 1 << 20;
/// Metadata members (RECORD, METADATA, WHEEL, entry points, scripts) are
/// small; a larger one is not worth reading whole.
const SMALL_MEMBER: u64 = 64 << 20;

/// An open wheel: where it is, what it is called, and its members.
pub struct WheelFile {
    pub path: String,
    pub filename: String,
    pub entries: Vec<ZipEntry>,
}

impl WheelFile {
    /// Reads the central directory.
    pub async fn open<H: Host>(
        host: &H,
        path: &str,
        filename: &str,
    ) -> Result<Self, WheelFileError> {
        let bad = |source: ZipError| WheelFileError::Zip {
            wheel: filename.to_owned(),
            source,
        };
        let len = host
            .stat(path)
            .await?
            .ok_or_else(|| WheelFileError::Missing {
                path: path.to_owned(),
            })?
            .size;
        let tail_len = (zip::TAIL_LEN as u64).min(len);
        let tail = host.read(path, len - tail_len, tail_len as usize).await?;
        let dir = match zip::find_end(&tail, len).map_err(bad)? {
            End::Directory(dir) => dir,
            End::Zip64 { record_offset } => {
                let record = host.read(path, record_offset, zip::ZIP64_END_LEN).await?;
                zip::parse_zip64_end(&record, record_offset).map_err(bad)?
            }
        };
        let size = usize::try_from(dir.size).map_err(|_| {
            bad(ZipError::OutOfBounds {
                what: "central directory",
                offset: dir.offset,
                size: dir.size,
                limit: len,
            })
        })?;
        let bytes = host.read(path, dir.offset, size).await?;
        let entries = zip::parse_directory(&bytes, dir.entries).map_err(bad)?;
        Ok(WheelFile {
            path: path.to_owned(),
            filename: filename.to_owned(),
            entries,
        })
    }

    pub fn entry(&self, name: &str) -> Option<&ZipEntry> {
        self.entries.iter().find(|e| e.name == name)
    }

    /// A small member, whole.
    pub async fn read<H: Host>(
        &self,
        host: &H,
        entry: &ZipEntry,
    ) -> Result<Vec<u8>, WheelFileError> {
        if entry.size > SMALL_MEMBER {
            return Err(WheelFileError::MemberTooLarge {
                wheel: self.filename.clone(),
                entry: entry.name.clone(),
                size: entry.size,
            });
        }
        let mut member = Member::open(host, &self.path, &self.filename, entry, None).await?;
        let mut out = Vec::with_capacity(entry.size as usize);
        while let Some(chunk) = member.next(host).await? {
            out.extend_from_slice(&chunk);
        }
        Ok(out)
    }
}

/// One member being streamed: inflated, CRC- and size-checked by the zip
/// reader, and sha256-checked against RECORD here.
pub struct Member {
    path: String,
    wheel: String,
    name: String,
    offset: u64,
    left: u64,
    reader: Option<EntryReader>,
    check: Option<(Sha256, Digest)>,
}

impl Member {
    pub async fn open<H: Host>(
        host: &H,
        path: &str,
        wheel: &str,
        entry: &ZipEntry,
        expected: Option<&Digest>,
    ) -> Result<Self, WheelFileError> {
        let header = host
            .read(
                path,
                entry.local_header_offset,
                zip::local_header_len(entry),
            )
            .await?;
        let offset = zip::data_offset(&header, entry).map_err(|source| WheelFileError::Zip {
            wheel: wheel.to_owned(),
            source,
        })?;
        Ok(Member {
            path: path.to_owned(),
            wheel: wheel.to_owned(),
            name: entry.name.clone(),
            offset,
            left: entry.compressed_size,
            reader: Some(EntryReader::new(entry)),
            check: expected.map(|d| (host.sha256(), d.clone())),
        })
    }

    /// The next uncompressed bytes; `None` once the member is done and checked.
    pub async fn next<H: Host>(&mut self, host: &H) -> Result<Option<Vec<u8>>, WheelFileError> {
        let Some(reader) = self.reader.as_mut() else {
            return Ok(None);
        };
        let mut out = Vec::new();
        while out.is_empty() && self.left > 0 {
            let want = (CHUNK as u64).min(self.left) as usize;
            let raw = host.read(&self.path, self.offset, want).await?;
            if raw.is_empty() {
                break;
            }
            self.offset += raw.len() as u64;
            self.left -= raw.len() as u64;
            reader
                .push(&raw, &mut out)
                .map_err(|source| WheelFileError::Zip {
                    wheel: self.wheel.clone(),
                    source,
                })?;
        }
        if let Some((hash, _)) = self.check.as_mut() {
            hash.update(&out);
        }
        if !out.is_empty() {
            return Ok(Some(out));
        }
        self.finish()?;
        Ok(None)
    }

    fn finish(&mut self) -> Result<(), WheelFileError> {
        if let Some(reader) = self.reader.take() {
            reader.finish().map_err(|source| WheelFileError::Zip {
                wheel: self.wheel.clone(),
                source,
            })?;
        }
        if let Some((hash, expected)) = self.check.take() {
            let actual = hash.finish();
            if actual != expected {
                return Err(WheelFileError::RecordMismatch {
                    wheel: self.wheel.clone(),
                    entry: self.name.clone(),
                    expected: expected.to_string(),
                    actual: actual.to_string(),
                });
            }
        }
        Ok(())
    }
}
