//! Reads a requirements file and every file it includes (`-r`, `-c`),
//! through the host, into one combined tree.

use crate::config::confine;
use crate::host::Host;

use super::DepsError;
use pycontainer_pypi::lock::requirements::{self, Item, Requirements, Role};

/// pip allows any depth; a chain this long is a loop or a mistake.
const MAX_FILES: usize = 64;

/// The tree rooted at `path`, in pip's order: each file's lines, with an
/// include read where it appears. With `within`, every included file must
/// stay inside that directory (the context, when the project's own config
/// named the top file).
pub async fn read<H: Host>(
    host: &H,
    path: &str,
    within: Option<&str>,
) -> Result<Requirements, DepsError> {
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
        if let (Some(root), Some(parent)) = (within, &from) {
            confine::inside(host, root, &path)
                .await
                .map_err(|why| DepsError::IncludeOutside {
                    path: path.clone(),
                    from: parent.clone(),
                    why,
                })?;
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::NativeHost;

    #[test]
    fn includes_stay_inside_when_the_project_named_the_file() {
        let top = std::env::temp_dir().join(format!("pycontainer-reqfile-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&top);
        std::fs::create_dir_all(top.join("ctx/sub")).unwrap_or_default();
        std::fs::write(top.join("shared.txt"), "idna==3.7\n").unwrap_or_default();
        std::fs::write(top.join("ctx/sub/more.txt"), "six==1.16.0\n").unwrap_or_default();
        #[cfg(unix)]
        let _ = std::os::unix::fs::symlink(&top, top.join("ctx/up"));
        let ctx = top.join("ctx").to_string_lossy().into_owned();
        let host = NativeHost::with_env(&[]);
        for include in ["-r ../shared.txt", "-c ../shared.txt", "-r up/shared.txt"] {
            let top_file = format!("{ctx}/requirements.txt");
            std::fs::write(&top_file, format!("-r sub/more.txt\n{include}\n")).unwrap_or_default();
            let refused = pollster::block_on(read(&host, &top_file, Some(&ctx)));
            let e = refused.err();
            assert_eq!(e.as_ref().map(DepsError::code), Some("config-path-outside"));
            let text = e.map(|e| e.to_string()).unwrap_or_default();
            assert!(
                text.contains("shared.txt, included from ctx/requirements.txt"),
                "{text}"
            );
            // A file the person running the build named may include any file.
            assert!(
                pollster::block_on(read(&host, &top_file, None)).is_ok(),
                "{include}"
            );
        }
    }
}
