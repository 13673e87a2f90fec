//! What the plan tells people the build will do that their project may
//! not expect: each with a stable code, in the plan and as a progress
//! warning when the plan is made.

use serde::Serialize;

use crate::host::{Host, Progress};
use crate::project::Project;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Warning {
    /// Stable: `excluded-referenced`; `writes-unknown` (the app writes
    /// where pycontainer cannot follow); `writes-owner` (the writable
    /// directories cannot be handed to the user).
    pub code: String,
    pub message: String,
}

impl Warning {
    pub(super) fn new(code: &str, message: String) -> Self {
        Warning {
            code: code.to_owned(),
            message,
        }
    }

    /// Reports each warning once, through the host's progress.
    pub fn report<H: Host>(host: &H, warnings: &[Warning]) {
        for w in warnings {
            host.progress(&Progress::Warning {
                message: &w.message,
            });
        }
    }
}

/// The build outputs left out by default that the project's sources name.
pub(super) fn excluded_but_named(project: &Project) -> Vec<Warning> {
    project
        .excluded
        .iter()
        .filter_map(|e| {
            let file = e.referenced_by.as_ref()?;
            Some(Warning::new(
                "excluded-referenced",
                format!(
                    "{}/ is left out ({}), but {file} names it; --include {} ships it",
                    e.path, e.reason, e.path
                ),
            ))
        })
        .collect()
}
