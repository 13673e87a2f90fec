//! The ignore file beside the generated Dockerfile: the context's files
//! that pycontainer's selection ships, and nothing else. Pure: text from a
//! list of paths.
//!
//! It lists paths rather than translating the rules, because the selection
//! is more than rules: pycontainer's default excludes, virtualenvs found by
//! their pyvenv.cfg and private keys found by their first bytes have no
//! `.dockerignore` spelling. Everything is excluded (`**`), then each
//! shipped file is brought back by a `!` line, which Docker and buildah
//! both honour inside an excluded directory.

use super::error::EjectError;

/// One path of the context that goes into the image.
pub struct Shipped<'a> {
    /// Relative to the context, `/`-separated.
    pub rel: &'a str,
    pub dir: bool,
}

/// The ignore file for `shipped` (sorted by path, parents before
/// children), its first line `header`. A directory needs a line only when
/// nothing under it ships: COPY makes the parents of the files it copies,
/// while an empty directory must be brought back alone, and its excluded
/// contents kept out by the line after it.
pub fn render(header: &str, shipped: &[Shipped<'_>]) -> Result<String, EjectError> {
    let mut out = format!("{header}\n**\n");
    for (i, s) in shipped.iter().enumerate() {
        let pattern = escape(s.rel)?;
        if !s.dir {
            out.push_str(&format!("!{pattern}\n"));
            continue;
        }
        let under = format!("{}/", s.rel);
        let has_children = shipped
            .get(i + 1)
            .is_some_and(|next| next.rel.starts_with(&under));
        if !has_children {
            out.push_str(&format!("!{pattern}\n{pattern}/**\n"));
        }
    }
    Ok(out)
}

/// A path as a pattern that matches it alone: the pattern characters
/// escaped. Docker trims each line, so a name that starts or ends with
/// white space cannot be spelled, and a line is one line.
fn escape(rel: &str) -> Result<String, EjectError> {
    let unwritable = |why| EjectError::Unwritable {
        what: "the context's path".to_owned(),
        value: rel.to_owned(),
        why,
    };
    if rel.contains(['\n', '\r']) {
        return Err(unwritable("an ignore file has one path a line"));
    }
    if rel.split('/').any(|part| part.trim() != part) {
        return Err(unwritable(
            "Docker trims the lines of an ignore file, so a name that starts or ends with white space cannot be listed",
        ));
    }
    let mut out = String::with_capacity(rel.len());
    for c in rel.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped(list: &[(&'static str, bool)]) -> Vec<Shipped<'static>> {
        list.iter()
            .map(|&(rel, dir)| Shipped { rel, dir })
            .collect()
    }

    #[test]
    fn files_come_back_one_by_one_and_empty_directories_alone() {
        let text = render(
            "# head",
            &shipped(&[
                ("app.py", false),
                ("data", true),
                ("pkg", true),
                ("pkg/__init__.py", false),
                ("pkg/sub", true),
                ("pkg/sub/x.py", false),
                ("weird [1]*.txt", false),
            ]),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            text,
            "# head\n**\n!app.py\n!data\ndata/**\n!pkg/__init__.py\n!pkg/sub/x.py\n!weird \\[1\\]\\*.txt\n"
        );
    }

    #[test]
    fn a_name_docker_would_trim_is_refused() {
        for rel in ["a /b", " a", "a\nb"] {
            let e = render("#", &shipped(&[(rel, false)])).err();
            assert!(
                matches!(e, Some(EjectError::Unwritable { .. })),
                "{rel:?}: {e:?}"
            );
        }
    }
}
