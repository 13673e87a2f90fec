//! The bill as one flat list, image first, that both formats walk: each
//! entry with its purl and a key that is stable for the same content.

use pycontainer_digest::Digest;

use crate::id;
use crate::license::License;
use crate::model::Sbom;
use crate::purl;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Image,
    Base,
    Project,
    Python,
    Os,
}

pub(crate) struct Entry<'a> {
    pub kind: Kind,
    pub name: &'a str,
    pub version: Option<&'a str>,
    pub purl: Option<String>,
    pub license: &'a License,
    pub sha256: Option<&'a Digest>,
    pub url: Option<&'a str>,
    /// Letters, digits, `.` and `-` only (what an SPDX id allows), unique in the bill.
    pub key: String,
}

/// The image, its base, the project, the Python distributions, the OS packages.
pub(crate) fn entries(sbom: &Sbom) -> Vec<Entry<'_>> {
    let mut out = Vec::new();
    let subject = &sbom.subject;
    let image_purl = oci_purl(&subject.name, &subject.digest);
    out.push(entry(
        Kind::Image,
        &subject.name,
        None,
        Some(image_purl),
        &License::NoAssertion,
        Some(&subject.digest),
        None,
    ));
    if let Some(base) = &sbom.base {
        let base_purl = base.digest.as_ref().map(|d| oci_purl(&base.reference, d));
        out.push(entry(
            Kind::Base,
            &base.reference,
            None,
            base_purl,
            &License::NoAssertion,
            base.digest.as_ref(),
            None,
        ));
    }
    let python = sbom
        .project
        .iter()
        .map(|p| (Kind::Project, p))
        .chain(sbom.python.iter().map(|p| (Kind::Python, p)));
    for (kind, dist) in python {
        let wheel = dist.wheel.as_ref();
        out.push(entry(
            kind,
            &dist.name,
            Some(&dist.version),
            Some(purl::pypi(&dist.name, &dist.version)),
            &dist.license,
            wheel.and_then(|w| w.sha256.as_ref()),
            wheel.and_then(|w| w.url.as_deref()),
        ));
    }
    if let Some(os) = &sbom.os {
        for package in &os.packages {
            let purl = purl::os(os, package);
            out.push(entry(
                Kind::Os,
                &package.name,
                Some(&package.version),
                Some(purl),
                &package.license,
                None,
                None,
            ));
        }
    }
    out
}

fn entry<'a>(
    kind: Kind,
    name: &'a str,
    version: Option<&'a str>,
    purl: Option<String>,
    license: &'a License,
    sha256: Option<&'a Digest>,
    url: Option<&'a str>,
) -> Entry<'a> {
    let word = match kind {
        Kind::Image => "image",
        Kind::Base => "base",
        Kind::Project => "project",
        Kind::Python => "pypi",
        Kind::Os => "os",
    };
    // The purl (or name) hashed keeps two entries apart whose names differ
    // only in characters the key drops.
    let identity = purl.clone().unwrap_or_else(|| name.to_string());
    let key = format!("{word}-{}-{}", sanitize(name), id::short(&identity));
    Entry {
        kind,
        name,
        version,
        purl,
        license,
        sha256,
        url,
        key,
    }
}

/// `pkg:oci/<name>@<digest>`: the name is the reference's last path part,
/// without tag or digest, lowercase.
fn oci_purl(reference: &str, digest: &Digest) -> String {
    let last = reference.rsplit('/').next().unwrap_or(reference);
    let name = last
        .split(['@', ':'])
        .next()
        .unwrap_or(last)
        .to_ascii_lowercase();
    let name = if name.is_empty() {
        "image".to_string()
    } else {
        name
    };
    format!("pkg:oci/{}@sha256%3A{}", sanitize(&name), digest.hex())
}

fn sanitize(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect()
}
