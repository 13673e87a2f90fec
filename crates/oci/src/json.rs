//! The one way pycontainer writes its documents as JSON.

use serde::Serialize;

/// Canonical JSON for a document we write: compact, fields in declaration
/// order and maps sorted, so the same image always has the same digest.
pub fn to_canonical_json<T: Serialize>(doc: &T) -> Vec<u8> {
    // Serialising these plain structs and maps cannot fail.
    serde_json::to_vec(doc).unwrap_or_default()
}
