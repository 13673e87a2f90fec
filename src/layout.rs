//! OCI image layouts on the host's file system: read a base image, write blobs and tags atomically.

use std::cell::{Cell, RefCell};

use crate::host::{Host, HostError, Kind, WriteHandle};
use pycontainer_digest::Digest;
use pycontainer_oci::platform::Platform;
use pycontainer_oci::referrer::is_referrer;
use pycontainer_oci::{
    self as oci, media, Artifact, BlobSource, Descriptor, Image, ImageError, ImageIndex, Index,
    Manifest, Referrer,
};

/// Larger JSON documents than this are refused rather than read into memory.
const MAX_DOCUMENT: u64 = 4 << 20;
const COPY_CHUNK: usize = 1 << 20;
pub const OCI_LAYOUT: &[u8] = br#"{"imageLayoutVersion":"1.0.0"}"#;

#[derive(Debug, thiserror::Error)]
pub enum LayoutError {
    #[error("{path} is not an OCI image layout (it has no index.json)")]
    NotALayout { path: String },
    #[error("{path} exists and is not an OCI image layout; choose an empty or new directory")]
    OutputNotLayout { path: String },
    #[error("{file}: {message}")]
    BadDocument { file: String, message: String },
    #[error("tag {tag:?} is not in the layout {path}; {}", list("tags", tags))]
    TagNotFound {
        path: String,
        tag: String,
        tags: Vec<String>,
    },
    #[error(
        "the layout {path} holds {count} images; name one as oci:{path}:TAG ({})",
        list("tags", tags)
    )]
    Ambiguous {
        path: String,
        count: usize,
        tags: Vec<String>,
    },
    #[error(
        "no image for platform {wanted} in {path}; {}",
        list("platforms", available)
    )]
    NoPlatform {
        path: String,
        wanted: String,
        available: Vec<String>,
    },
    #[error("the image in {path} is for {found}, not the requested platform {wanted}")]
    WrongPlatform {
        path: String,
        wanted: String,
        found: String,
    },
    #[error("{path}: blob {digest} is missing")]
    BlobMissing { path: String, digest: Digest },
    #[error("{path}: blob {digest} went away while this build ran (a failed build alongside took it back); build again")]
    Vanished { path: String, digest: Digest },
    #[error("{path}: blob {digest} is corrupt (its content hashes to {actual}, {size} bytes)")]
    Corrupt {
        path: String,
        digest: Digest,
        actual: Digest,
        size: u64,
    },
    #[error(
        "{path}: blob {digest} is {size} bytes, but its descriptor says {expected} (size mismatch)"
    )]
    SizeMismatch {
        path: String,
        digest: Digest,
        size: u64,
        expected: u64,
    },
    #[error("{path}: blob {digest} is a {media_type} layer but does not start as gzip does (1f 8b); the base image is damaged")]
    NotGzip {
        path: String,
        digest: Digest,
        media_type: String,
    },
    #[error("{path}: {what} has media type {media_type:?}, which pycontainer cannot use")]
    Unsupported {
        path: String,
        what: String,
        media_type: String,
    },
    #[error(transparent)]
    Host(#[from] HostError),
    #[error(transparent)]
    Lock(#[from] crate::lock::LockError),
}

impl LayoutError {
    /// The stable code the CLI and JS API report.
    pub fn code(&self) -> &'static str {
        match self {
            LayoutError::Lock(e) => e.code(),
            _ => "output",
        }
    }
}

pub(crate) fn list(what: &str, items: &[String]) -> String {
    if items.is_empty() {
        format!("it has no {what}")
    } else {
        format!("{what} present: {}", items.join(", "))
    }
}

/// A size mismatch, said as one (`path` names the layout or the file).
pub(crate) fn check_size(path: &str, size: u64, desc: &Descriptor) -> Result<(), LayoutError> {
    if size == desc.size {
        return Ok(());
    }
    Err(LayoutError::SizeMismatch {
        path: path.to_owned(),
        digest: desc.digest.clone(),
        size,
        expected: desc.size,
    })
}

/// A tag in a layout: its ref name (the TAG alone, as skopeo and umoci look
/// it up) and the image's full name (containerd's and Docker's annotation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tag {
    pub tag: String,
    pub name: String,
}

/// The index entries that give `manifest` each of `tags`: one per tag,
/// as skopeo and umoci look a tag up, with the full name containerd reads.
pub fn tagged(manifest: &Descriptor, tags: &[Tag]) -> Vec<Descriptor> {
    tags.iter()
        .map(|Tag { tag, name }| {
            let mut d = manifest.clone();
            d.annotations
                .insert(oci::annotation::REF_NAME.to_owned(), tag.clone());
            d.annotations
                .insert(oci::annotation::CONTAINERD_NAME.to_owned(), name.clone());
            d
        })
        .collect()
}

/// An OCI image layout directory.
pub struct Layout<'h, H: Host> {
    host: &'h H,
    root: String,
    temp_counter: Cell<u32>,
    /// Files this build added (blobs, index.json, oci-layout), so that a
    /// failed build can take them back.
    added: RefCell<Vec<String>>,
    /// Directories that did not exist when the build began, outermost first.
    new_dirs: RefCell<Vec<String>>,
    /// Blobs being written: their temp files, which a failure removes,
    /// including those of parallel tasks dropped before they could.
    unfinished: RefCell<Vec<(WriteHandle, String)>>,
}

impl<'h, H: Host> Layout<'h, H> {
    pub fn new(host: &'h H, root: &str) -> Self {
        let root = root.trim_end_matches('/');
        let root = if root.is_empty() { "/" } else { root };
        Layout {
            host,
            root: root.to_owned(),
            temp_counter: Cell::new(0),
            added: RefCell::new(Vec::new()),
            new_dirs: RefCell::new(Vec::new()),
            unfinished: RefCell::new(Vec::new()),
        }
    }

    pub fn root(&self) -> &str {
        &self.root
    }

    pub fn blob_path(&self, digest: &Digest) -> String {
        format!("{}/blobs/sha256/{}", self.root, digest.hex())
    }

    fn file(&self, name: &str) -> String {
        format!("{}/{name}", self.root)
    }

    /// The index, or `None` where the directory holds no layout yet.
    pub async fn read_index(&self) -> Result<Option<Index>, LayoutError> {
        let path = self.file("index.json");
        match self.host.stat(&path).await? {
            None => Ok(None),
            Some(_) => {
                let bytes = self.host.read_all(&path).await?;
                parse(&path, &bytes).map(Some)
            }
        }
    }

    /// The index of a layout that must be there: `NotALayout` where none is.
    pub async fn index(&self) -> Result<Index, LayoutError> {
        self.read_index()
            .await?
            .ok_or_else(|| LayoutError::NotALayout {
                path: self.root.clone(),
            })
    }

    /// Notes which of the layout's directories exist, removes the temp
    /// files killed builds left, and marks a new layout with `oci-layout`
    /// before any blob, so that a build starting alongside sees a layout
    /// being made, not a foreign directory.
    pub async fn begin(&self) -> Result<(), LayoutError> {
        // The root's missing parents too: the first write creates them all.
        let mut missing = crate::host::missing_dirs(self.host, &self.root).await?;
        for dir in [self.file("blobs"), self.file("blobs/sha256")] {
            if self.host.stat(&dir).await?.is_none() {
                missing.push(dir);
            }
        }
        self.new_dirs.borrow_mut().extend(missing);
        self.sweep().await?;
        let marker = self.file("oci-layout");
        if self.host.stat(&marker).await?.is_none() {
            // Written in place: a temp name would make the directory look foreign.
            if let Some(handle) = self.host.create_new(&marker).await? {
                self.added.borrow_mut().push(marker);
                self.host.write(handle, OCI_LAYOUT).await?;
                self.host.close(handle).await?;
            }
        }
        Ok(())
    }

    /// Removes the temp files here that no live process owns.
    pub async fn sweep(&self) -> Result<(), LayoutError> {
        crate::temp::sweep(self.host, &self.root).await?;
        crate::temp::sweep(self.host, &self.file("blobs/sha256")).await?;
        Ok(())
    }

    /// The temp files here that no live process is known to own, as paths
    /// relative to the layout, for `validate`.
    pub async fn leftovers(&self) -> Result<Vec<(String, Option<u32>)>, LayoutError> {
        let mut out = Vec::new();
        for dir in ["", "blobs/sha256/"] {
            let path = format!("{}/{dir}", self.root);
            for found in crate::temp::stale(self.host, path.trim_end_matches('/'), true).await? {
                out.push((format!("{dir}{}", found.name), found.owner));
            }
        }
        Ok(out)
    }

    /// Takes back what this build added: its unfinished blobs, its new
    /// files, then its new directories. Used on the error path, where a
    /// second failure is moot.
    ///
    /// A blob this build added may meanwhile be part of another build's
    /// image: that build found it present and skipped writing it. So blobs
    /// go only under the layout's lock, and only those no tag reaches; the
    /// other build checks its blobs under the same lock before it tags.
    pub async fn undo(&self) {
        self.discard_unfinished().await;
        let added = self.added.take();
        let blobs = format!("{}/blobs/", self.root);
        let (blob_paths, files): (Vec<&String>, Vec<&String>) =
            added.iter().partition(|p| p.starts_with(&blobs));
        if !blob_paths.is_empty() {
            // An interrupted host takes no lock: then every blob goes, as a
            // stopped build cannot wait for others.
            let lock = crate::lock::acquire(self.host, &self.file("index.json.lock")).await;
            let kept = match &lock {
                Ok(_) => self.reachable().await,
                Err(_) => Default::default(),
            };
            for path in blob_paths.iter().rev() {
                let hex = path.rsplit('/').next().unwrap_or_default();
                if !kept.contains(hex) {
                    let _ = self.host.remove(path).await;
                }
            }
            if let Ok(lock) = lock {
                lock.release(self.host).await;
            }
        }
        for path in files.iter().rev() {
            let _ = self.host.remove(path).await;
        }
        for dir in self.new_dirs.take().iter().rev() {
            let _ = self.host.remove_dir(dir).await;
        }
    }

    /// The hex digests of every blob a tag in index.json reaches: manifests,
    /// their configs and layers, and those of one level of nested indexes.
    /// Read under the lock; what cannot be read reaches nothing more.
    async fn reachable(&self) -> std::collections::BTreeSet<String> {
        let mut out = std::collections::BTreeSet::new();
        let Ok(Some(index)) = self.read_index().await else {
            return out;
        };
        let mut manifests = Vec::new();
        for d in index.manifests {
            out.insert(d.digest.hex().to_owned());
            if media::is_index(&d.media_type) {
                if let Ok(bytes) = self.read_document(&d).await {
                    if let Ok(nested) = parse::<Index>("", &bytes) {
                        out.extend(nested.manifests.iter().map(|m| m.digest.hex().to_owned()));
                        manifests.extend(nested.manifests);
                    }
                }
            } else {
                manifests.push(d);
            }
        }
        for d in manifests {
            if let Ok(bytes) = self.read_document(&d).await {
                if let Ok(m) = parse::<Manifest>("", &bytes) {
                    out.insert(m.config.digest.hex().to_owned());
                    out.extend(m.layers.iter().map(|l| l.digest.hex().to_owned()));
                }
            }
        }
        out
    }

    /// Every blob `manifest` names is here: checked under the lock before a
    /// tag points at it, as a failed build alongside may have taken back a
    /// blob this one found present and did not write.
    async fn check_complete(&self, manifest: &Descriptor) -> Result<(), LayoutError> {
        if !media::is_manifest(&manifest.media_type) {
            return Ok(());
        }
        let bytes = self.read_document(manifest).await?;
        let m: Manifest = parse(&self.blob_path(&manifest.digest), &bytes)?;
        for d in std::iter::once(&m.config).chain(&m.layers) {
            if self.host.stat(&self.blob_path(&d.digest)).await?.is_none() {
                return Err(LayoutError::Vanished {
                    path: self.root.clone(),
                    digest: d.digest.clone(),
                });
            }
        }
        Ok(())
    }

    /// Closes and removes the temp files of blobs still being written: a
    /// failed task among parallel ones leaves the others' behind when the
    /// failure drops them.
    pub async fn discard_unfinished(&self) {
        for (handle, temp) in self.unfinished.take() {
            let _ = self.host.close(handle).await;
            let _ = self.host.remove(&temp).await;
        }
    }

    /// Runs `work`, which writes blobs here, and on its failure removes the
    /// temp files of the blobs it left unfinished.
    pub async fn cleaning<T, E>(
        &self,
        work: impl std::future::Future<Output = Result<T, E>>,
    ) -> Result<T, E> {
        let done = work.await;
        if done.is_err() {
            self.discard_unfinished().await;
        }
        done
    }

    fn finished(&self, handle: WriteHandle) {
        self.unfinished.borrow_mut().retain(|(h, _)| *h != handle);
    }

    /// Checks that `--output` is a layout or may become one, before anything is written.
    pub async fn check_writable(&self) -> Result<Option<Index>, LayoutError> {
        match self.host.stat(&self.root).await? {
            None => Ok(None),
            Some(info) if info.kind != Kind::Dir => Err(LayoutError::OutputNotLayout {
                path: self.root.clone(),
            }),
            Some(_) => {
                let index = self.read_index().await?;
                let empty = self.host.list_dir(&self.root).await?.is_empty();
                let marked = self.host.stat(&self.file("oci-layout")).await?.is_some();
                if marked {
                    self.check_version().await?;
                }
                if index.is_none() && !empty && !marked {
                    return Err(LayoutError::OutputNotLayout {
                        path: self.root.clone(),
                    });
                }
                Ok(index)
            }
        }
    }

    /// Refuses an `oci-layout` of another major version: its index or blobs
    /// may mean something else, and writing ours into it would mix two
    /// formats. An empty marker is one another build is writing right now.
    async fn check_version(&self) -> Result<(), LayoutError> {
        let path = self.file("oci-layout");
        let bytes = self.host.read_all(&path).await?;
        if bytes.is_empty() {
            return Ok(());
        }
        let version = serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|v| v.get("imageLayoutVersion")?.as_str().map(str::to_owned));
        match version {
            Some(v) if v == "1" || v.starts_with("1.") => Ok(()),
            other => Err(LayoutError::BadDocument {
                file: path,
                message: match other {
                    Some(v) => format!(
                        "imageLayoutVersion {v:?} is not 1.x, the version pycontainer writes"
                    ),
                    None => "is not {\"imageLayoutVersion\": \"1.0.0\"}".to_owned(),
                },
            }),
        }
    }

    /// Reads a small JSON blob whole and checks it against its digest.
    pub async fn read_document(&self, desc: &Descriptor) -> Result<Vec<u8>, LayoutError> {
        let path = self.blob_path(&desc.digest);
        if desc.size > MAX_DOCUMENT {
            return Err(LayoutError::BadDocument {
                file: path,
                message: format!("{} bytes is too large for a JSON document", desc.size),
            });
        }
        let Some(info) = self.host.stat(&path).await? else {
            return Err(LayoutError::BlobMissing {
                path: self.root.clone(),
                digest: desc.digest.clone(),
            });
        };
        check_size(&self.root, info.size, desc)?;
        let bytes = self.host.read_all(&path).await?;
        check_size(&self.root, bytes.len() as u64, desc)?;
        let actual = Digest::of(self.host.sha256(), &bytes);
        if actual != desc.digest {
            return Err(LayoutError::Corrupt {
                path: self.root.clone(),
                digest: desc.digest.clone(),
                actual,
                size: bytes.len() as u64,
            });
        }
        Ok(bytes)
    }

    /// Writes referrers' blobs and manifests (SBOMs of an image); returns
    /// the descriptors index.json is to list them by (`tag` does).
    pub async fn put_referrers(
        &self,
        referrers: &[&Referrer],
    ) -> Result<Vec<Descriptor>, LayoutError> {
        for r in referrers {
            for (desc, bytes) in &r.blobs {
                self.put_bytes(&desc.media_type, bytes).await?;
            }
            self.put_bytes(&r.descriptor.media_type, &r.manifest)
                .await?;
        }
        Ok(referrers.iter().map(|r| r.descriptor.clone()).collect())
    }

    /// The referrers `index` (this layout's index.json) lists for
    /// `subject`, read back as they were written, blobs and all.
    pub async fn referrers_of(
        &self,
        index: &Index,
        subject: &Digest,
    ) -> Result<Vec<Referrer>, LayoutError> {
        let mut found = Vec::new();
        for descriptor in index.manifests.iter().filter(|d| is_referrer(d)) {
            let manifest = self.read_document(descriptor).await?;
            let parsed: Manifest =
                serde_json::from_slice(&manifest).map_err(|e| LayoutError::BadDocument {
                    file: self.blob_path(&descriptor.digest),
                    message: e.to_string(),
                })?;
            let points_at = parsed
                .extra
                .get("subject")
                .and_then(|s| s.get("digest"))
                .and_then(serde_json::Value::as_str);
            if points_at != Some(subject.to_string().as_str()) {
                continue;
            }
            let mut blobs = Vec::new();
            for desc in std::iter::once(&parsed.config).chain(&parsed.layers) {
                blobs.push((desc.clone(), self.read_document(desc).await?));
            }
            found.push(Referrer {
                blobs,
                descriptor: descriptor.clone(),
                manifest,
            });
        }
        Ok(found)
    }

    /// The platforms the entry tagged `tag` offers: those its index lists,
    /// or its one image's when it is a manifest.
    pub async fn platforms(&self, tag: Option<&str>) -> Result<Vec<Platform>, LayoutError> {
        let index = self.index().await?;
        let entry = self.entry(&index, tag)?.clone();
        if !media::is_index(&entry.media_type) {
            return Ok(vec![self.image_of(entry, None).await?.platform()]);
        }
        let nested: Index = parse(
            &self.blob_path(&entry.digest),
            &self.read_document(&entry).await?,
        )?;
        Ok(nested
            .manifests
            .into_iter()
            .filter_map(|d| d.platform)
            .collect())
    }

    /// The image tagged `tag` (or the only image, without a tag), for
    /// `wanted`, with its layers' blobs in this layout.
    pub async fn image(
        &self,
        tag: Option<&str>,
        wanted: Option<&Platform>,
    ) -> Result<Image, LayoutError> {
        let index = self.index().await?;
        self.image_of(self.entry(&index, tag)?.clone(), wanted)
            .await
    }

    /// The image index.json's `entry` names (or, for an index, its image for
    /// `wanted`), with its layers' blobs in this layout.
    async fn image_of(
        &self,
        entry: Descriptor,
        wanted: Option<&Platform>,
    ) -> Result<Image, LayoutError> {
        let mut descriptor = self.select_platform(entry, wanted).await?;
        // The entry's annotations name its place in this index, not the image.
        descriptor.annotations.clear();
        let bytes = self.read_document(&descriptor).await?;
        let image = self.image_from(descriptor, bytes).await?;
        if let Some(wanted) = wanted {
            let found = image.platform();
            if !wanted.matches(&found) {
                return Err(LayoutError::WrongPlatform {
                    path: self.root.clone(),
                    wanted: wanted.to_string(),
                    found: found.to_string(),
                });
            }
        }
        Ok(image)
    }

    /// What `desc` points at here: an image, or an index and every image it
    /// lists (three levels at most). Every blob is checked to be here, so
    /// that a broken layout is found before anything is done with it.
    pub async fn artifact(&self, desc: &Descriptor) -> Result<Artifact, LayoutError> {
        Box::pin(self.artifact_at(desc, 0)).await
    }

    async fn artifact_at(&self, desc: &Descriptor, depth: u32) -> Result<Artifact, LayoutError> {
        let bytes = self.read_document(desc).await?;
        let file = self.blob_path(&desc.digest);
        if media::is_index(&desc.media_type) && depth < 3 {
            let index: Index = parse(&file, &bytes)?;
            let mut manifests = Vec::with_capacity(index.manifests.len());
            for child in &index.manifests {
                manifests.push(Box::pin(self.artifact_at(child, depth + 1)).await?);
            }
            return Ok(Artifact::Index(Box::new(ImageIndex {
                descriptor: desc.clone(),
                index,
                bytes,
                manifests,
            })));
        }
        if !media::is_manifest(&desc.media_type) {
            return Err(LayoutError::Unsupported {
                path: self.root.clone(),
                what: format!("manifest {}", desc.digest),
                media_type: desc.media_type.clone(),
            });
        }
        let image = self.image_from(desc.clone(), bytes).await?;
        for layer in image.layers() {
            if !self.has_blob(&layer.descriptor).await? {
                return Err(LayoutError::BlobMissing {
                    path: self.root.clone(),
                    digest: layer.descriptor.digest.clone(),
                });
            }
        }
        Ok(Artifact::Image(Box::new(image)))
    }

    /// The image whose manifest `bytes` are, with its config read from here.
    async fn image_from(
        &self,
        descriptor: Descriptor,
        bytes: Vec<u8>,
    ) -> Result<Image, LayoutError> {
        let manifest_file = self.blob_path(&descriptor.digest);
        let manifest: Manifest = parse(&manifest_file, &bytes)?;
        let config_bytes = self.read_document(&manifest.config).await?;
        let config_file = self.blob_path(&manifest.config.digest);
        Image::from_documents(descriptor, (manifest, bytes), config_bytes, |_, _| {
            BlobSource::Layout(self.root.clone())
        })
        .map_err(|e| LayoutError::BadDocument {
            file: match e {
                ImageError::Config { .. } => config_file,
                ImageError::LayerCount { .. } => manifest_file,
            },
            message: e.to_string(),
        })
    }

    /// The index entry tagged `tag`, or the only entry without a tag.
    pub fn entry<'i>(
        &self,
        index: &'i Index,
        tag: Option<&str>,
    ) -> Result<&'i Descriptor, LayoutError> {
        let tags = || index.tags().into_iter().map(str::to_owned).collect();
        // A referrer (an SBOM of an image) is no image to pick.
        let images: Vec<&Descriptor> = index.manifests.iter().filter(|d| !is_referrer(d)).collect();
        let entry = match tag {
            Some(tag) => index.manifests.iter().find(|d| d.ref_name() == Some(tag)),
            None if images.len() == 1 => images.first().copied(),
            None => {
                return Err(LayoutError::Ambiguous {
                    path: self.root.clone(),
                    count: images.len(),
                    tags: tags(),
                });
            }
        };
        entry.ok_or_else(|| LayoutError::TagNotFound {
            path: self.root.clone(),
            tag: tag.unwrap_or_default().to_owned(),
            tags: tags(),
        })
    }

    /// Follows an index (or Docker manifest list) down to one manifest.
    pub async fn select_platform(
        &self,
        mut desc: Descriptor,
        wanted: Option<&Platform>,
    ) -> Result<Descriptor, LayoutError> {
        // Nested indexes are legal; three levels is more than any real image uses.
        for _ in 0..3 {
            if media::is_manifest(&desc.media_type) {
                return Ok(desc);
            }
            if !media::is_index(&desc.media_type) {
                return Err(LayoutError::Unsupported {
                    path: self.root.clone(),
                    what: format!("manifest {}", desc.digest),
                    media_type: desc.media_type,
                });
            }
            let nested: Index = parse(
                &self.blob_path(&desc.digest),
                &self.read_document(&desc).await?,
            )?;
            let target = wanted.cloned().unwrap_or_else(Platform::default_target);
            desc = nested
                .select(&target)
                .map_err(|available| LayoutError::NoPlatform {
                    path: self.root.clone(),
                    wanted: target.to_string(),
                    available,
                })?
                .clone();
        }
        Err(LayoutError::Unsupported {
            path: self.root.clone(),
            what: "index nesting".to_owned(),
            media_type: desc.media_type,
        })
    }

    /// True when the blob is already here with the right size.
    pub async fn has_blob(&self, desc: &Descriptor) -> Result<bool, LayoutError> {
        Ok(self
            .host
            .stat(&self.blob_path(&desc.digest))
            .await?
            .is_some_and(|i| i.kind == Kind::File && i.size == desc.size))
    }

    /// A new temporary name for a blob: the owner's pid and a random part
    /// as well as the count, for several builds may share a cache layout.
    fn temp_name(&self) -> String {
        let n = self.temp_counter.get() + 1;
        self.temp_counter.set(n);
        crate::temp::in_dir(self.host, &self.file("blobs/sha256"), n)
    }

    /// Gives a complete blob at `temp` its digest name. A blob the layout
    /// did not hold yet is one this build added, which a failure takes back.
    async fn place(&self, temp: &str, digest: &Digest) -> Result<(), LayoutError> {
        let path = self.blob_path(digest);
        let renamed = async {
            let existed = self.host.stat(&path).await?.is_some();
            self.host.rename(temp, &path).await?;
            Ok::<_, HostError>(existed)
        }
        .await;
        match renamed {
            Ok(existed) => {
                if !existed {
                    self.added.borrow_mut().push(path);
                }
                Ok(())
            }
            Err(e) => {
                let _ = self.host.remove(temp).await;
                Err(e.into())
            }
        }
    }

    /// Starts a blob under a temporary name; it gets its digest name only once complete.
    pub async fn begin_blob(&self) -> Result<BlobWriter, LayoutError> {
        let temp = self.temp_name();
        let handle = self.host.create(&temp).await?;
        self.unfinished.borrow_mut().push((handle, temp.clone()));
        Ok(BlobWriter {
            handle,
            temp,
            size: 0,
        })
    }

    /// Stores a small blob given whole (a config or manifest).
    pub async fn put_bytes(
        &self,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<Descriptor, LayoutError> {
        let desc = Descriptor::new(
            media_type,
            Digest::of(self.host.sha256(), bytes),
            bytes.len() as u64,
        );
        if !self.has_blob(&desc).await? {
            let mut w = self.begin_blob().await?;
            let written = w.write(self.host, bytes).await;
            w.settle(self, written, &desc.digest).await?;
        }
        Ok(desc)
    }

    /// Copies a blob from another layout. The host moves the bytes (a hard
    /// link to a verified cache blob, else a reflink or a kernel copy), so a
    /// base layer of tens of megabytes never passes through the core's
    /// memory; only a blob not yet `Checked` is read, to hash it.
    pub async fn copy_blob(
        &self,
        from: &Layout<'_, H>,
        desc: &Descriptor,
        checked: Checked,
    ) -> Result<(), LayoutError> {
        let src = from.blob_path(&desc.digest);
        let Some(info) = self.host.stat(&src).await? else {
            return Err(LayoutError::BlobMissing {
                path: from.root.clone(),
                digest: desc.digest.clone(),
            });
        };
        // Before a byte is copied: a base layer of the wrong size is wrong,
        // checked or not (a cache blob truncated since it was checked).
        check_size(&from.root, info.size, desc)?;
        self.check_content(&src, desc, checked).await?;
        let temp = self.temp_name();
        // A user's layout is theirs to write into: it gets a copy of its own.
        let copied = match checked {
            Checked::Verified => self.host.link_file(&src, &temp).await,
            Checked::Unchecked => self.host.copy_file(&src, &temp).await,
        };
        if let Err(e) = copied {
            let _ = self.host.remove(&temp).await;
            return Err(e.into());
        }
        self.host.progress(&crate::host::Progress::Blob {
            digest: Some(&desc.digest.to_string()),
            label: "base layer",
            bytes: desc.size,
        });
        self.place(&temp, &desc.digest).await
    }

    /// The one look at a base layer's content a build without dependencies
    /// takes (it never unpacks one): a gzip layer that is not gzip would
    /// make an image no engine can unpack. An `Unchecked` blob is hashed
    /// whole as well.
    async fn check_content(
        &self,
        src: &str,
        desc: &Descriptor,
        checked: Checked,
    ) -> Result<(), LayoutError> {
        let want = match checked {
            Checked::Verified => 2,
            Checked::Unchecked => COPY_CHUNK,
        };
        let mut h = self.host.sha256();
        let mut size = 0;
        loop {
            let chunk = self.host.read(src, size, want).await?;
            if size == 0
                && pycontainer_oci::media::layer_is_gzip(&desc.media_type)
                && !chunk.starts_with(&[0x1f, 0x8b])
            {
                return Err(LayoutError::NotGzip {
                    path: src.to_owned(),
                    digest: desc.digest.clone(),
                    media_type: desc.media_type.clone(),
                });
            }
            if checked == Checked::Verified {
                return Ok(());
            }
            h.update(&chunk);
            size += chunk.len() as u64;
            if chunk.len() < COPY_CHUNK {
                break;
            }
        }
        check_size(src, size, desc)?;
        let actual = h.finish();
        if actual != desc.digest {
            return Err(LayoutError::Corrupt {
                path: src.to_owned(),
                digest: desc.digest.clone(),
                actual,
                size,
            });
        }
        Ok(())
    }

    /// Points each of `tags` at `manifest`, keeping every other tag, and
    /// replaces index.json in one rename so a reader never sees half of it.
    /// The index is read again under the layout's lock: another build may
    /// have tagged since `base` was read, and its tags must stay.
    pub async fn tag(
        &self,
        base: Option<Index>,
        manifest: &Descriptor,
        tags: &[Tag],
        referrers: &[Descriptor],
    ) -> Result<Index, LayoutError> {
        let lock = crate::lock::acquire(self.host, &self.file("index.json.lock")).await?;
        let tagged = match self.check_complete(manifest).await {
            Ok(()) => match self.read_index().await {
                Ok(now) => self.retag(now.or(base), manifest, tags, referrers).await,
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        lock.release(self.host).await;
        tagged
    }

    async fn retag(
        &self,
        base: Option<Index>,
        manifest: &Descriptor,
        tags: &[Tag],
        referrers: &[Descriptor],
    ) -> Result<Index, LayoutError> {
        let mut index = base.unwrap_or_else(Index::empty);
        index.manifests.retain(|d| {
            !tags.iter().any(|t| d.ref_name() == Some(t.tag.as_str()))
                && !referrers.iter().any(|r| r.digest == d.digest)
        });
        index.manifests.extend(tagged(manifest, tags));
        // Referrers (SBOMs) are listed untagged, found by their `subject`.
        index.manifests.extend(referrers.iter().cloned());
        if self.host.stat(&self.file("oci-layout")).await?.is_none() {
            self.replace_file("oci-layout", OCI_LAYOUT).await?;
        }
        self.replace_file("index.json", &oci::to_canonical_json(&index))
            .await?;
        Ok(index)
    }

    async fn replace_file(&self, name: &str, bytes: &[u8]) -> Result<(), LayoutError> {
        let path = self.file(name);
        let existed = self.host.stat(&path).await?.is_some();
        crate::temp::replace_file(self.host, &path, bytes).await?;
        if !existed {
            self.added.borrow_mut().push(path);
        }
        Ok(())
    }
}

/// Whether a blob to copy is known to match its digest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checked {
    /// A blob in the cache: hashed against its digest when it entered, and
    /// never written since (every blob is written under a temp name, then
    /// renamed), so a copy need not hash it again.
    Verified,
    /// A blob in a layout the user gave, which anything may have written:
    /// hashed on the way.
    Unchecked,
}

/// A blob being written under a temporary name.
pub struct BlobWriter {
    handle: WriteHandle,
    temp: String,
    size: u64,
}

impl BlobWriter {
    pub async fn write<H: Host>(&mut self, host: &H, bytes: &[u8]) -> Result<(), LayoutError> {
        host.write(self.handle, bytes).await?;
        self.size += bytes.len() as u64;
        Ok(())
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// Closes the blob and gives it its digest name (`Layout::place`).
    pub async fn commit<H: Host>(
        self,
        layout: &Layout<'_, H>,
        digest: &Digest,
    ) -> Result<(), LayoutError> {
        layout.finished(self.handle);
        if let Err(e) = layout.host.close(self.handle).await {
            let _ = layout.host.remove(&self.temp).await;
            return Err(e.into());
        }
        layout.place(&self.temp, digest).await
    }

    /// Drops the unfinished blob; used on the error path, so its own failures are moot.
    pub async fn abort<H: Host>(self, layout: &Layout<'_, H>) {
        layout.finished(self.handle);
        let _ = layout.host.close(self.handle).await;
        let _ = layout.host.remove(&self.temp).await;
    }

    /// Commits on success, aborts on failure, and passes the failure on.
    pub async fn settle<H: Host>(
        self,
        layout: &Layout<'_, H>,
        outcome: Result<(), LayoutError>,
        digest: &Digest,
    ) -> Result<(), LayoutError> {
        match outcome {
            Ok(()) => self.commit(layout, digest).await,
            Err(e) => {
                self.abort(layout).await;
                Err(e)
            }
        }
    }
}

pub(crate) fn parse<T: serde::de::DeserializeOwned>(
    file: &str,
    bytes: &[u8],
) -> Result<T, LayoutError> {
    serde_json::from_slice(bytes).map_err(|e| LayoutError::BadDocument {
        file: file.to_owned(),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::NativeHost;

    #[test]
    fn a_new_layout_is_marked_first_and_undone_whole() {
        let tmp = std::env::temp_dir().join(format!("pycontainer-layout-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&tmp);
        let root = tmp.join("new/out");
        let host = NativeHost::new();
        let layout = Layout::new(&host, &root.to_string_lossy());
        pollster::block_on(async {
            layout.begin().await.unwrap_or_else(|e| panic!("{e}"));
            // Before any blob, another build sees a layout being made.
            let marker = std::fs::read(root.join("oci-layout")).unwrap_or_default();
            assert_eq!(marker, OCI_LAYOUT);
            // Two blobs in flight, as parallel tasks a failure drops leave them.
            let mut a = layout.begin_blob().await.unwrap_or_else(|e| panic!("{e}"));
            let _dropped = layout.begin_blob().await.unwrap_or_else(|e| panic!("{e}"));
            a.write(&host, b"{}")
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let digest = Digest::of(host.sha256(), b"{}");
            a.commit(&layout, &digest)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            layout.undo().await;
        });
        assert!(
            !tmp.join("new").exists(),
            "the root and the parent it needed are gone"
        );
        assert!(tmp.exists(), "what was there before stays");
        let _ = std::fs::remove_dir_all(tmp);
    }

    /// A layout holding one gzip blob (each test says whether it is taken
    /// for the cache or a user's layout), under a temp dir of its own.
    fn copy_setup(name: &str) -> (std::path::PathBuf, Descriptor) {
        let tmp = std::env::temp_dir().join(format!("pycontainer-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        let bytes = [0x1f, 0x8b, 8, 0, 1, 2, 3];
        let desc = Descriptor::new(
            media::OCI_LAYER_GZIP,
            Digest::of(pycontainer_digest::Sha256::portable(), &bytes),
            bytes.len() as u64,
        );
        let host = NativeHost::new();
        let blob = Layout::new(&host, &tmp.join("cache").to_string_lossy()).blob_path(&desc.digest);
        let _ = std::fs::create_dir_all(tmp.join("cache/blobs/sha256"));
        std::fs::write(blob, bytes).unwrap_or_else(|e| panic!("{e}"));
        (tmp, desc)
    }

    #[test]
    fn a_cache_blob_is_linked_and_a_users_blob_copied() {
        use std::os::unix::fs::MetadataExt;
        let (tmp, desc) = copy_setup("copy");
        let host = NativeHost::new();
        let from = Layout::new(&host, &tmp.join("cache").to_string_lossy());
        let src = from.blob_path(&desc.digest);
        let ino = |p: &str| std::fs::metadata(p).map_or(0, |m| m.ino());
        for (checked, linked) in [(Checked::Verified, true), (Checked::Unchecked, false)] {
            let to = Layout::new(&host, &tmp.join(format!("{checked:?}")).to_string_lossy());
            pollster::block_on(to.copy_blob(&from, &desc, checked))
                .unwrap_or_else(|e| panic!("{e}"));
            let dst = to.blob_path(&desc.digest);
            assert_eq!(std::fs::read(&dst).ok(), std::fs::read(&src).ok());
            assert_eq!(ino(&dst) == ino(&src), linked, "{checked:?}");
            // Only the blob: no temp file is left beside it.
            let dir = std::fs::read_dir(tmp.join(format!("{checked:?}/blobs/sha256")));
            assert_eq!(dir.map_or(0, |d| d.count()), 1);
        }
        let _ = std::fs::remove_dir_all(tmp);
    }

    #[test]
    fn a_blob_of_the_wrong_size_is_refused_and_only_an_unchecked_one_is_hashed() {
        let (tmp, desc) = copy_setup("copy-bad");
        let host = NativeHost::new();
        let (cache, out) = (tmp.join("cache"), tmp.join("out"));
        let from = Layout::new(&host, &cache.to_string_lossy());
        let to = Layout::new(&host, &out.to_string_lossy());
        let src = from.blob_path(&desc.digest);
        let copy = |checked| pollster::block_on(to.copy_blob(&from, &desc, checked));
        // A cache blob cut short since it was checked: refused, checked or not.
        std::fs::write(&src, [0x1f, 0x8b, 8]).unwrap_or_else(|e| panic!("{e}"));
        for checked in [Checked::Verified, Checked::Unchecked] {
            assert!(
                matches!(copy(checked), Err(LayoutError::SizeMismatch { .. })),
                "{checked:?}"
            );
        }
        // The right size, other bytes: only hashing can tell, so only an
        // unchecked blob (a user's layout) is refused.
        std::fs::write(&src, [0x1f, 0x8b, 8, 0, 9, 9, 9]).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            copy(Checked::Unchecked),
            Err(LayoutError::Corrupt { .. })
        ));
        assert!(!std::path::Path::new(&to.blob_path(&desc.digest)).exists());
        copy(Checked::Verified).unwrap_or_else(|e| panic!("{e}"));
        // A gzip layer that is not gzip is refused even when verified.
        std::fs::write(&src, [0, 0, 8, 0, 1, 2, 3]).unwrap_or_else(|e| panic!("{e}"));
        let fresh = Layout::new(&host, &tmp.join("fresh").to_string_lossy());
        let copied = pollster::block_on(fresh.copy_blob(&from, &desc, Checked::Verified));
        assert!(matches!(copied, Err(LayoutError::NotGzip { .. })));
        let _ = std::fs::remove_dir_all(tmp);
    }

    #[test]
    fn a_host_without_a_copy_of_its_own_copies_through_the_core() {
        let tmp = std::env::temp_dir().join(format!("pycontainer-through-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        let _ = std::fs::create_dir_all(&tmp);
        // More than one read's worth, and not a multiple of it.
        let bytes: Vec<u8> = (0..(1 << 20) + 5).map(|i| (i % 251) as u8).collect();
        let (src, dst) = (tmp.join("a"), tmp.join("deep/b"));
        std::fs::write(&src, &bytes).unwrap_or_else(|e| panic!("{e}"));
        let host = NativeHost::new();
        pollster::block_on(crate::host::copy_through(
            &host,
            &src.to_string_lossy(),
            &dst.to_string_lossy(),
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(std::fs::read(&dst).ok(), Some(bytes));
        let _ = std::fs::remove_dir_all(tmp);
    }

    #[test]
    fn a_failed_build_keeps_the_blobs_another_build_tagged() {
        let tmp = std::env::temp_dir().join(format!("pycontainer-undo-{}", std::process::id()));
        let root = tmp.join("out");
        let _ = std::fs::create_dir_all(&root);
        let root = root.to_string_lossy().into_owned();
        let host = NativeHost::new();
        let (host, root) = (&host, root.as_str());
        let ok = |e: LayoutError| -> Descriptor { panic!("{e}") };
        // `layer` was added by a failing build; another tags an image with it.
        let tagged_after = |layer: &'static [u8], undo_first: bool| async move {
            let (failing, other) = (Layout::new(host, root), Layout::new(host, root));
            failing.begin().await.unwrap_or_else(|e| panic!("{e}"));
            other.begin().await.unwrap_or_else(|e| panic!("{e}"));
            let gz = media::OCI_LAYER_GZIP;
            let l = failing.put_bytes(gz, layer).await.unwrap_or_else(ok);
            // Found present, so not written (nor taken back) by the other.
            other.put_bytes(gz, layer).await.unwrap_or_else(ok);
            let config = other
                .put_bytes(media::OCI_CONFIG, b"{}")
                .await
                .unwrap_or_else(ok);
            let manifest = serde_json::json!({
                "schemaVersion": 2, "mediaType": media::OCI_MANIFEST,
                "config": config, "layers": [l],
            });
            let manifest = other
                .put_bytes(media::OCI_MANIFEST, manifest.to_string().as_bytes())
                .await
                .unwrap_or_else(ok);
            let tags = [Tag {
                tag: "1".into(),
                name: "app:1".into(),
            }];
            if undo_first {
                failing.undo().await;
            }
            let tagged = other.tag(None, &manifest, &tags, &[]).await;
            if !undo_first {
                failing.undo().await;
            }
            (
                tagged,
                std::path::Path::new(&failing.blob_path(&l.digest)).exists(),
            )
        };
        pollster::block_on(async {
            // Tagged first: the failed build leaves the blob the tag reaches.
            let (tagged, kept) = tagged_after(b"shared layer", false).await;
            assert!(tagged.is_ok() && kept, "{tagged:?}");
            // Taken back first: the tag is refused, never left incomplete.
            let (tagged, kept) = tagged_after(b"another layer", true).await;
            assert!(!kept);
            let e = tagged.err().map(|e| e.to_string()).unwrap_or_default();
            assert!(e.contains("went away while this build ran"), "{e}");
        });
        let _ = std::fs::remove_dir_all(tmp);
    }
}
