//! The SBOM files beside the output layout: `<layout>.spdx.json` and
//! `<layout>.cdx.json` (the ending CycloneDX recommends), so that a layout
//! directory `out` gets `out.spdx.json` next to it and stays a pure layout.
//! A multi-platform build writes one of each per platform, its name holding
//! the platform: `out.linux-arm64.spdx.json`.

use pycontainer_oci::Platform;
use pycontainer_sbom::{Format, Sbom};

use crate::host::{Host, HostError};
use crate::temp;

/// Writes each format, each file whole or not at all; returns their paths.
/// `platform` is the image's when the output holds several.
pub async fn write_beside<H: Host>(
    host: &H,
    output: &str,
    platform: Option<&Platform>,
    sbom: &Sbom,
    formats: &[Format],
) -> Result<Vec<String>, HostError> {
    let mut stem = output.trim_end_matches('/').to_owned();
    if let Some(platform) = platform {
        stem = format!("{stem}.{}", platform.to_string().replace('/', "-"));
    }
    let mut written = Vec::new();
    for format in formats {
        let path = format!("{stem}.{}", format.extension());
        temp::replace_file(host, &path, &format.write(sbom)).await?;
        written.push(path);
    }
    Ok(written)
}
