//! One module per parser of untrusted bytes; [`ALL`] lists them.

mod challenge;
mod env_file;
mod gunzip;
mod metadata;
mod oci;
mod package_db;
mod parsed_page;
mod pep440;
mod pep508;
mod poetry_lock;
mod pycontainer_toml;
mod pylock;
mod pyproject;
mod python_version;
mod record;
mod reference;
mod requirements;
mod simple_html;
mod simple_json;
mod untar;
mod uv_lock;
mod wheel_name;
mod zip;

use pycontainer_pypi::index;
use pycontainer_pypi::lock::Selection;
use pycontainer_python::name::ExtraName;
use pycontainer_python::pep508::MarkerEnv;

use crate::{Memory, Target};

pub static ALL: &[&Target] = &[
    &reference::TARGET,
    &pep440::TARGET,
    &pep508::TARGET,
    &requirements::TARGET,
    &pyproject::TARGET,
    &pycontainer_toml::TARGET,
    &env_file::TARGET,
    &uv_lock::TARGET,
    &poetry_lock::TARGET,
    &pylock::TARGET,
    &simple_json::TARGET,
    &simple_html::TARGET,
    &parsed_page::TARGET,
    &challenge::TARGET,
    &metadata::TARGET,
    &package_db::TARGET,
    &record::TARGET,
    &wheel_name::TARGET,
    &python_version::TARGET,
    &oci::TARGET,
    &zip::TARGET,
    &untar::TARGET,
    &gunzip::TARGET,
];

/// Text parsers build trees of small strings: generous per input byte, but
/// a fixed bound all the same.
const TEXT: Memory = Memory {
    fixed: 4 << 20,
    per_byte: 256,
};

/// Streaming decoders hold their buffers and no more, whatever the input.
const STREAM: Memory = Memory {
    fixed: 1 << 20,
    per_byte: 4,
};

/// The image pycontainer's locks are read for most: CPython 3.11 on x86-64 Linux.
fn linux() -> MarkerEnv {
    let python = "3.11.2"
        .parse()
        .unwrap_or_else(|_| unreachable!("a valid version"));
    MarkerEnv::linux_cpython(&python, "x86_64")
}

/// Input bytes as a parser of text gets them (hosts decode files lossily).
fn text(input: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(input)
}

fn seeds_of(items: &[&str]) -> Vec<Vec<u8>> {
    items.iter().map(|s| s.as_bytes().to_vec()).collect()
}

/// No extras or groups, and some that fixtures define (and some they do not).
fn selections() -> Vec<Selection> {
    let names = |list: &[&str]| list.iter().filter_map(|n| ExtraName::new(n).ok()).collect();
    vec![
        Selection::default(),
        Selection {
            extras: names(&["standard", "dev", "missing"]),
            groups: names(&["dev", "test"]),
        },
    ]
}

/// A project page, read as served with `content_type` and sniffed without one.
fn simple_page(input: &[u8], content_type: &str) -> Result<(), String> {
    let url = "https://pypi.org/simple/starlette/";
    for page in [
        index::parse_project(input, Some(content_type), url),
        index::parse_project(input, None, url),
    ]
    .into_iter()
    .flatten()
    {
        for file in &page.files {
            index::metadata_url(file);
        }
    }
    Ok(())
}
