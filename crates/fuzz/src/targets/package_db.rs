//! A base image's package databases (dpkg's status, apk's installed),
//! os-release, and the license fields of METADATA, as `--sbom` reads them
//! from layers anyone may have written.

use pycontainer_sbom::{apk, dpkg, license, os_release};

use super::{seeds_of, text, TEXT};
use crate::Target;

pub static TARGET: Target = Target {
    name: "package-db",
    seed_files: &[],
    seeds: || {
        seeds_of(&[
            "Package: libc6\nStatus: install ok installed\nVersion: 2.36-9\nArchitecture: amd64\nDescription: x\n more\n\nPackage: b\nVersion: 1\n",
            "C:Q1=\nP:musl\nV:1.2.4-r4\nA:x86_64\nL:MIT AND (BSD-3-Clause OR GPL-2.0-or-later)\n\nP:x\n",
            "ID=debian\nVERSION_ID=\"12\"\n",
            "Metadata-Version: 2.4\nLicense-Expression: MIT OR Apache-2.0\nLicense: BSD\nClassifier: License :: OSI Approved :: MIT License\n\nbody",
        ])
    },
    dictionary: &[
        "\n",
        ": ",
        "Package",
        "Version",
        "Status",
        "install ok installed",
        "P:",
        "V:",
        "L:",
        "\n\n",
        "(",
        ")",
        " AND ",
        "License-Expression",
        "Classifier: License :: ",
    ],
    grammar: None,
    check,
    memory: TEXT,
    smoke_cases: 800,
};

fn check(input: &[u8]) -> Result<(), String> {
    let text = text(input);
    let _ = dpkg::parse_status("status", &text);
    let _ = apk::parse_installed("installed", &text);
    let _ = os_release::parse(&text);
    let _ = license::from_metadata(&text);
    let _ = license::from_package_field(&text);
    Ok(())
}
