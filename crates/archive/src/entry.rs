//! What a layer holds: entries, each with a path, a kind, a mode and an
//! owner, and for a file where its bytes come from.

use pycontainer_digest::Digest;

use crate::zip::ZipEntry;

/// One entry of a layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Relative to the image root, `/`-separated, no leading `/`, no trailing `/`.
    pub path: String,
    pub kind: EntryKind,
    pub mode: u32,
    /// uid and gid; 0 except for a non-root user's home.
    pub owner: u32,
}

/// What an entry is, with what its kind needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntryKind {
    Dir,
    File { size: u64, content: Content },
    Symlink { target: String },
}

/// Where a file's bytes come from when the layer is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Content {
    /// A file on the host (one of the context's), by absolute path.
    Path(String),
    /// Made here: a launcher, pyvenv.cfg, a dist-info file.
    Bytes(Vec<u8>),
    /// A member of a zip file on the host (a cached wheel).
    ZipMember(Box<ZipMember>),
}

/// A member of a zip file, inflated and checked against `expected` while it
/// streams into the layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZipMember {
    /// The zip file, by absolute path.
    pub archive: String,
    /// What to call the zip file in messages (a wheel's file name).
    pub label: String,
    pub entry: ZipEntry,
    pub expected: Digest,
}

impl Entry {
    /// A directory, mode 0755.
    pub fn dir(path: impl Into<String>, owner: u32) -> Entry {
        Entry {
            path: path.into(),
            kind: EntryKind::Dir,
            mode: 0o755,
            owner,
        }
    }

    /// A file of `bytes` made here.
    pub fn bytes(path: impl Into<String>, mode: u32, bytes: Vec<u8>) -> Entry {
        Entry::file(path, mode, bytes.len() as u64, Content::Bytes(bytes))
    }

    /// A file of `size` bytes that `content` gives when the layer is written.
    pub fn file(path: impl Into<String>, mode: u32, size: u64, content: Content) -> Entry {
        Entry {
            path: path.into(),
            kind: EntryKind::File { size, content },
            mode,
            owner: 0,
        }
    }

    /// A zip member, at its uncompressed size.
    pub fn zip_member(path: impl Into<String>, mode: u32, member: ZipMember) -> Entry {
        let size = member.entry.size;
        Entry::file(path, mode, size, Content::ZipMember(Box::new(member)))
    }

    /// A symbolic link, stored as a link and never followed.
    pub fn symlink(path: impl Into<String>, target: impl Into<String>) -> Entry {
        Entry {
            path: path.into(),
            kind: EntryKind::Symlink {
                target: target.into(),
            },
            mode: 0o777,
            owner: 0,
        }
    }

    /// The bytes of a file; 0 for anything else.
    pub fn size(&self) -> u64 {
        match self.kind {
            EntryKind::File { size, .. } => size,
            _ => 0,
        }
    }

    pub fn is_dir(&self) -> bool {
        self.kind == EntryKind::Dir
    }
}
