//! `etc/os-release` (or `usr/lib/os-release`): the distribution's `ID` and
//! `VERSION_ID`, which name the purl namespace and `distro` qualifier.

/// `ID` and `VERSION_ID`, unquoted; `ID` defaults to `linux` as the spec says.
pub fn parse(text: &str) -> (String, Option<String>) {
    let mut id = None;
    let mut version = None;
    for line in text.lines() {
        let Some((key, value)) = line.trim().split_once('=') else {
            continue;
        };
        let value = value.trim().trim_matches(['"', '\'']).to_string();
        match key {
            "ID" => id = Some(value),
            "VERSION_ID" => version = Some(value),
            _ => {}
        }
    }
    (id.unwrap_or_else(|| "linux".to_string()), version)
}

#[cfg(test)]
mod tests {
    #[test]
    fn debian_and_alpine() {
        let debian =
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nVERSION_ID=\"12\"\nID=debian\n";
        assert_eq!(super::parse(debian), ("debian".into(), Some("12".into())));
        let alpine = "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.19.1\n";
        assert_eq!(
            super::parse(alpine),
            ("alpine".into(), Some("3.19.1".into()))
        );
        assert_eq!(super::parse(""), ("linux".into(), None));
    }
}
