//! Tests for `.dockerignore` rules: Docker's reader, moby's and Go's match tables, and the walkers' verdicts.

use super::glob::{compile, unclosed};
use super::rules::clean;
use super::*;

fn rules(patterns: &[&str]) -> IgnoreRules {
    let mut r = IgnoreRules::new();
    for p in patterns {
        r.push(p, "test").unwrap();
    }
    r
}

fn excluded(patterns: &[&str], path: &str) -> bool {
    rules(patterns).is_excluded(path)
}

fn reason(pattern: &str) -> String {
    match IgnoreRules::new().push(pattern, "test") {
        Err(IgnoreError::BadPattern { reason, .. }) => reason,
        Ok(()) => panic!("{pattern:?} was accepted"),
    }
}

/// moby/patternmatcher's `TestMatches` table (one pattern each).
#[test]
fn moby_match_table() {
    let table: &[(&str, &str, bool)] = &[
        ("**", "file", true),
        ("**", "file/", true),
        ("**/", "file", true),
        ("**/", "file/", true),
        ("**", "dir/file", true),
        ("**/", "dir/file", true),
        ("**", "dir/file/", true),
        ("**/", "dir/file/", true),
        ("**/**", "dir/file", true),
        ("**/**", "dir/file/", true),
        ("dir/**", "dir/file", true),
        ("dir/**", "dir/file/", true),
        ("dir/**", "dir/dir2/file", true),
        ("dir/**", "dir/dir2/file/", true),
        ("**/dir", "dir", true),
        ("**/dir", "dir/file", true),
        ("**/dir2/*", "dir/dir2/file", true),
        ("**/dir2/*", "dir/dir2/file/", true),
        ("**/dir2/**", "dir/dir2/dir3/file", true),
        ("**/dir2/**", "dir/dir2/dir3/file/", true),
        ("**file", "file", true),
        ("**file", "dir/file", true),
        ("**/file", "dir/file", true),
        ("**file", "dir/dir/file", true),
        ("**/file", "dir/dir/file", true),
        ("**/file*", "dir/dir/file", true),
        ("**/file*", "dir/dir/file.txt", true),
        ("**/file*txt", "dir/dir/file.txt", true),
        ("**/file*.txt", "dir/dir/file.txt", true),
        ("**/file*.txt*", "dir/dir/file.txt", true),
        ("**/**/*.txt", "dir/dir/file.txt", true),
        ("**/**/*.txt2", "dir/dir/file.txt", false),
        ("**/*.txt", "file.txt", true),
        ("**/**/*.txt", "file.txt", true),
        ("a**/*.txt", "a/file.txt", true),
        ("a**/*.txt", "a/dir/file.txt", true),
        ("a**/*.txt", "a/dir/dir/file.txt", true),
        ("a/*.txt", "a/dir/file.txt", false),
        ("a/*.txt", "a/file.txt", true),
        ("a/*.txt**", "a/file.txt", true),
        ("a[b-d]e", "ae", false),
        ("a[b-d]e", "ace", true),
        ("a[b-d]e", "aae", false),
        ("a[^b-d]e", "aze", true),
        (".*", ".foo", true),
        (".*", "foo", false),
        ("abc.def", "abcdef", false),
        ("abc.def", "abc.def", true),
        ("abc.def", "abcZdef", false),
        ("abc?def", "abcZdef", true),
        ("abc?def", "abcdef", false),
        ("a\\\\", "a\\", true),
        ("**/foo/bar", "foo/bar", true),
        ("**/foo/bar", "dir/foo/bar", true),
        ("**/foo/bar", "dir/dir2/foo/bar", true),
        ("abc/**", "abc", false),
        ("abc/**", "abc/def", true),
        ("abc/**", "abc/def/ghi", true),
        ("**/.foo", ".foo", true),
        ("**/.foo", "bar.foo", false),
        ("a(b)c/def", "a(b)c/def", true),
        ("a(b)c/def", "a(b)c/xyz", false),
        ("a.|)$(}+{bc", "a.|)$(}+{bc", true),
        (
            "dist/*.whl",
            "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
            true,
        ),
        ("a\\*b", "a*b", true),
    ];
    for &(pattern, path, want) in table {
        assert_eq!(excluded(&[pattern], path), want, "{pattern:?} vs {path:?}");
    }
    // Paths are cleaned first, so moby's `"/"` rows only make sense
    // against the compiled pattern itself.
    assert!(compile("**").unwrap().matches("/"));
}

#[test]
fn moby_multi_pattern_table() {
    let whl = "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl";
    assert!(!excluded(
        &["**", "!util/docker/web"],
        "util/docker/web/foo"
    ));
    assert!(excluded(
        &["**", "!util/docker/web", "util/docker/web/foo"],
        "util/docker/web/foo"
    ));
    assert!(!excluded(&["**", &format!("!{whl}")], whl));
    assert!(!excluded(&["**", "!dist/*.whl"], whl));
}

/// The `filepath.Match` table moby runs through its matcher; `None`
/// marks patterns Docker refuses.
#[test]
fn go_filepath_match_table() {
    let table: &[(&str, &str, Option<bool>)] = &[
        ("abc", "abc", Some(true)),
        ("*", "abc", Some(true)),
        ("*c", "abc", Some(true)),
        ("a*", "a", Some(true)),
        ("a*", "abc", Some(true)),
        ("a*", "ab/c", Some(true)),
        ("a*/b", "abc/b", Some(true)),
        ("a*/b", "a/c/b", Some(false)),
        ("a*b*c*d*e*/f", "axbxcxdxe/f", Some(true)),
        ("a*b*c*d*e*/f", "axbxcxdxexxx/f", Some(true)),
        ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", Some(false)),
        ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", Some(false)),
        ("a*b?c*x", "abxbbxdbxebxczzx", Some(true)),
        ("a*b?c*x", "abxbbxdbxebxczzy", Some(false)),
        ("ab[c]", "abc", Some(true)),
        ("ab[b-d]", "abc", Some(true)),
        ("ab[e-g]", "abc", Some(false)),
        ("ab[^c]", "abc", Some(false)),
        ("ab[^b-d]", "abc", Some(false)),
        ("ab[^e-g]", "abc", Some(true)),
        ("a\\*b", "a*b", Some(true)),
        ("a\\*b", "ab", Some(false)),
        ("a?b", "a☺b", Some(true)),
        ("a[^a]b", "a☺b", Some(true)),
        ("a???b", "a☺b", Some(false)),
        ("a[^a][^a][^a]b", "a☺b", Some(false)),
        ("[a-ζ]*", "α", Some(true)),
        ("*[a-ζ]", "A", Some(false)),
        ("a?b", "a/b", Some(false)),
        ("a*b", "a/b", Some(false)),
        ("[\\]a]", "]", Some(true)),
        ("[\\-]", "-", Some(true)),
        ("[x\\-]", "x", Some(true)),
        ("[x\\-]", "-", Some(true)),
        ("[x\\-]", "z", Some(false)),
        ("[\\-x]", "x", Some(true)),
        ("[\\-x]", "-", Some(true)),
        ("[\\-x]", "a", Some(false)),
        ("[]a]", "]", None),
        ("[-]", "-", None),
        ("[x-]", "x", None),
        ("[-x]", "x", None),
        ("\\", "a", None),
        ("[a-b-c]", "a", None),
        ("[", "a", None),
        ("[^", "a", None),
        ("[^bc", "a", None),
        ("a[", "a", None),
        ("*x", "xxx", Some(true)),
    ];
    for &(pattern, path, want) in table {
        let mut r = IgnoreRules::new();
        match (r.push(pattern, "t"), want) {
            (Ok(()), Some(want)) => {
                assert_eq!(r.is_excluded(path), want, "{pattern:?} vs {path:?}")
            }
            (Err(_), None) => {}
            (got, _) => panic!("{pattern:?}: got {got:?}, wanted {want:?}"),
        }
    }
}

/// The examples from Docker's `.dockerignore` documentation.
#[test]
fn documented_examples() {
    let r = IgnoreRules::parse(".dockerignore", "# comment\n*/temp*\n*/*/temp*\ntemp?\n").unwrap();
    assert_eq!(r.rules().len(), 3);
    for path in [
        "somedir/temporary.txt",
        "somedir/temp",
        "somedir/temp/inner.txt",
        "somedir/subdir/temporary.txt",
        "tempa",
        "tempb",
    ] {
        assert!(r.is_excluded(path), "{path}");
    }
    for path in ["temp.txt", "temp", "tempab", "a/b/c/temp", "somedir/xtemp"] {
        assert!(!r.is_excluded(path), "{path}");
    }

    let go = rules(&["**/*.go"]);
    assert!(go.is_excluded("main.go"));
    assert!(go.is_excluded("a/b/c.go"));
    assert!(!go.is_excluded("a/b/c.gox"));

    let md = rules(&["*.md", "!README*.md", "README-secret.md"]);
    assert!(md.is_excluded("CHANGELOG.md"));
    assert!(!md.is_excluded("README.md"));
    assert!(md.is_excluded("README-secret.md"));
    assert!(!md.is_excluded("docs/notes.md"), "`*` stays in one segment");

    let readme = rules(&["*.md", "!README.md"]);
    match readme.verdict("README.md") {
        Verdict::Included(rule) => assert_eq!(rule.pattern, "README.md"),
        v => panic!("{v:?}"),
    }
}

#[test]
fn excluded_directory_with_exception() {
    let r = IgnoreRules::parse(".dockerignore", "docs\n!docs/keep.md\n").unwrap();
    let rule_of = |p: &str| r.verdict(p).rule().map(|r| r.source.clone());
    assert!(r.is_excluded("docs"));
    assert!(r.is_excluded("docs/other.md"));
    assert!(r.is_excluded("docs/sub/deep.md"));
    assert!(matches!(r.verdict("docs/keep.md"), Verdict::Included(_)));
    assert_eq!(rule_of("docs/keep.md").as_deref(), Some(".dockerignore:2"));
    assert_eq!(rule_of("docs/x").as_deref(), Some(".dockerignore:1"));
    assert_eq!(r.verdict("src/main.py"), Verdict::NoRule);
    assert!(r.may_reinclude_under("docs"));
    assert!(!r.may_reinclude_under("src"));
    // The trailing slash and `/*` forms from moby's tests behave alike.
    assert!(!excluded(&["docs/", "!docs/README.md"], "docs/README.md"));
    assert!(!excluded(&["docs/*", "!docs/README.md"], "docs/README.md"));
}

#[test]
fn patterns_are_cleaned() {
    let r = IgnoreRules::parse("f", "/abs\n./x\na/../b\nc//d/\n! /e/./f\n/\n..\n../up\n").unwrap();
    let got: Vec<(&str, bool)> = r.rules().map(|r| (r.pattern.as_str(), r.negated)).collect();
    assert_eq!(
        got,
        [
            ("abs", false),
            ("x", false),
            ("b", false),
            ("c/d", false),
            ("e/f", true),
            ("/", false),
            ("..", false),
            ("../up", false),
        ]
    );
    assert!(r.is_excluded("abs/inner"));
    assert!(r.is_excluded("x"));
    assert!(r.is_excluded("b"));
    assert!(!r.is_excluded("a"));
    assert!(r.is_excluded("c/d"));
    // Clean can expose trailing blanks, which Docker then trims, and a
    // line that is only blanks between slashes disappears.
    let r = IgnoreRules::parse("f", "x /\n/ /\n! y /\n").unwrap();
    let got: Vec<(&str, bool)> = r.rules().map(|r| (r.pattern.as_str(), r.negated)).collect();
    assert_eq!(got, [("x", false), ("y", true)]);
    // `/` and `..` stay as Docker leaves them and match nothing.
    assert!(!rules(&["/"]).is_excluded("a"));
    assert!(!rules(&[".."]).is_excluded("a"));
}

#[test]
fn comments_and_blank_lines() {
    let text = "\u{feff}# bom then comment\n\n   \n\t\n # not a comment\nfoo # not a comment either\n\\#escaped\nkeep#this\r\n  spaced  \r\n";
    let r = IgnoreRules::parse("ign", text).unwrap();
    let got: Vec<(&str, &str)> = r
        .rules()
        .map(|r| (r.pattern.as_str(), r.source.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("# not a comment", "ign:5"),
            ("foo # not a comment either", "ign:6"),
            ("\\#escaped", "ign:7"),
            ("keep#this", "ign:8"),
            ("spaced", "ign:9"),
        ]
    );
    assert!(r.is_excluded("# not a comment"));
    assert!(r.is_excluded("#escaped"));
    assert!(r.is_excluded("keep#this"));
    assert!(r.is_excluded("spaced"));
    assert!(!r.is_excluded("foo"));
}

#[test]
fn bom_only_counts_on_the_first_line() {
    let r = IgnoreRules::parse("f", "\u{feff}a\n\u{feff}b\n").unwrap();
    assert!(r.is_excluded("a"));
    assert!(!r.is_excluded("b"));
    assert!(r.is_excluded("\u{feff}b"));
    // A pattern starting with a BOM must not be sliced mid-character.
    let odd = rules(&["\u{feff}**x"]);
    assert!(!odd.is_excluded("ax"));
    assert!(odd.is_excluded("a\u{bf}**x"));
}

/// moby's `ignorefile.TestReadAll`, minus the lone `!` lines Docker's
/// matcher rejects (checked below).
#[test]
fn docker_reader_example() {
    let text =
        "test1\n/test2\n/a/file/here\n\nlastfile\n# this is a comment\n! /inverted/abs/path\n";
    let r = IgnoreRules::parse(".dockerignore", text).unwrap();
    let got: Vec<String> = r
        .rules()
        .map(|r| format!("{}{}", if r.negated { "!" } else { "" }, r.pattern))
        .collect();
    assert_eq!(
        got,
        [
            "test1",
            "test2",
            "a/file/here",
            "lastfile",
            "!inverted/abs/path"
        ]
    );

    for text in ["x\n!\n", "x\n! \n", "x\n!/\n"] {
        let err = IgnoreRules::parse(".dockerignore", text).unwrap_err();
        let IgnoreError::BadPattern { origin, .. } = &err;
        assert_eq!(origin, ".dockerignore:2", "{text:?}");
    }
}

#[test]
fn character_classes() {
    assert!(excluded(&["file[0-9].txt"], "file7.txt"));
    assert!(!excluded(&["file[0-9].txt"], "fileA.txt"));
    assert!(excluded(&["[abc]x"], "bx"));
    assert!(excluded(&["[^abc]x"], "dx"));
    assert!(!excluded(&["[^abc]x"], "ax"));
    // `!` does not negate a class in Go or in Docker.
    assert!(excluded(&["[!a]x"], "!x"));
    assert!(excluded(&["[!a]x"], "ax"));
    assert!(!excluded(&["[!a]x"], "bx"));
    // A class matches `/`, unlike `?` and `*`.
    assert!(excluded(&["a[^x]b"], "a/b"));
    assert!(!excluded(&["a?b"], "a/b"));
    assert!(excluded(&["[[]x"], "[x"));
    assert!(excluded(&["[a^]"], "^"));
    assert!(excluded(&["x[.]"], "x."));
    assert!(!excluded(&["x[.]"], "xy"));
    assert!(excluded(&["[\\]]"], "]"));
    assert!(excluded(&["[+-.]"], ","));
}

#[test]
fn escapes() {
    assert!(excluded(&["a\\*b"], "a*b"));
    assert!(!excluded(&["a\\*b"], "axb"));
    assert!(excluded(&["\\[x\\]"], "[x]"));
    assert!(excluded(&["a\\?"], "a?"));
    assert!(!excluded(&["a\\?"], "ab"));
    assert!(excluded(&["a\\ b"], "a b"));
    assert!(excluded(&["a\\_b"], "a_b"));
    assert!(excluded(&["a\\\\b"], "a\\b"));
    // An unescaped `]` outside a class is just a character.
    assert!(excluded(&["a]*"], "a]b"));
}

#[test]
fn double_star() {
    let r = rules(&["a/**/b"]);
    for p in ["a/b", "a/x/b", "a/x/y/b", "a/b/c"] {
        assert!(r.is_excluded(p), "{p}");
    }
    assert!(!r.is_excluded("a/xb"));
    assert!(!r.is_excluded("ab"));
    assert!(excluded(&["a**"], "abc/d"));
    assert!(excluded(&["**"], "anything/at/all"));
    // `**` glued to a name: a plain suffix test when nothing else is a
    // wildcard, a regexp otherwise, and the two disagree.
    assert!(excluded(&["**file"], "dir/myfile"));
    assert!(!excluded(&["**file*"], "dir/myfile"));
    assert!(excluded(&["**.txt"], "notes.txt"));
    assert!(!excluded(&["a**b"], "axb"));
    assert!(excluded(&["a**b"], "ax/b"));
    // Regexp `.` stops at newlines; the suffix test does not.
    assert!(!excluded(&["a/**/b*"], "a/x\ny/b"));
    assert!(excluded(&["**/b"], "x\ny/b"));
}

#[test]
fn caret_is_an_anchor_in_wildcard_patterns() {
    assert!(excluded(&["a^b"], "a^b"));
    assert!(!excluded(&["a^*"], "a^b"));
    assert!(excluded(&["^x*"], "xy"));
    assert!(!excluded(&["^x*"], "^xy"));
    assert!(excluded(&["a^b/**"], "a^b/c"));
}

#[test]
fn parent_directories_match() {
    let r = rules(&["a/b"]);
    assert!(r.is_excluded("a/b"));
    assert!(r.is_excluded("a/b/c/d"));
    assert!(!r.is_excluded("a"));
    assert!(!r.is_excluded("a/bc"));
    assert!(excluded(&["*/temp*"], "x/temp/y/z"));
    assert!(excluded(&["docs"], "docs/x/y"));
    assert!(excluded(&["docs"], "./docs/x/"));
    assert!(excluded(&["docs"], "/docs/x"));
}

#[test]
fn last_rule_wins() {
    let r = rules(&["*.md", "!README.md", "README.md"]);
    assert_eq!(
        r.verdict("README.md")
            .rule()
            .map(|r| (r.pattern.as_str(), r.negated)),
        Some(("README.md", false))
    );
    assert!(excluded(&["!x", "x"], "x"));
    assert!(!excluded(&["x", "!x"], "x"));
    assert!(!excluded(&["!x"], "x"));
    assert_eq!(rules(&["!x"]).verdict("x"), Verdict::NoRule);
    let r = rules(&["docs", "!docs", "docs/a"]);
    assert!(!r.is_excluded("docs/b"));
    assert!(r.is_excluded("docs/a/z"));
}

/// The walkers carry per-directory results down, and a rule skipped at a
/// directory is not inherited; plain "last match wins" would exclude
/// `d/f` here, Docker keeps it.
#[test]
fn skipped_rules_are_not_inherited() {
    let r = rules(&["d", "!d/f", "d"]);
    assert!(r.is_excluded("d"));
    match r.verdict("d/f") {
        Verdict::Included(rule) => assert_eq!(rule.pattern, "d/f"),
        v => panic!("{v:?}"),
    }
    assert!(!r.is_excluded("d/f/g"));
    assert!(r.is_excluded("d/g"));
}

#[test]
fn root_is_never_excluded() {
    let r = rules(&["**", "*"]);
    assert_eq!(r.verdict("."), Verdict::NoRule);
    assert_eq!(r.verdict(""), Verdict::NoRule);
    assert_eq!(r.verdict("/"), Verdict::NoRule);
    assert!(r.is_excluded("x"));
}

#[test]
fn push_takes_exclude_flags() {
    let mut r = IgnoreRules::new();
    r.push("*.pyc", "--exclude").unwrap();
    r.push("!keep.pyc", "--exclude").unwrap();
    r.push("   ", "--exclude").unwrap();
    r.push("#literal", "--exclude").unwrap();
    assert_eq!(r.rules().len(), 3);
    assert!(r.is_excluded("a.pyc"));
    assert!(!r.is_excluded("keep.pyc"));
    assert!(r.is_excluded("#literal"));
    assert_eq!(
        r.verdict("a.pyc").rule().map(|r| r.source.as_str()),
        Some("--exclude")
    );
    assert!(IgnoreRules::new().is_empty());
}

#[test]
fn malformed_patterns_name_file_line_and_pattern() {
    let err = IgnoreRules::parse(".dockerignore", "ok\n# c\n  a[b  \n").unwrap_err();
    assert_eq!(
        err,
        IgnoreError::BadPattern {
            origin: ".dockerignore:3".into(),
            pattern: "a[b".into(),
            reason: unclosed(),
            line_of: Some((".dockerignore".into(), 3)),
        }
    );
    assert_eq!(
        err.to_string(),
        ".dockerignore:3: invalid pattern `a[b`: `[` is never closed by `]`"
    );
    let bad = [
        "[", "a[", "[^", "[]", "[]a]", "[^]", "[-x]", "[x-]", "[a-b-c]", "a\\", "\\", "[a\\", "!",
        "!/",
    ];
    for p in bad {
        assert!(IgnoreRules::new().push(p, "t").is_err(), "{p:?}");
    }
    assert!(reason("a\\").contains("trailing"));
    assert!(reason("[]").contains("empty"));
    assert!(reason("[x-]").contains("range"));
    assert!(reason("!").contains("`!`"));
}

/// Patterns Docker accepts up front but then fails on, or reads as a
/// regular expression no glob reading agrees with.
#[test]
fn regexp_leaks_are_refused() {
    assert!(reason("[z-a]").contains("backwards"));
    assert!(reason("[Local-Only]/").contains("`l-O`"));
    assert!(reason("\\d").contains("regular-expression escape"));
    assert!(reason("[\\w]").contains("regular-expression escape"));
    assert!(reason("a\\é").contains("regular-expression escape"));
    assert!(reason("[*]").contains("inside `[...]`"));
    assert!(reason("[a?]").contains("inside `[...]`"));
    assert!(reason("[[:alpha:]]").contains("POSIX"));
    let err = IgnoreRules::parse("f", "\n\n!x\\n").unwrap_err();
    assert!(
        err.to_string().starts_with("f:3: invalid pattern `!x\\n`"),
        "{err}"
    );
}

#[test]
fn may_reinclude_under_follows_buildkit() {
    assert!(!rules(&["docs"]).may_reinclude_under("docs"));
    let r = rules(&["docs", "!docs/sub/keep.md"]);
    assert!(r.may_reinclude_under("docs"));
    assert!(r.may_reinclude_under("docs/sub"));
    assert!(!r.may_reinclude_under("docs/other"));
    assert!(!r.may_reinclude_under("doc"));
    assert!(!r.may_reinclude_under("docs/sub/keep.md/x"));
    assert!(r.may_reinclude_under("./docs/"));
    // A trailing `/**` or `/*` is not a wildcard for this purpose.
    let r = rules(&["docs", "!docs/sub/**"]);
    assert!(r.may_reinclude_under("docs/sub"));
    assert!(!r.may_reinclude_under("docs/other"));
    let r = rules(&["docs", "!docs/*"]);
    assert!(r.may_reinclude_under("docs"));
    assert!(!r.may_reinclude_under("src"));
    // Any other wildcard in a `!` rule means every directory is walked.
    let r = rules(&["docs", "!**/keep.md"]);
    assert!(r.may_reinclude_under("docs"));
    assert!(r.may_reinclude_under("anything/else"));
    assert!(rules(&["*", "!a^b"]).may_reinclude_under("x"));
}

#[test]
fn clean_matches_go() {
    for (input, want) in [
        ("", "."),
        (".", "."),
        ("./", "."),
        ("a/", "a"),
        ("a//b", "a/b"),
        ("a/./b", "a/b"),
        ("a/../b", "b"),
        ("a/../..", ".."),
        ("../../a", "../../a"),
        ("/../a", "/a"),
        ("//a", "/a"),
        ("/", "/"),
        ("!a/..", "."),
        ("!/", "!"),
    ] {
        assert_eq!(clean(input), want, "{input:?}");
    }
}

#[test]
fn long_patterns_do_not_recurse() {
    let pattern = "a*".repeat(500);
    let path = "a".repeat(4000);
    assert!(excluded(&[&pattern], &path));
    assert!(!excluded(&[&format!("{pattern}b")], &path));
}
