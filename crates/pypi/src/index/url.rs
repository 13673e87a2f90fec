//! Reference resolution (RFC 3986 §5.2): index pages link to files with absolute,
//! network-path (`//host/…`), absolute-path and relative URLs, and private indexes
//! (devpi, Artifactory, a plain directory server) use every form.

/// The five components of a URI reference (RFC 3986 appendix B); absent ones are `None`.
struct Reference<'a> {
    scheme: Option<&'a str>,
    authority: Option<&'a str>,
    path: &'a str,
    query: Option<&'a str>,
    fragment: Option<&'a str>,
}

fn split(text: &str) -> Reference<'_> {
    let (rest, fragment) = match text.split_once('#') {
        Some((rest, fragment)) => (rest, Some(fragment)),
        None => (text, None),
    };
    let (rest, query) = match rest.split_once('?') {
        Some((rest, query)) => (rest, Some(query)),
        None => (rest, None),
    };
    let (scheme, rest) = match rest.split_once(':') {
        Some((scheme, tail)) if is_scheme(scheme) => (Some(scheme), tail),
        _ => (None, rest),
    };
    let (authority, path) = match rest.strip_prefix("//") {
        Some(tail) => {
            let end = tail.find('/').unwrap_or(tail.len());
            let (authority, path) = tail.split_at(end);
            (Some(authority), path)
        }
        None => (None, rest),
    };
    Reference {
        scheme,
        authority,
        path,
        query,
        fragment,
    }
}

/// `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`; anything else before a `:` is part of a path.
fn is_scheme(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Resolves `reference` against the absolute URL `base`; `None` when `base` has no scheme,
/// since a relative base leaves the target unknowable.
pub fn resolve(base: &str, reference: &str) -> Option<String> {
    let b = split(base);
    let r = split(reference.trim());
    let base_scheme = b.scheme?;
    let (scheme, authority, path, query) = if let Some(scheme) = r.scheme {
        (scheme, r.authority, remove_dot_segments(r.path), r.query)
    } else if r.authority.is_some() {
        (
            base_scheme,
            r.authority,
            remove_dot_segments(r.path),
            r.query,
        )
    } else if r.path.is_empty() {
        (
            base_scheme,
            b.authority,
            b.path.to_string(),
            r.query.or(b.query),
        )
    } else if r.path.starts_with('/') {
        (
            base_scheme,
            b.authority,
            remove_dot_segments(r.path),
            r.query,
        )
    } else {
        let merged = merge(&b, r.path);
        (
            base_scheme,
            b.authority,
            remove_dot_segments(&merged),
            r.query,
        )
    };
    let mut out = format!("{scheme}:");
    if let Some(authority) = authority {
        out.push_str("//");
        out.push_str(authority);
    }
    out.push_str(&path);
    for (mark, part) in [('?', query), ('#', r.fragment)] {
        if let Some(part) = part {
            out.push(mark);
            out.push_str(part);
        }
    }
    Some(out)
}

/// RFC 3986 §5.2.3: the base path up to its last `/`, then the reference's path.
fn merge(base: &Reference<'_>, path: &str) -> String {
    if base.authority.is_some() && base.path.is_empty() {
        return format!("/{path}");
    }
    match base.path.rfind('/') {
        Some(i) => format!("{}{path}", base.path.get(..=i).unwrap_or_default()),
        None => path.to_string(),
    }
}

/// RFC 3986 §5.2.4, step by step: `.` segments vanish and `..` removes the segment before it.
fn remove_dot_segments(path: &str) -> String {
    // Nearly every link has none (pydantic-core's page: 15,000 links), and
    // then the path is its own result.
    if !path.split('/').any(|s| s == "." || s == "..") {
        return path.to_owned();
    }
    let mut input = path;
    let mut out = String::with_capacity(path.len());
    while !input.is_empty() {
        if let Some(rest) = input.strip_prefix("../") {
            input = rest;
        } else if let Some(rest) = input.strip_prefix("./") {
            input = rest;
        } else if let Some(rest) = input.strip_prefix("/.").filter(|r| r.starts_with('/')) {
            input = rest;
        } else if input == "/." {
            input = "/";
        } else if let Some(rest) = input.strip_prefix("/..").filter(|r| r.starts_with('/')) {
            input = rest;
            pop_segment(&mut out);
        } else if input == "/.." {
            input = "/";
            pop_segment(&mut out);
        } else if input == "." || input == ".." {
            input = "";
        } else {
            // Move the first segment, with its leading `/`, to the output.
            let end = input
                .char_indices()
                .skip(1)
                .find(|&(_, c)| c == '/')
                .map_or(input.len(), |(i, _)| i);
            let (segment, rest) = input.split_at(end);
            out.push_str(segment);
            input = rest;
        }
    }
    out
}

fn pop_segment(out: &mut String) {
    let keep = out.rfind('/').unwrap_or(0);
    out.truncate(keep);
}

/// Checks that `text` can name a package index: an `http` or `https` URL with a
/// host. What is wrong never repeats the text, whose userinfo may be a token.
pub fn check_index_url(text: &str) -> Result<(), &'static str> {
    const PROBLEM: &str = "needs an http:// or https:// URL such as https://pypi.org/simple";
    let r = split(text);
    let web = r
        .scheme
        .is_some_and(|s| s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https"));
    let host = r
        .authority
        .map(|a| a.rsplit_once('@').map_or(a, |(_, hostport)| hostport))
        .map(|hostport| hostport.rsplit_once(':').map_or(hostport, |(host, _)| host))
        .unwrap_or("");
    let clean = !text.contains(|c: char| c.is_whitespace() || c.is_control());
    if web && !host.is_empty() && clean {
        Ok(())
    } else {
        Err(PROBLEM)
    }
}

/// Decodes `%XX` escapes; a malformed escape is kept as written, as browsers do.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let escaped = (b == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            // from_str_radix would take a sign: "%+1" is not an escape.
            .filter(|hex| hex.iter().all(u8::is_ascii_hexdigit))
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(decoded) => {
                out.push(decoded);
                i += 3;
            }
            None => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "http://a/b/c/d;p?q";

    #[test]
    fn an_index_url_is_http_or_https_with_a_host() {
        for ok in [
            "https://pypi.org/simple",
            "http://127.0.0.1:8080/simple/",
            "https://ci:s%40cret@pkgs.example.com/simple",
            "HTTPS://PYPI.ORG/simple",
            "http://[::1]:8080/simple",
        ] {
            assert_eq!(check_index_url(ok), Ok(()), "{ok}");
        }
        for no in [
            "pypi.org/simple",
            "file:///srv/wheels",
            "https://",
            "https://:8080/simple",
            "https://user@/simple",
            "",
            "ci:s3cret@pkgs.example.com/simple",
            "https://pypi.org/simple with space",
        ] {
            let problem = check_index_url(no).unwrap_err();
            assert!(problem.contains("http:// or https:// URL"), "{no}");
            assert!(!problem.contains("s3cret"), "{no}");
        }
    }

    #[test]
    fn rfc3986_normal_examples() {
        for (reference, expected) in [
            ("g:h", "g:h"),
            ("g", "http://a/b/c/g"),
            ("./g", "http://a/b/c/g"),
            ("g/", "http://a/b/c/g/"),
            ("/g", "http://a/g"),
            ("//g", "http://g"),
            ("?y", "http://a/b/c/d;p?y"),
            ("g?y", "http://a/b/c/g?y"),
            ("#s", "http://a/b/c/d;p?q#s"),
            ("g#s", "http://a/b/c/g#s"),
            ("g?y#s", "http://a/b/c/g?y#s"),
            (";x", "http://a/b/c/;x"),
            ("g;x", "http://a/b/c/g;x"),
            ("g;x?y#s", "http://a/b/c/g;x?y#s"),
            ("", "http://a/b/c/d;p?q"),
            (".", "http://a/b/c/"),
            ("./", "http://a/b/c/"),
            ("..", "http://a/b/"),
            ("../", "http://a/b/"),
            ("../g", "http://a/b/g"),
            ("../..", "http://a/"),
            ("../../", "http://a/"),
            ("../../g", "http://a/g"),
        ] {
            assert_eq!(resolve(BASE, reference).unwrap(), expected, "{reference}");
        }
    }

    #[test]
    fn rfc3986_abnormal_examples() {
        for (reference, expected) in [
            ("../../../g", "http://a/g"),
            ("../../../../g", "http://a/g"),
            ("/./g", "http://a/g"),
            ("/../g", "http://a/g"),
            ("g.", "http://a/b/c/g."),
            (".g", "http://a/b/c/.g"),
            ("g..", "http://a/b/c/g.."),
            ("..g", "http://a/b/c/..g"),
            ("./../g", "http://a/b/g"),
            ("./g/.", "http://a/b/c/g/"),
            ("g/./h", "http://a/b/c/g/h"),
            ("g/../h", "http://a/b/c/h"),
            ("g;x=1/./y", "http://a/b/c/g;x=1/y"),
            ("g;x=1/../y", "http://a/b/c/y"),
            ("g?y/./x", "http://a/b/c/g?y/./x"),
            ("g#s/../x", "http://a/b/c/g#s/../x"),
            ("http:g", "http:g"),
        ] {
            assert_eq!(resolve(BASE, reference).unwrap(), expected, "{reference}");
        }
    }

    #[test]
    fn index_link_forms() {
        let page = "https://user:pw@devpi.example:3141/root/pypi/+simple/idna/";
        assert_eq!(
            resolve(page, "../../+f/0b2/idna-3.7-py3-none-any.whl#sha256=00").unwrap(),
            "https://user:pw@devpi.example:3141/root/pypi/+f/0b2/idna-3.7-py3-none-any.whl#sha256=00"
        );
        assert_eq!(
            resolve(page, "//files.example/idna-3.7.tar.gz").unwrap(),
            "https://files.example/idna-3.7.tar.gz"
        );
        assert_eq!(
            resolve(page, "idna-3.7.tar.gz").unwrap(),
            "https://user:pw@devpi.example:3141/root/pypi/+simple/idna/idna-3.7.tar.gz"
        );
        // A scheme-less base cannot anchor anything.
        assert_eq!(resolve("/simple/idna/", "idna-3.7.tar.gz"), None);
    }

    #[test]
    fn percent_escapes_decode_and_bad_ones_stay() {
        assert_eq!(
            percent_decode("torch-2.5.1%2Bcpu-cp311-cp311-linux_x86_64.whl"),
            "torch-2.5.1+cpu-cp311-cp311-linux_x86_64.whl"
        );
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("a%zz%41"), "a%zzA");
        assert_eq!(percent_decode("a%+1"), "a%+1");
    }
}
