//! Project pages captured from PyPI (trimmed to a few files), and the shapes private
//! indexes serve.

use super::*;

const STARLETTE_JSON: &str = include_str!("../../../../tests/fixtures/index/starlette.json");
const STARLETTE_HTML: &str = include_str!("../../../../tests/fixtures/index/starlette.html");
const PAGE: &str = "https://pypi.org/simple/starlette/";
const JSON: Option<&str> = Some("application/vnd.pypi.simple.v1+json");

fn by_name<'a>(page: &'a ProjectPage, filename: &str) -> &'a ProjectFile {
    page.files
        .iter()
        .find(|f| f.filename == filename)
        .unwrap_or_else(|| panic!("{filename} missing"))
}

#[test]
fn pypi_json_page() {
    let page = parse_project(STARLETTE_JSON.as_bytes(), JSON, PAGE).unwrap();
    assert_eq!(page.files.len(), 5);
    let wheel = by_name(&page, "starlette-0.41.1-py3-none-any.whl");
    assert_eq!(
        wheel.url,
        "https://files.pythonhosted.org/packages/31/16/8b3f707d959cd2b189fbbf416826e5900abfc86384afaa4f6ce67c8e2fa2/starlette-0.41.1-py3-none-any.whl"
    );
    assert_eq!(
        wheel.sha256(),
        Some("eea797e3cd183a9fb10ac57c3d90610319aee7c34d2998fc0a8d71d27b59aae6")
    );
    assert_eq!(
        wheel.yanked.as_deref(),
        Some("python-multipart release was broken")
    );
    assert_eq!(wheel.requires_python, Some(">=3.8".parse().unwrap()));
    assert_eq!(wheel.size, Some(73229));
    assert_eq!(wheel.core_metadata, None);
    assert_eq!(metadata_url(wheel), None);

    let oldest = by_name(&page, "starlette-0.1.0.tar.gz");
    assert_eq!(oldest.requires_python, None);
    assert_eq!(oldest.yanked, None);
}

#[test]
fn pypi_html_page_says_what_the_json_page_says() {
    let html = parse_project(
        STARLETTE_HTML.as_bytes(),
        Some("text/html; charset=utf-8"),
        PAGE,
    )
    .unwrap();
    let mut json = parse_project(STARLETTE_JSON.as_bytes(), JSON, PAGE).unwrap();
    for file in &mut json.files {
        // HTML carries no size.
        file.size = None;
    }
    let sorted = |mut files: Vec<ProjectFile>| {
        pycontainer_sort::sort_by(&mut files, |a, b| a.filename.cmp(&b.filename));
        files
    };
    assert_eq!(sorted(html.files), sorted(json.files));
}

/// The shape PyPI serves for new uploads: PEP 658 hashes under both the new key and the
/// legacy one it emitted by mistake.
#[test]
fn core_metadata_keys_and_their_precedence() {
    let body = r#"{"meta": {"api-version": "1.1"}, "name": "idna", "files": [
      {"filename": "idna-3.10-py3-none-any.whl",
       "url": "https://files.pythonhosted.org/packages/76/c6/idna-3.10-py3-none-any.whl",
       "hashes": {"sha256": "946D195A0D259CBBA61165E88E65941F16E9B36EA6DDB97F00452BAE8B1287D3"},
       "requires-python": ">=3.6", "yanked": false,
       "core-metadata": {"sha256": "AA"}, "data-dist-info-metadata": {"sha256": "bb"}},
      {"filename": "a-1-py3-none-any.whl", "url": "a-1-py3-none-any.whl", "hashes": {},
       "dist-info-metadata": true},
      {"filename": "b-1-py3-none-any.whl", "url": "b-1-py3-none-any.whl", "hashes": {},
       "core-metadata": false, "dist-info-metadata": true, "yanked": true},
      {"filename": "c-1-py3-none-any.whl", "url": "c-1-py3-none-any.whl", "hashes": {},
       "yanked": ""}
    ]}"#;
    let page = parse_project(body.as_bytes(), JSON, "https://pypi.org/simple/idna/").unwrap();
    let [idna, a, b, c] = &page.files[..] else {
        panic!("{page:?}")
    };
    assert_eq!(
        idna.sha256(),
        Some("946d195a0d259cbba61165e88e65941f16e9b36ea6ddb97f00452bae8b1287d3")
    );
    assert_eq!(
        idna.core_metadata,
        Some(vec![("sha256".into(), "aa".into())])
    );
    assert_eq!(
        metadata_url(idna).unwrap(),
        "https://files.pythonhosted.org/packages/76/c6/idna-3.10-py3-none-any.whl.metadata"
    );
    assert_eq!(a.core_metadata, Some(vec![]));
    assert_eq!(a.url, "https://pypi.org/simple/idna/a-1-py3-none-any.whl");
    assert_eq!(b.core_metadata, None, "the new key wins even when false");
    assert_eq!(b.yanked.as_deref(), Some(""));
    assert_eq!(c.yanked, None, "an empty reason is not a yank, as in pip");
}

/// devpi-style: relative links, a fragment hash, metadata flags in both spellings, a
/// directory link that is not a file, and a `<base>` that redirects relative links.
#[test]
fn private_index_html() {
    let body = r#"<!DOCTYPE html><html><head>
      <meta name="pypi:repository-version" content="1.1">
      <title>Links for idna</title></head><body>
      <a href="../">../</a>
      <a href="../../+f/0b2/idna-3.7-py3-none-any.whl#sha256=82FEE1FC78ADD43492D3A1898BFA6D8A904CC97D8427F683ED8E798D07761AA0"
         data-requires-python="&gt;=3.5" data-dist-info-metadata="sha256=0f">idna-3.7-py3-none-any.whl</a><br/>
      <a href='/mirror/torch-2.5.1%2Bcpu-cp311-cp311-linux_x86_64.whl' data-core-metadata="true" data-yanked>t</a>
      <a href="idna-0.2.tar.gz#egg=idna&amp;md5=ABCDEF" data-requires-python="&gt;=2.7.*">idna-0.2.tar.gz</a>
    </body></html>"#;
    let page_url = "https://devpi.example/root/pypi/+simple/idna/";
    let page = parse_project(body.as_bytes(), Some("text/html"), page_url).unwrap();
    assert_eq!(page.files.len(), 3, "{page:#?}");
    let wheel = &page.files[0];
    assert_eq!(wheel.filename, "idna-3.7-py3-none-any.whl");
    assert_eq!(
        wheel.url,
        "https://devpi.example/root/pypi/+f/0b2/idna-3.7-py3-none-any.whl"
    );
    assert_eq!(
        wheel.sha256(),
        Some("82fee1fc78add43492d3a1898bfa6d8a904cc97d8427f683ed8e798d07761aa0")
    );
    assert_eq!(wheel.requires_python, Some(">=3.5".parse().unwrap()));
    assert_eq!(
        wheel.core_metadata,
        Some(vec![("sha256".into(), "0f".into())])
    );
    assert_eq!(wheel.yanked, None);

    let torch = &page.files[1];
    assert_eq!(
        torch.filename,
        "torch-2.5.1+cpu-cp311-cp311-linux_x86_64.whl"
    );
    assert_eq!(
        torch.url,
        "https://devpi.example/mirror/torch-2.5.1%2Bcpu-cp311-cp311-linux_x86_64.whl"
    );
    assert_eq!(torch.core_metadata, Some(vec![]));
    assert_eq!(
        metadata_url(torch).unwrap(),
        "https://devpi.example/mirror/torch-2.5.1%2Bcpu-cp311-cp311-linux_x86_64.whl.metadata"
    );
    assert_eq!(torch.yanked.as_deref(), Some(""));

    let sdist = &page.files[2];
    assert_eq!(sdist.hashes, vec![("md5".into(), "abcdef".into())]);
    assert_eq!(
        sdist.requires_python, None,
        "an unparsable requires-python is ignored"
    );

    let based = body.replace("<head>", r#"<head><base href="/files/">"#);
    let page = parse_project(based.as_bytes(), Some("text/html"), page_url).unwrap();
    assert_eq!(
        page.files[2].url,
        "https://devpi.example/files/idna-0.2.tar.gz"
    );
}

#[test]
fn a_plain_directory_listing_is_an_index_page() {
    let body = "<html><body><h1>Directory listing for /idna/</h1><hr><ul>\n\
        <li><a href=\"idna-3.10-py3-none-any.whl\">idna-3.10-py3-none-any.whl</a></li>\n\
        </ul><hr></body></html>";
    let page = parse_project(body.as_bytes(), None, "http://127.0.0.1:8000/idna/").unwrap();
    assert_eq!(page.files.len(), 1);
    assert_eq!(
        page.files[0].url,
        "http://127.0.0.1:8000/idna/idna-3.10-py3-none-any.whl"
    );
    assert!(page.files[0].hashes.is_empty());
}

#[test]
fn unsupported_answers_are_refused_with_the_page_url() {
    let err = parse_project(b"{}", Some("application/json"), PAGE).unwrap_err();
    assert_eq!(
        err.to_string(),
        "https://pypi.org/simple/starlette/: the index answered with content type \"application/json\", which is neither PEP 691 JSON nor PEP 503 HTML"
    );
    let v2 = r#"{"meta": {"api-version": "2.0"}, "files": []}"#;
    let err = parse_project(v2.as_bytes(), None, PAGE).unwrap_err();
    assert!(
        matches!(err, IndexError::UnsupportedApiVersion { ref version, .. } if version == "2.0")
    );
    let html = r#"<meta name="pypi:repository-version" content="2.0"><a href="x.whl">"#;
    let err = parse_project(html.as_bytes(), Some("text/html"), PAGE).unwrap_err();
    assert!(matches!(err, IndexError::UnsupportedApiVersion { .. }));
    let err = parse_project(b"{\"files\": 3}", JSON, PAGE).unwrap_err();
    assert!(
        err.to_string().starts_with(
            "https://pypi.org/simple/starlette/: the index page is not valid PEP 691 JSON"
        ),
        "{err}"
    );
}

#[test]
fn project_urls() {
    let name = PackageName::new("Typing_Extensions").unwrap();
    assert_eq!(
        project_url("https://pypi.org/simple", &name),
        "https://pypi.org/simple/typing-extensions/"
    );
    assert_eq!(
        project_url("https://pypi.org/simple//", &name),
        "https://pypi.org/simple/typing-extensions/"
    );
}

#[test]
fn accept_prefers_json() {
    let first = ACCEPT.split(',').next().unwrap().trim();
    assert_eq!(first, "application/vnd.pypi.simple.v1+json");
    assert!(ACCEPT.contains("text/html;q=0.01"));
}
