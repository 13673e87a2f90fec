//! PEP 503 HTML project pages: one anchor per file, with PEP 592/658/714 `data-*` attributes.
//!
//! Not a general HTML parser: index pages are generated, so a tag scanner that understands
//! quoted attributes, comments and character references reads every real one (PyPI, devpi,
//! Artifactory, Nexus, `python -m http.server`-style directory listings).

use super::{url, IndexError, ProjectFile, ProjectPage};

/// One start tag: its lower-cased name and its attributes, values unescaped.
struct Tag {
    name: String,
    attributes: Vec<(String, String)>,
}

impl Tag {
    fn get(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

pub(super) fn parse(text: &str, page_url: &str) -> Result<ProjectPage, IndexError> {
    let tags = start_tags(text);
    check_version(&tags, page_url)?;
    // A `<base href>` redirects relative links; it is itself relative to the page.
    let base = tags
        .iter()
        .filter(|t| t.name == "base")
        .find_map(|t| t.get("href"))
        .and_then(|href| url::resolve(page_url, href))
        .unwrap_or_else(|| page_url.to_string());
    let files = tags
        .iter()
        .filter(|t| t.name == "a")
        .map(|t| file(t, &base, page_url))
        .filter_map(Result::transpose)
        .collect::<Result<_, _>>()?;
    Ok(ProjectPage { files })
}

/// PEP 629: `<meta name="pypi:repository-version" content="1.0">`; absent means 1.0.
fn check_version(tags: &[Tag], page_url: &str) -> Result<(), IndexError> {
    let version = tags
        .iter()
        .filter(|t| t.name == "meta")
        .filter(|t| t.get("name") == Some("pypi:repository-version"))
        .find_map(|t| t.get("content"));
    match version {
        Some(v) => super::check_api_version(v, page_url),
        None => Ok(()),
    }
}

/// The file an anchor links to; `None` for anchors that are not files (no `href`, or a
/// link to a directory such as a listing's `../`).
fn file(tag: &Tag, base: &str, page_url: &str) -> Result<Option<ProjectFile>, IndexError> {
    let Some(href) = tag.get("href") else {
        return Ok(None);
    };
    let absolute = url::resolve(base, href).ok_or_else(|| IndexError::InvalidUrl {
        url: page_url.to_string(),
        href: href.to_string(),
    })?;
    let (location, hashes) = super::split_fragment(absolute);
    let Some(filename) = super::filename_of(&location) else {
        return Ok(None);
    };
    let core_metadata = tag
        .get("data-core-metadata")
        .or_else(|| tag.get("data-dist-info-metadata"))
        .and_then(metadata_attribute);
    Ok(Some(ProjectFile {
        filename,
        url: location,
        hashes,
        requires_python: tag
            .get("data-requires-python")
            .and_then(super::requires_python),
        yanked: tag.get("data-yanked").map(str::to_string),
        core_metadata,
        size: None,
    }))
}

/// PEP 658/714: `"true"`, or `"<alg>=<hex>"` naming the `.metadata` file's hash.
fn metadata_attribute(value: &str) -> Option<Vec<(String, String)>> {
    if value.eq_ignore_ascii_case("true") {
        return Some(Vec::new());
    }
    let (alg, hex) = value.split_once('=')?;
    Some(vec![(alg.to_ascii_lowercase(), hex.to_ascii_lowercase())])
}

/// Every start tag in document order, skipping comments, end tags and declarations.
fn start_tags(text: &str) -> Vec<Tag> {
    let mut tags = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        rest = rest.get(open + 1..).unwrap_or_default();
        if let Some(after) = rest.strip_prefix("!--") {
            rest = after.split_once("-->").map_or("", |(_, tail)| tail);
            continue;
        }
        let name_len = rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        if name_len == 0 {
            continue;
        }
        let (name, after_name) = rest.split_at(name_len);
        let (attributes, tail) = attributes(after_name);
        tags.push(Tag {
            name: name.to_ascii_lowercase(),
            attributes,
        });
        rest = tail;
    }
    tags
}

/// Attributes up to the tag's closing `>`, and the text after it.
fn attributes(mut rest: &str) -> (Vec<(String, String)>, &str) {
    let mut out = Vec::new();
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
        if rest.is_empty() {
            return (out, rest);
        }
        if let Some(tail) = rest.strip_prefix('>') {
            return (out, tail);
        }
        let name_len = rest
            .find(|c: char| c.is_ascii_whitespace() || matches!(c, '=' | '>' | '/'))
            .unwrap_or(rest.len())
            .max(1);
        let (name, after_name) = rest.split_at_checked(name_len).unwrap_or((rest, ""));
        let after_name = after_name.trim_start();
        let (value, tail) = match after_name.strip_prefix('=') {
            Some(v) => attribute_value(v.trim_start()),
            None => (String::new(), after_name),
        };
        out.push((name.to_ascii_lowercase(), value));
        rest = tail;
    }
}

/// A quoted or bare attribute value, unescaped, and the text after it.
fn attribute_value(text: &str) -> (String, &str) {
    let quote = text.chars().next().filter(|c| matches!(c, '"' | '\''));
    let (raw, tail) = match quote {
        Some(q) => {
            let inner = text.get(1..).unwrap_or_default();
            inner.split_once(q).unwrap_or((inner, ""))
        }
        None => {
            let end = text
                .find(|c: char| c.is_ascii_whitespace() || c == '>')
                .unwrap_or(text.len());
            text.split_at(end)
        }
    };
    (unescape(raw), tail)
}

/// HTML character references: the five named ones index servers emit, and numeric ones.
/// An unknown reference is kept as written, as browsers do.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        let (before, from_amp) = rest.split_at(amp);
        out.push_str(before);
        let decoded = from_amp
            .get(1..)
            .and_then(|r| r.split_once(';'))
            .filter(|(name, _)| name.len() <= 8)
            .and_then(|(name, tail)| reference(name).map(|c| (c, tail)));
        match decoded {
            Some((c, tail)) => {
                out.push(c);
                rest = tail;
            }
            None => {
                out.push('&');
                rest = from_amp.get(1..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    out
}

fn reference(name: &str) -> Option<char> {
    let code = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
        u32::from_str_radix(hex, 16).ok()?
    } else if let Some(dec) = name.strip_prefix('#') {
        dec.parse().ok()?
    } else {
        return match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => None,
        };
    };
    char::from_u32(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn character_references() {
        assert_eq!(unescape("&gt;=3.8, !=3.9.*"), ">=3.8, !=3.9.*");
        assert_eq!(
            unescape("&lt;4&#44;&#x3E;=1 &amp; &bogus; a&b"),
            "<4,>=1 & &bogus; a&b"
        );
    }

    #[test]
    fn attributes_in_every_quoting_style() {
        let tags = start_tags("<A HREF=a.whl data-yanked data-x='q\"x' data-y = \"v\" >t</a>");
        assert_eq!(tags.len(), 1);
        let tag = &tags[0];
        assert_eq!(tag.name, "a");
        assert_eq!(tag.get("href"), Some("a.whl"));
        assert_eq!(tag.get("data-yanked"), Some(""));
        assert_eq!(tag.get("data-x"), Some("q\"x"));
        assert_eq!(tag.get("data-y"), Some("v"));
    }

    #[test]
    fn comments_hide_their_anchors() {
        let tags = start_tags("<!-- <a href=x.whl> --><a href=y.whl>");
        assert_eq!(tags.len(), 1);
        assert_eq!(tags[0].get("href"), Some("y.whl"));
    }
}
