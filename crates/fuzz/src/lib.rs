//! Fuzz targets for the parsers that read untrusted bytes, on stable Rust.
//!
//! Each target (one module of `targets/`) names its parser, its seeds (the
//! repo's fixtures and a few inline inputs), the tokens its format is made
//! of and, for the short formats, a grammar. The [`runner`] feeds it seeds,
//! mutated seeds and grammar output, and fails on a panic, on an input that
//! runs longer than [`runner::CASE_LIMIT`], and on one that allocates more
//! than the target allows. `cargo test -p pycontainer-fuzz` runs each for a
//! bounded number of cases; `scripts/fuzz.sh` runs them for as long as asked.

pub mod alloc;
pub mod corpus;
pub mod grammar;
pub mod mutate;
pub mod runner;
pub mod targets;

#[global_allocator]
static ALLOCATOR: alloc::Counting = alloc::Counting;

/// One parser under test.
pub struct Target {
    pub name: &'static str,
    /// Files under the repo root, read as seeds (a missing one is an error:
    /// a renamed fixture must not silently shrink the corpus).
    pub seed_files: &'static [&'static str],
    /// Seeds written out here, for what the fixtures do not cover.
    pub seeds: fn() -> Vec<Vec<u8>>,
    /// Tokens of the format, spliced in by mutation.
    pub dictionary: &'static [&'static str],
    /// Makes an input from scratch, for formats with a small grammar.
    pub grammar: Option<Grammar>,
    /// Runs the parser on one input. `Err` is a property that failed (a
    /// parser's own error is not: rejecting bad input is its job).
    pub check: fn(&[u8]) -> Result<(), String>,
    /// Bytes one input may hold at its peak: `fixed + per_byte × input length`.
    pub memory: Memory,
    /// Cases of the smoke run in `cargo test`, sized for ~2 s in debug.
    pub smoke_cases: u64,
}

/// Makes one input from the choices in the run's random bytes.
pub type Grammar = fn(&mut arbitrary::Unstructured) -> arbitrary::Result<Vec<u8>>;

#[derive(Clone, Copy, Debug)]
pub struct Memory {
    pub fixed: usize,
    pub per_byte: usize,
}

impl Memory {
    pub fn cap(&self, input_len: usize) -> usize {
        self.fixed
            .saturating_add(self.per_byte.saturating_mul(input_len))
    }
}

/// The target called `name`.
pub fn target(name: &str) -> Option<&'static Target> {
    targets::ALL.iter().copied().find(|t| t.name == name)
}
