//! Wheels built from sdists, for packages that have no wheel for the
//! target: the sdist is downloaded like a wheel (hash-checked, cached), the
//! wheel built from it in the core (`pycontainer_sdist`) and put in the
//! cache by its own hash, where the install reads it like any other wheel.

use pycontainer_python::name::PackageName;
use pycontainer_python::pep440::Version;
use pycontainer_sdist::SdistError;

use super::DepsError;
use crate::host::Host;
use crate::layout::Layout;

/// A wheel built from an sdist, in the cache.
pub struct BuiltWheel {
    pub path: String,
    pub filename: String,
    pub metadata: Vec<u8>,
}

/// Builds the wheel of `name` `version` from the sdist cached at `path`.
pub async fn build<H: Host>(
    host: &H,
    cache: &Layout<'_, H>,
    path: &str,
    name: &PackageName,
    version: &Version,
    filename: &str,
) -> Result<BuiltWheel, DepsError> {
    let bytes = host.read_all(path).await?;
    let built = pycontainer_sdist::build(name, version, filename, &bytes).map_err(|e| match e {
        SdistError::Refused(reason) => DepsError::SdistRefused {
            package: name.to_string(),
            version: version.to_string(),
            filename: filename.to_owned(),
            reason,
        },
        SdistError::Archive(message) => DepsError::BadSdist {
            filename: filename.to_owned(),
            message,
        },
    })?;
    let stored = cache.put_bytes("application/zip", &built.wheel).await?;
    Ok(BuiltWheel {
        path: cache.blob_path(&stored.digest),
        filename: built.filename,
        metadata: built.metadata,
    })
}
