//! Inputs made from the grammars of the short formats (image references,
//! PEP 440 versions and specifiers, PEP 508 requirements and markers): most
//! are valid or nearly so, which reaches the parsers' deeper branches that
//! random bytes never do.

use arbitrary::{Result, Unstructured};

fn pick<'a>(u: &mut Unstructured, items: &[&'a str]) -> Result<&'a str> {
    u.choose(items).copied()
}

/// Mostly small numbers, sometimes ones that overflow.
fn number(u: &mut Unstructured) -> Result<String> {
    Ok(match u.int_in_range(0..=9)? {
        0 => pick(
            u,
            &[
                "0",
                "00",
                "4294967296",
                "18446744073709551616",
                "9".repeat(40).as_str(),
            ],
        )?
        .to_owned(),
        _ => u.int_in_range(0..=30u32)?.to_string(),
    })
}

fn word(u: &mut Unstructured, alphabet: &[u8], max: usize) -> Result<String> {
    let len = u.int_in_range(0..=max)?;
    (0..len)
        .map(|_| u.choose(alphabet).map(|&b| char::from(b)))
        .collect()
}

const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const NAME: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCZ0123456789._-";

/// `[host[:port]/]path[:tag][@digest]`, with the edge cases of each part.
pub fn reference(u: &mut Unstructured) -> Result<Vec<u8>> {
    let mut s = String::new();
    match u.int_in_range(0..=5)? {
        0 => {}
        1 => s.push_str(pick(
            u,
            &[
                "docker.io/",
                "index.docker.io/",
                "localhost/",
                "[::1]:5000/",
                "127.0.0.1:5000/",
            ],
        )?),
        2 => {
            s.push_str(&word(u, LOWER, 12)?);
            s.push('.');
            s.push_str(&word(u, LOWER, 6)?);
            s.push(':');
            s.push_str(&number(u)?);
            s.push('/');
        }
        _ => {}
    }
    let parts = u.int_in_range(1..=4)?;
    for i in 0..parts {
        if i > 0 {
            s.push('/');
        }
        s.push_str(&word(u, b"abcz09._-_", 10)?);
    }
    if u.ratio(1, 2)? {
        s.push(':');
        s.push_str(&word(u, NAME, 140)?);
    }
    if u.ratio(1, 3)? {
        s.push('@');
        s.push_str(pick(u, &["sha256:", "sha512:", "sha256", ":", "md5:"])?);
        s.push_str(&word(u, b"0123456789abcdefABCDEF", 70)?);
    }
    Ok(s.into_bytes())
}

/// `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]` with the spelling
/// variants PEP 440 normalises (`v`, `-`, `_`, `alpha`, `pre`, `c`, `r`, …).
pub fn version(u: &mut Unstructured) -> Result<String> {
    let mut s = String::new();
    if u.ratio(1, 8)? {
        s.push('v');
    }
    if u.ratio(1, 6)? {
        s.push_str(&number(u)?);
        s.push('!');
    }
    let release = u.int_in_range(1..=5)?;
    for i in 0..release {
        if i > 0 {
            s.push('.');
        }
        s.push_str(&number(u)?);
    }
    let sep = |u: &mut Unstructured| pick(u, &["", ".", "-", "_"]);
    if u.ratio(1, 3)? {
        s.push_str(sep(u)?);
        s.push_str(pick(
            u,
            &["a", "b", "rc", "c", "alpha", "beta", "pre", "preview"],
        )?);
        s.push_str(sep(u)?);
        if u.ratio(3, 4)? {
            s.push_str(&number(u)?);
        }
    }
    if u.ratio(1, 4)? {
        s.push_str(sep(u)?);
        s.push_str(pick(u, &["post", "rev", "r", ""])?);
        s.push_str(sep(u)?);
        s.push_str(&number(u)?);
    }
    if u.ratio(1, 4)? {
        s.push_str(sep(u)?);
        s.push_str("dev");
        s.push_str(&number(u)?);
    }
    if u.ratio(1, 4)? {
        s.push('+');
        s.push_str(&word(u, b"abcXYZ019.-_", 12)?);
    }
    if u.ratio(1, 8)? {
        s.push_str(".*");
    }
    Ok(s)
}

/// A comma-separated specifier set, wildcards and `===` included.
pub fn specifiers(u: &mut Unstructured) -> Result<String> {
    let count = u.int_in_range(0..=4)?;
    let mut parts = Vec::new();
    for _ in 0..count {
        let op = pick(
            u,
            &["==", "!=", "<=", ">=", "<", ">", "~=", "===", "", "=>"],
        )?;
        let space = pick(u, &["", " ", "  "])?;
        parts.push(format!("{op}{space}{}", version(u)?));
    }
    Ok(parts.join(pick(u, &[",", ", ", " ,", ",,"])?))
}

/// A PEP 440 version or a specifier set.
pub fn pep440(u: &mut Unstructured) -> Result<Vec<u8>> {
    Ok(if u.ratio(1, 2)? {
        version(u)?
    } else {
        specifiers(u)?
    }
    .into_bytes())
}

/// A marker expression, nested `and`/`or` with parentheses, `in`, `not in`,
/// `extra`, and both quote styles.
pub fn marker(u: &mut Unstructured, depth: u32) -> Result<String> {
    if depth < 4 && u.ratio(1, 3)? {
        let left = marker(u, depth + 1)?;
        let right = marker(u, depth + 1)?;
        let op = pick(u, &["and", "or", "AND", "andor"])?;
        let text = format!("{left} {op} {right}");
        return Ok(if u.ratio(1, 2)? {
            format!("({text})")
        } else {
            text
        });
    }
    let var = pick(
        u,
        &[
            "python_version",
            "python_full_version",
            "os_name",
            "sys_platform",
            "platform_machine",
            "platform_python_implementation",
            "implementation_name",
            "implementation_version",
            "platform_release",
            "platform_system",
            "platform_version",
            "extra",
            "dependency_groups",
            "extras",
            "os.name",
            "unknown_var",
        ],
    )?;
    let op = pick(
        u,
        &[
            "==", "!=", "<", "<=", ">", ">=", "~=", "===", "in", "not in", "=", "not",
        ],
    )?;
    let value = match u.int_in_range(0..=3)? {
        0 => version(u)?,
        1 => pick(
            u,
            &[
                "linux", "win32", "posix", "x86_64", "CPython", "", "dev", "test",
            ],
        )?
        .to_owned(),
        _ => word(u, NAME, 10)?,
    };
    let quote = pick(u, &["\"", "'", ""])?;
    Ok(if u.ratio(1, 4)? {
        format!("{quote}{value}{quote} {op} {var}")
    } else {
        format!("{var} {op} {quote}{value}{quote}")
    })
}

/// `name[extras] (specifiers | @ url) ; marker`.
pub fn pep508(u: &mut Unstructured) -> Result<Vec<u8>> {
    let mut s = word(u, NAME, 20)?;
    if u.ratio(1, 3)? {
        let extras: Vec<String> = (0..u.int_in_range(0..=3)?)
            .map(|_| word(u, NAME, 8))
            .collect::<Result<_>>()?;
        s.push('[');
        s.push_str(&extras.join(","));
        s.push(']');
    }
    match u.int_in_range(0..=3)? {
        0 => {}
        1 => {
            s.push_str(" @ ");
            s.push_str(pick(
                u,
                &[
                    "https://",
                    "file:///",
                    "git+https://",
                    "http://user:pw@",
                    "",
                ],
            )?);
            s.push_str(&word(u, b"abc./-_%@:#=?&", 30)?);
        }
        2 => {
            s.push('(');
            s.push_str(&specifiers(u)?);
            s.push(')');
        }
        _ => s.push_str(&specifiers(u)?),
    }
    if u.ratio(1, 2)? {
        s.push_str(pick(u, &[" ; ", ";", " ;"])?);
        s.push_str(&marker(u, 0)?);
    }
    Ok(s.into_bytes())
}
