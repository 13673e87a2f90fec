//! Installing wheels into an image, with no I/O: the install plan of one
//! wheel (paths, RECORD checks, launchers), the venv they go into and its
//! layer entries, the project's own dist-info, and the probe that reads a
//! base image's layers for its Python and C library.

pub mod bytecode;
pub mod dist_info;
pub mod install;
pub mod target;
pub mod venv;
