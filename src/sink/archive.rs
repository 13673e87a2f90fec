//! The archive sinks: the image as one tar file, an OCI layout's
//! (`oci-archive`) or `docker save`'s (`docker-archive`). The tar streams
//! through the host to a temp name beside the output, a block at a time,
//! never whole in memory, and is renamed into place only when the build has
//! done everything else: a reader sees the whole archive or none, and a
//! failed build leaves nothing behind.

use std::cell::RefCell;

use pycontainer_archive::tar::{self, TarError, BLOCK, END_OF_ARCHIVE};
use pycontainer_archive::{Content, Entry};
use pycontainer_digest::Digest;
use pycontainer_oci::{self as oci, Artifact, Descriptor, Index, Layer};

use super::docker;
use super::{ArchiveFormat, ArchiveTarget, SinkError};
use crate::blobs;
use crate::cache::CacheDir;
use crate::host::{missing_dirs, parent, Host, HostError, Kind, Progress, WriteHandle};
use crate::layout::{check_size, tagged, LayoutError, Tag, OCI_LAYOUT};
use crate::registry::Client;
use pycontainer_oci::Referrer;

const COPY_CHUNK: usize = 1 << 20;

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("{path} is a directory; an archive output names a file, e.g. {path}/image.tar")]
    IsDirectory { path: String },
    #[error("{path}: a docker-archive holds one image, not an index of several platforms")]
    DockerIndex { path: String },
    #[error(transparent)]
    Tar(#[from] TarError),
    #[error(transparent)]
    Layout(#[from] LayoutError),
    #[error(transparent)]
    Host(#[from] HostError),
}

impl ArchiveError {
    /// The stable code the CLI and JS API report.
    pub fn code(&self) -> &'static str {
        match self {
            ArchiveError::Host(e) => e.code(),
            ArchiveError::Layout(e) => e.code(),
            _ => "output",
        }
    }
}

/// Checks, before anything is built, that an archive can go to `path`:
/// it is no directory, and a file can be made there.
pub async fn check_writable<H: Host>(host: &H, path: &str) -> Result<(), SinkError> {
    if host.stat(path).await?.is_some_and(|i| i.kind == Kind::Dir) {
        return Err(ArchiveError::IsDirectory {
            path: path.to_owned(),
        }
        .into());
    }
    super::writable::check_writable(host, path).await
}

/// One member of the archive, in the order it is written.
enum Member<'a> {
    Dir(&'static str),
    Bytes(String, &'a [u8]),
    /// A blob on the host, checked against its descriptor as it streams.
    Blob(String, String, &'a Descriptor),
}

pub struct ArchiveSink<'h, H: Host> {
    host: &'h H,
    target: &'h ArchiveTarget,
    tags: &'h [Tag],
    epoch: u64,
    /// The written archive's temp name, until `commit` renames it.
    temp: RefCell<Option<String>>,
    /// Directories the archive's first write created, outermost first.
    new_dirs: RefCell<Vec<String>>,
}

impl<'h, H: Host> ArchiveSink<'h, H> {
    /// Members get `epoch` as their time, so that the same image makes the same bytes.
    pub fn new(host: &'h H, target: &'h ArchiveTarget, tags: &'h [Tag], epoch: u64) -> Self {
        ArchiveSink {
            host,
            target,
            tags,
            epoch,
            temp: RefCell::new(None),
            new_dirs: RefCell::new(Vec::new()),
        }
    }

    /// Writes the archive under a temp name; `commit` puts it in place. An
    /// oci-archive holds an index of several platforms whole, and lists the
    /// `referrers` (SBOMs) as a layout does; a docker-archive holds one
    /// image (the plan refuses it for several) and no referrers.
    pub async fn write(
        &self,
        client: &Client<'_, H>,
        artifact: &Artifact,
        referrers: &[&Referrer],
        cache: &CacheDir,
    ) -> Result<(), SinkError> {
        let host = self.host;
        let images = artifact.images();
        // A layer the platforms share (the app's) is one member.
        let mut layers: Vec<Layer> = Vec::new();
        for layer in images.iter().flat_map(|i| i.layers()) {
            if !layers
                .iter()
                .any(|l| l.descriptor.digest == layer.descriptor.digest)
            {
                layers.push(layer.clone());
            }
        }
        let dirs = blobs::local(client, &layers, cache, "a registry base's layers").await?;
        host.progress(&Progress::Phase { name: "write" });
        let documents = match (self.target.format, artifact) {
            (ArchiveFormat::Oci, _) => {
                let mut index = Index::empty();
                index.manifests = tagged(artifact.descriptor(), self.tags);
                index
                    .manifests
                    .extend(referrers.iter().map(|r| r.descriptor.clone()));
                vec![
                    ("oci-layout".to_owned(), OCI_LAYOUT.to_vec()),
                    ("index.json".to_owned(), oci::to_canonical_json(&index)),
                ]
            }
            (ArchiveFormat::Docker, Artifact::Image(image)) => docker::documents(image, self.tags),
            (ArchiveFormat::Docker, Artifact::Index(_)) => {
                return Err(ArchiveError::DockerIndex {
                    path: self.target.path.clone(),
                }
                .into())
            }
        };
        let mut members: Vec<Member<'_>> = documents
            .iter()
            .map(|(name, bytes)| Member::Bytes(name.clone(), bytes))
            .collect();
        members.extend([Member::Dir("blobs"), Member::Dir("blobs/sha256")]);
        for (layer, dir) in layers.iter().zip(&dirs) {
            let desc = &layer.descriptor;
            let path = format!("{dir}/blobs/sha256/{}", desc.digest.hex());
            members.push(Member::Blob(blob_name(&desc.digest), path, desc));
        }
        for image in &images {
            let config = &image.manifest().config;
            members.push(Member::Bytes(
                blob_name(&config.digest),
                image.config_bytes(),
            ));
        }
        if self.target.format == ArchiveFormat::Oci {
            if let Artifact::Index(_) = artifact {
                for image in &images {
                    members.push(Member::Bytes(
                        blob_name(image.digest()),
                        image.manifest_bytes(),
                    ));
                }
            }
            members.push(Member::Bytes(
                blob_name(&artifact.descriptor().digest),
                artifact.bytes(),
            ));
            for r in referrers {
                for (desc, bytes) in &r.blobs {
                    members.push(Member::Bytes(blob_name(&desc.digest), bytes));
                }
                members.push(Member::Bytes(blob_name(&r.descriptor.digest), &r.manifest));
            }
        }
        self.note_new_dirs().await?;
        self.sweep().await?;
        let path = &self.target.path;
        let temp = crate::temp::beside(host, path);
        let handle = host
            .create(&temp)
            .await
            .map_err(|e| SinkError::NotWritable {
                path: path.clone(),
                reason: e.to_string(),
            })?;
        *self.temp.borrow_mut() = Some(temp);
        let written = self.stream(handle, &members).await;
        let closed = host.close(handle).await;
        written?;
        Ok(closed.map_err(ArchiveError::from)?)
    }

    /// Removes the temp files of this archive that killed builds left
    /// beside it; only this archive's, as its directory is the user's.
    async fn sweep(&self) -> Result<(), ArchiveError> {
        let path = &self.target.path;
        let (Some(dir), Some((_, name))) = (parent(path), path.rsplit_once('/')) else {
            return Ok(());
        };
        let ours = format!("{name}.tmp-");
        for found in crate::temp::stale(self.host, dir, false).await? {
            if found.name.starts_with(&ours) {
                self.host
                    .remove(&format!("{}/{}", dir.trim_end_matches('/'), found.name))
                    .await?;
            }
        }
        Ok(())
    }

    /// Notes the output's missing parent directories, which the first write
    /// creates, so that a failure can take them back.
    async fn note_new_dirs(&self) -> Result<(), ArchiveError> {
        let missing = match parent(&self.target.path) {
            Some(dir) => missing_dirs(self.host, dir).await?,
            None => Vec::new(),
        };
        *self.new_dirs.borrow_mut() = missing;
        Ok(())
    }

    async fn stream(
        &self,
        handle: WriteHandle,
        members: &[Member<'_>],
    ) -> Result<(), ArchiveError> {
        let host = self.host;
        for member in members {
            match member {
                Member::Dir(name) => {
                    let header = tar::header(&Entry::dir(*name, 0), self.epoch)?;
                    host.write(handle, &header).await?;
                }
                Member::Bytes(name, bytes) => {
                    // Small documents (configs, manifests, index.json).
                    let entry = Entry::bytes(name.clone(), 0o644, bytes.to_vec());
                    host.write(handle, &tar::header(&entry, self.epoch)?)
                        .await?;
                    host.write(handle, bytes).await?;
                    self.pad(handle, bytes.len() as u64).await?;
                }
                Member::Blob(name, path, desc) => {
                    let entry =
                        Entry::file(name.clone(), 0o644, desc.size, Content::Path(path.clone()));
                    host.write(handle, &tar::header(&entry, self.epoch)?)
                        .await?;
                    self.copy(handle, path, desc).await?;
                    self.pad(handle, desc.size).await?;
                }
            }
        }
        host.write(handle, &END_OF_ARCHIVE).await?;
        Ok(())
    }

    async fn pad(&self, handle: WriteHandle, size: u64) -> Result<(), HostError> {
        let zeros = [0u8; BLOCK];
        self.host.write(handle, &zeros[..tar::padding(size)]).await
    }

    /// Streams a blob into the archive, checking its size and digest: the
    /// archive must hold what its manifest names.
    async fn copy(
        &self,
        handle: WriteHandle,
        path: &str,
        desc: &Descriptor,
    ) -> Result<(), ArchiveError> {
        let host = self.host;
        let mut hash = host.sha256();
        let mut size = 0u64;
        loop {
            let chunk = host.read(path, size, COPY_CHUNK).await?;
            // Never more than the header said: the tar would be corrupt.
            if size + chunk.len() as u64 > desc.size {
                break;
            }
            hash.update(&chunk);
            host.write(handle, &chunk).await?;
            size += chunk.len() as u64;
            host.progress(&Progress::Blob {
                digest: Some(&desc.digest.to_string()),
                label: "archive",
                bytes: size,
            });
            if chunk.len() < COPY_CHUNK {
                break;
            }
        }
        let info = host.stat(path).await?.map_or(0, |i| i.size);
        check_size(path, info, desc)?;
        let actual = hash.finish();
        if actual != desc.digest {
            return Err(LayoutError::Corrupt {
                path: path.to_owned(),
                digest: desc.digest.clone(),
                actual,
                size,
            }
            .into());
        }
        Ok(())
    }

    /// Puts the written archive in place, replacing any file there.
    pub async fn commit(&self) -> Result<(), SinkError> {
        if let Some(temp) = self.temp.take() {
            let renamed = self.host.rename(&temp, &self.target.path).await;
            if let Err(e) = renamed {
                *self.temp.borrow_mut() = Some(temp);
                return Err(ArchiveError::from(e).into());
            }
        }
        Ok(())
    }

    /// Takes back what this sink wrote: the temp file, then the directories
    /// it created. Used on the error path, where a second failure is moot.
    pub async fn undo(&self) {
        if let Some(temp) = self.temp.take() {
            let _ = self.host.remove(&temp).await;
        }
        for dir in self.new_dirs.take().iter().rev() {
            let _ = self.host.remove_dir(dir).await;
        }
    }
}

fn blob_name(digest: &Digest) -> String {
    format!("blobs/sha256/{}", digest.hex())
}
