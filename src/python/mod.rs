//! Python packaging standards the build needs: PEP 440 versions, Poetry constraints, interpreter choice.

pub mod interpreters;
pub mod name;
pub mod pep440;
pub mod pep508;
pub mod poetry;
pub mod wheel;
