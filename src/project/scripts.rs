//! The project's console and GUI scripts. Every one of them gets a
//! launcher named after it, so each is checked as it is read, and an error
//! names the file and the key it came from.

use pycontainer_wheel::install::EntryPoint;

use super::ProjectError;

/// `name = spec` read as an entry point; `file` and `key` (the table or
/// section it is in) name it in the error.
pub fn entry_point(
    file: &str,
    key: &str,
    name: &str,
    spec: &str,
) -> Result<EntryPoint, ProjectError> {
    let bad = |reason: &str| ProjectError::BadScript {
        file: file.to_owned(),
        key: key.to_owned(),
        name: name.to_owned(),
        spec: spec.to_owned(),
        reason: reason.to_owned(),
    };
    // Surrounding blanks would be trimmed from the launcher's name but not
    // from entry_points.txt, which would then name another command.
    if name.trim() != name || name.chars().any(char::is_control) {
        return Err(bad("the script name must be a plain file name"));
    }
    // A launcher named like the interpreter would replace the one every
    // launcher runs (the venv's `bin/python`, or the base's `python3`).
    if is_interpreter_name(name) {
        return Err(bad("the script name is the interpreter's; choose another"));
    }
    EntryPoint::new(name, spec).map_err(bad)
}

/// Checks every script of each `(key, scripts)` group, and that no two
/// share a name: their launchers would be one file.
pub fn check(file: &str, groups: &[(&str, &[(String, String)])]) -> Result<(), ProjectError> {
    let mut seen: Vec<&str> = Vec::new();
    for (key, scripts) in groups {
        for (name, spec) in *scripts {
            let ep = entry_point(file, key, name, spec)?;
            if seen.contains(&ep.name()) {
                return Err(ProjectError::BadScript {
                    file: file.to_owned(),
                    key: (*key).to_owned(),
                    name: name.clone(),
                    spec: spec.clone(),
                    reason: "another script has this name; both would be one launcher".to_owned(),
                });
            }
            seen.push(name);
        }
    }
    Ok(())
}

/// `python`, `python3`, `python3.12`: the names a venv's `bin/` and the
/// official images' `/usr/local/bin` give the interpreter.
fn is_interpreter_name(name: &str) -> bool {
    name.trim()
        .strip_prefix("python")
        .is_some_and(|rest| rest.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(n, s)| ((*n).to_owned(), (*s).to_owned()))
            .collect()
    }

    fn refusal(name: &str, spec: &str) -> String {
        check(
            "/p/pyproject.toml",
            &[("project.scripts", &pairs(&[(name, spec)]))],
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default()
    }

    #[test]
    fn a_name_that_is_no_plain_file_name_is_refused_naming_file_and_key() {
        for name in [
            "../evil",
            "a/b",
            "..",
            ".",
            "",
            "a\\b",
            "a\nb",
            " a",
            "python3",
            "python3.12",
        ] {
            let e = refusal(name, "a:b");
            assert!(
                e.starts_with("/p/pyproject.toml: `project.scripts`")
                    && e.contains(&format!("{name:?}")),
                "{name:?}: {e}"
            );
        }
        assert_eq!(refusal("hello-cli.v2", "a.b:c.d [x]"), "");
        assert_eq!(refusal("pythonic", "a:b"), "");
    }

    #[test]
    fn a_bad_target_is_refused_naming_the_script() {
        for spec in [
            "hello.cli",
            "hello cli:main",
            ":main",
            "m:",
            "1m:f",
            "m:f-g",
            "m:f [x",
        ] {
            let e = refusal("hello", spec);
            assert!(
                e.contains("\"hello\"") && e.contains(&format!("{spec:?}")),
                "{spec}: {e}"
            );
        }
    }

    #[test]
    fn two_scripts_of_one_name_are_refused() {
        let console = pairs(&[("run", "a:b")]);
        let gui = pairs(&[("run", "a:c")]);
        let e = check(
            "setup.cfg",
            &[
                ("options.entry_points.console_scripts", &console),
                ("options.entry_points.gui_scripts", &gui),
            ],
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(
            e.starts_with("setup.cfg: `options.entry_points.gui_scripts` \"run\""),
            "{e}"
        );
    }
}
