//! The SBOM files beside the output layout: `<layout>.spdx.json` and
//! `<layout>.cdx.json` (the ending CycloneDX recommends), so that a layout
//! directory `out` gets `out.spdx.json` next to it and stays a pure layout.

use pycontainer_sbom::{Format, Sbom};

use crate::host::{Host, HostError};
use crate::temp;

/// Writes each format, each file whole or not at all; returns their paths.
pub async fn write_beside<H: Host>(
    host: &H,
    layout: &str,
    sbom: &Sbom,
    formats: &[Format],
) -> Result<Vec<String>, HostError> {
    let stem = layout.trim_end_matches('/');
    let mut written = Vec::new();
    for format in formats {
        let path = format!("{stem}.{}", format.extension());
        temp::replace_file(host, &path, &format.write(sbom)).await?;
        written.push(path);
    }
    Ok(written)
}
