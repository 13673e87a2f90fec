//! URLs that may carry credentials (`https://user:token@host/…`): what of them may be shown
//! or written down. Messages, plans and the lock pycontainer writes show URLs only through
//! this module, so a token in a URL's userinfo never leaves memory.

use std::fmt;

/// A requirement's direct URL (`name @ URL`, or a wheel URL in a requirements file): the URL
/// that is fetched, and what may be shown and recorded of it. `Display` and `Debug` never
/// show a literal userinfo; a `${VAR}` the user wrote there is shown as written.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct DirectUrl {
    fetched: String,
    /// The text before `${VAR}` expansion, when expansion changed it.
    written: Option<String>,
}

impl DirectUrl {
    pub fn new(url: impl Into<String>) -> DirectUrl {
        DirectUrl {
            fetched: url.into(),
            written: None,
        }
    }

    /// A URL that `${VAR}` expansion made out of `written`.
    pub fn expanded(url: impl Into<String>, written: &str) -> DirectUrl {
        let fetched = url.into();
        let written = (written != fetched).then(|| written.to_owned());
        DirectUrl { fetched, written }
    }

    /// The URL to fetch, credentials and all: for the request only, never for a message or
    /// a file.
    pub fn fetched(&self) -> &str {
        &self.fetched
    }
}

/// What a lock records and a message shows.
impl fmt::Display for DirectUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&recorded(self.written.as_deref().unwrap_or(&self.fetched)))
    }
}

impl fmt::Debug for DirectUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DirectUrl({self})")
    }
}

/// The URL as a file may record it: without its userinfo, unless the secret part of that
/// (the password, or the user when there is none) is a `${VAR}` reference, which holds no
/// secret and is expanded again where the URL is read.
pub fn recorded(url: &str) -> String {
    match userinfo(url) {
        Some((start, end)) => {
            let info = url.get(start..end).unwrap_or_default();
            let secret = info.split_once(':').map_or(info, |(_, pass)| pass);
            if is_variable(secret) {
                url.to_owned()
            } else {
                format!(
                    "{}{}",
                    url.get(..start).unwrap_or_default(),
                    url.get(end + 1..).unwrap_or_default()
                )
            }
        }
        None => url.to_owned(),
    }
}

/// The URL for a message: a userinfo is replaced by `***`, so the reader still sees that
/// credentials were sent.
pub fn redacted(url: &str) -> String {
    match userinfo(url) {
        Some((start, end)) => format!(
            "{}***{}",
            url.get(..start).unwrap_or_default(),
            url.get(end..).unwrap_or_default()
        ),
        None => url.to_owned(),
    }
}

/// `text` with the userinfo of every URL in it replaced by `***`: for messages that quote a
/// whole line or requirement.
pub fn redacted_in(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (before, from) = rest.split_at(at + 3);
        out.push_str(before);
        let end = from
            .find(|c: char| c.is_whitespace() || "/?#\"'".contains(c))
            .unwrap_or(from.len());
        let authority = from.get(..end).unwrap_or_default();
        match authority.rfind('@') {
            Some(last) => {
                out.push_str("***");
                rest = from.get(last..).unwrap_or_default();
            }
            None => rest = from,
        }
    }
    out.push_str(rest);
    out
}

/// The byte range of a URL's userinfo (before its last `@` in the authority), if any.
fn userinfo(url: &str) -> Option<(usize, usize)> {
    let start = url.find("://")? + 3;
    let rest = url.get(start..)?;
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let at = rest.get(..authority_end)?.rfind('@')?;
    Some((start, start + at))
}

/// `${NAME}`, as requirements files write variables.
fn is_variable(text: &str) -> bool {
    text.strip_prefix("${")
        .and_then(|t| t.strip_suffix('}'))
        .is_some_and(|name| {
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_credentials_are_never_shown_or_recorded() {
        let url = DirectUrl::new("https://me:s3cret@pkgs.example.com/x-1.0-py3-none-any.whl");
        assert_eq!(
            url.fetched(),
            "https://me:s3cret@pkgs.example.com/x-1.0-py3-none-any.whl"
        );
        assert_eq!(
            url.to_string(),
            "https://pkgs.example.com/x-1.0-py3-none-any.whl"
        );
        assert!(!format!("{url:?}").contains("s3cret"));
        assert_eq!(recorded("https://TOKEN@h/x"), "https://h/x");
        assert_eq!(redacted("https://me:s3cret@h/x"), "https://***@h/x");
        assert_eq!(redacted("https://h/x@y"), "https://h/x@y");
        assert_eq!(recorded("file:///tmp/a@b.whl"), "file:///tmp/a@b.whl");
    }

    #[test]
    fn variables_stay_as_written() {
        let url = DirectUrl::expanded(
            "https://me:s3cret@h/x.whl",
            "https://${USER}:${TOKEN}@h/x.whl",
        );
        assert_eq!(url.to_string(), "https://${USER}:${TOKEN}@h/x.whl");
        // A literal password beside a variable user is still a secret.
        let mixed = DirectUrl::expanded(
            "https://me:s3cret@h/x.whl",
            "https://${USER}:s3cret@h/x.whl",
        );
        assert_eq!(mixed.to_string(), "https://h/x.whl");
        // A variable that holds the whole URL: only what expansion gave is known.
        let whole = DirectUrl::expanded("https://me:s3cret@h/x.whl", "${WHEEL}");
        assert_eq!(whole.to_string(), "${WHEEL}");
    }

    #[test]
    fn urls_inside_text_lose_their_userinfo() {
        assert_eq!(
            redacted_in("demo @ https://u:tok@h/x.whl ; python_version>'3' and https://a@b"),
            "demo @ https://***@h/x.whl ; python_version>'3' and https://***@b"
        );
        assert_eq!(redacted_in("no url here"), "no url here");
    }
}
