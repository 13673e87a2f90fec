//! Reads a requirements file and every file it includes (`-r`, `-c`),
//! through the host, into one combined tree.

use crate::host::Host;

use super::DepsError;
use pycontainer_pypi::lock::requirements::{self, Item, Requirements, Role};

/// pip allows any depth; a chain this long is a loop or a mistake.
const MAX_FILES: usize = 64;

/// The tree rooted at `path`, in pip's order: each file's lines, with an
/// include read where it appears.
pub async fn read<H: Host>(host: &H, path: &str) -> Result<Requirements, DepsError> {
    let mut files = Vec::new();
    let mut stack = vec![(path.to_owned(), Role::Requirements, None::<String>)];
    let mut seen = Vec::new();
    while let Some((path, role, from)) = stack.pop() {
        if seen.contains(&path) {
            continue;
        }
        if seen.len() >= MAX_FILES {
            return Err(DepsError::Requirements {
                path,
                message: format!("more than {MAX_FILES} files are included"),
            });
        }
        seen.push(path.clone());
        let text = match host.stat(&path).await? {
            Some(_) => String::from_utf8_lossy(&host.read_all(&path).await?).into_owned(),
            None => {
                return Err(DepsError::Requirements {
                    message: match from {
                        Some(parent) => format!("included from {parent}, does not exist"),
                        None => "does not exist".to_owned(),
                    },
                    path,
                })
            }
        };
        let file = requirements::parse(&text, &display(&path), role, &|name| host.env(name))?;
        let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
        // Reversed onto the stack, so that includes are read in file order.
        let includes: Vec<_> = file
            .items
            .iter()
            .filter_map(|item| match item {
                Item::Include { path: p, .. } => Some((join(dir, p), Role::Requirements)),
                Item::Constraints { path: p, .. } => Some((join(dir, p), Role::Constraints)),
                _ => None,
            })
            .collect();
        stack.extend(
            includes
                .into_iter()
                .rev()
                .map(|(p, r)| (p, r, Some(display(&path)))),
        );
        files.push(file);
    }
    Ok(requirements::combine(files))
}

fn join(dir: &str, path: &str) -> String {
    if path.starts_with('/') || dir.is_empty() {
        path.to_owned()
    } else {
        format!("{dir}/{}", path.trim_start_matches("./"))
    }
}

/// The file name for messages: the last two components are enough to place it.
fn display(path: &str) -> String {
    let mut parts = path.rsplit('/');
    match (parts.next(), parts.next()) {
        (Some(name), Some(dir)) if !dir.is_empty() => format!("{dir}/{name}"),
        (Some(name), _) => name.to_owned(),
        _ => path.to_owned(),
    }
}
