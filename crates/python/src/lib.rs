//! The Python packaging standards, with no I/O: PEP 503 names, PEP 440
//! versions and specifiers, PEP 508 requirements and markers, Poetry
//! constraints, wheel file names and platform tags, core metadata, RECORD
//! files, the choice of a CPython from a project's constraints, and what
//! may be shown of a URL that carries credentials.

pub mod interpreters;
pub mod metadata;
pub mod name;
pub mod pep440;
pub mod pep508;
pub mod poetry;
pub mod record;
pub mod setupcfg;
pub mod tags;
pub mod url;
pub mod wheel;
