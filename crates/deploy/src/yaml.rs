//! A small YAML emitter for the manifests: block maps and lists in the
//! order they are built (Kubernetes' own order, apiVersion first), and
//! scalars plain only where no YAML reader could take them for anything
//! but that string. Everything else is a JSON string, which is a valid
//! YAML double-quoted scalar.

/// A YAML value; maps keep their insertion order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Map(Vec<(String, Node)>),
    List(Vec<Node>),
    Str(String),
    Int(u64),
    Bool(bool),
}

impl Node {
    /// A map from `(key, value)` pairs. Not generic, so that the wasm
    /// carries one copy whatever the number of pairs.
    pub fn map(pairs: Vec<(&str, Node)>) -> Node {
        Node::Map(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    }

    pub fn str(s: &str) -> Node {
        Node::Str(s.to_owned())
    }

    /// One document, ending in a newline.
    pub fn to_yaml(&self) -> String {
        let mut out = String::new();
        match self {
            Node::Map(pairs) if !pairs.is_empty() => write_map(&mut out, pairs, 0),
            Node::List(items) if !items.is_empty() => write_list(&mut out, items, 0),
            scalar => {
                out.push_str(&inline(scalar));
                out.push('\n');
            }
        }
        out
    }
}

fn indent(out: &mut String, level: usize) {
    out.extend(std::iter::repeat_n(' ', level));
}

fn write_map(out: &mut String, pairs: &[(String, Node)], level: usize) {
    for (i, (key, value)) in pairs.iter().enumerate() {
        // The first key of a list item follows its "- " on the same line.
        if i > 0 || !out.ends_with("- ") {
            indent(out, level);
        }
        out.push_str(&scalar(key));
        out.push(':');
        write_value(out, value, level);
    }
}

fn write_list(out: &mut String, items: &[Node], level: usize) {
    for item in items {
        indent(out, level);
        out.push_str("- ");
        match item {
            Node::Map(pairs) if !pairs.is_empty() => write_map(out, pairs, level + 2),
            Node::List(inner) if !inner.is_empty() => {
                out.push('\n');
                write_list(out, inner, level + 2);
            }
            other => {
                out.push_str(&inline(other));
                out.push('\n');
            }
        }
    }
}

/// A map value: nested collections on the next lines (a list at its key's
/// indentation, as kubectl writes them), scalars after the colon.
fn write_value(out: &mut String, value: &Node, level: usize) {
    match value {
        Node::Map(pairs) if !pairs.is_empty() => {
            out.push('\n');
            write_map(out, pairs, level + 2);
        }
        Node::List(items) if !items.is_empty() => {
            out.push('\n');
            write_list(out, items, level);
        }
        other => {
            out.push(' ');
            out.push_str(&inline(other));
            out.push('\n');
        }
    }
}

/// A scalar, or an empty collection, on one line.
fn inline(node: &Node) -> String {
    match node {
        Node::Str(s) => scalar(s),
        Node::Int(n) => n.to_string(),
        Node::Bool(b) => b.to_string(),
        Node::Map(_) => "{}".to_owned(),
        Node::List(_) => "[]".to_owned(),
    }
}

/// Plain when the string is made of name characters and no YAML 1.1 or
/// 1.2 reader resolves it to a boolean, a null or a number; quoted otherwise.
fn scalar(s: &str) -> String {
    let name_chars = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/'))
        && s.as_bytes()[0].is_ascii_alphabetic();
    let special = matches!(
        s.to_ascii_lowercase().as_str(),
        "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null" | "nan" | "inf"
    );
    if name_chars && !special {
        s.to_owned()
    } else {
        quoted(s)
    }
}

/// A JSON string literal: `"`, `\` and control characters escaped.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_maps_and_lists_are_block_yaml() {
        let doc = Node::map(vec![
            ("kind", Node::str("Service")),
            (
                "spec",
                Node::map(vec![
                    (
                        "ports",
                        Node::List(vec![Node::map(vec![
                            ("port", Node::Int(80)),
                            ("name", Node::str("tcp-80")),
                        ])]),
                    ),
                    ("empty", Node::Map(Vec::new())),
                    ("args", Node::List(vec![Node::str("a b"), Node::str("c")])),
                ]),
            ),
        ]);
        assert_eq!(
            doc.to_yaml(),
            "kind: Service\nspec:\n  ports:\n  - port: 80\n    name: tcp-80\n  empty: {}\n  args:\n  - \"a b\"\n  - c\n"
        );
    }

    #[test]
    fn strings_a_reader_would_retype_are_quoted() {
        for s in [
            "true", "No", "on", "1", "1.5", "0x1f", "", "~", "a: b", "-x", "null", "1e3",
        ] {
            assert_eq!(scalar(s), quoted(s), "{s:?}");
        }
        for s in [
            "fastapi-app",
            "apps/v1",
            "ClusterIP",
            "app.kubernetes.io/name",
        ] {
            assert_eq!(scalar(s), s);
        }
        assert_eq!(quoted("a\"b\\c\nd\u{1}"), r#""a\"b\\c\nd\u0001""#);
    }
}
