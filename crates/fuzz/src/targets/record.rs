//! A wheel's RECORD (CSV of path, hash, size), as downloaded wheels carry it.

use pycontainer_python::record;

use super::{seeds_of, text, TEXT};
use crate::Target;

pub static TARGET: Target = Target {
    name: "record",
    seed_files: &[],
    seeds: || {
        seeds_of(&[
            "six.py,sha256=4NDcN2pQ7gQvQc6qVMp3fD6lLcXgSk6tE_5xT0mHHqM,34549\nsix-1.17.0.dist-info/RECORD,,\n",
            "\"a,b.py\",sha256=AAAA,0\r\n\"q\"\"uote\",sha512=ab,12\n\n../escape.py,,\n",
        ])
    },
    dictionary: &[
        ",", "\"", "\n", "\r\n", "sha256=", "sha512=", "md5=", "=", "../", "/",
    ],
    grammar: None,
    check,
    memory: TEXT,
    smoke_cases: 1500,
};

fn check(input: &[u8]) -> Result<(), String> {
    let _ = record::parse(&text(input));
    Ok(())
}
