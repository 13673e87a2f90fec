//! `.dockerignore` rules, matched exactly as BuildKit and the classic builder match them.

mod glob;
mod rules;

pub use rules::{IgnoreError, IgnoreRules, Verdict};

#[cfg(test)]
mod tests;
