//! Python packages from indexes and locks, with no I/O: Simple API pages
//! (PEP 503 HTML, PEP 691 JSON), lock and requirements readers (pylock.toml,
//! uv.lock, poetry.lock, requirements files), pycontainer's own lock, and a
//! PubGrub resolver that asks for what it needs instead of fetching it, and
//! uv workspace membership.

pub mod index;
pub mod lock;
pub mod ownlock;
pub mod resolve;
pub mod workspace;
