//! The SBOMs as referrers of the image (image-spec 1.1): for each format an
//! artifact manifest (the empty config, the document as its one layer,
//! `artifactType` the document's media type, `subject` the image). In a
//! layout, index.json lists each untagged by a descriptor that carries the
//! `artifactType`, as the image-layout spec lists referrers
//! (`Layout::put_referrers`); registries get them through
//! `registry::referrers`.

use std::collections::BTreeMap;

use pycontainer_oci::{Image, Referrer};
use pycontainer_sbom::{Format, Sbom};

/// The artifact of each format, `subject` the image.
pub fn referrers(image: &Image, bill: &Sbom, formats: &[Format]) -> Vec<Referrer> {
    let created = BTreeMap::from([(
        "org.opencontainers.image.created".to_owned(),
        bill.created.clone(),
    )]);
    formats
        .iter()
        .map(|format| {
            Referrer::new(
                image.descriptor(),
                format.media_type(),
                format.write(bill),
                created.clone(),
            )
        })
        .collect()
}
