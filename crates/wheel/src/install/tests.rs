//! Tests for wheel installation: the real six wheel, and crafted wheels for
//! `.data/`, entry points and every refusal, all read through the zip reader.

use super::*;
use pycontainer_archive::zip::writer::{file, read_all, zip, File as ZipFile};

const SIX: &[u8] =
    include_bytes!("../../../../tests/fixtures/wheels/six-1.17.0-py2.py3-none-any.whl");
const SIX_WHL: &str = "six-1.17.0-py2.py3-none-any.whl";
const DEMO_WHL: &str = "demo-1.0-py3-none-any.whl";
const SITE: &str = "app/.venv/lib/python3.11/site-packages";
const WHEEL_FILE: &[u8] =
    b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n";

fn scheme() -> Scheme {
    Scheme {
        site_packages: SITE.into(),
        scripts: "app/.venv/bin".into(),
        headers: "app/.venv/include/site/python3.11/demo".into(),
        data: "app/.venv".into(),
        python: "/app/.venv/bin/python".into(),
    }
}

/// Reads the wheel through the zip reader and plans it as the integrator does.
fn install(filename: &str, archive: &[u8]) -> Result<Plan, InstallError> {
    install_with(filename, archive, &scheme())
}

fn install_with(filename: &str, archive: &[u8], scheme: &Scheme) -> Result<Plan, InstallError> {
    let read = read_all(archive).unwrap();
    let wheel = Wheel::new(filename, read.iter().map(|(e, _)| e.clone()).collect())?;
    let contents = wheel
        .needed()
        .iter()
        .map(|needed| {
            let (_, bytes) = read.iter().find(|(e, _)| e.name == needed.name).unwrap();
            (needed.name.clone(), bytes.clone())
        })
        .collect();
    wheel.plan(&contents, scheme)
}

fn sha256(bytes: &[u8]) -> Digest {
    Digest::of(Sha256::portable(), bytes)
}

fn record_line(f: &ZipFile) -> String {
    let hash = RecordHash::sha256(&sha256(&f.data));
    format!(
        "{},{hash},{}\n",
        String::from_utf8_lossy(&f.name),
        f.data.len()
    )
}

/// A demo-1.0 wheel holding `files`, plus METADATA, WHEEL and a RECORD listing all.
fn demo(files: Vec<ZipFile>) -> Vec<u8> {
    demo_with_record(files, |record| record)
}

/// As `demo`, with RECORD's text passed through `edit` first.
fn demo_with_record(mut files: Vec<ZipFile>, edit: impl FnOnce(String) -> String) -> Vec<u8> {
    let has = |files: &[ZipFile], name: &str| files.iter().any(|f| f.name == name.as_bytes());
    if !has(&files, "demo-1.0.dist-info/WHEEL") {
        files.push(file("demo-1.0.dist-info/WHEEL", WHEEL_FILE));
    }
    if !has(&files, "demo-1.0.dist-info/METADATA") {
        files.push(file(
            "demo-1.0.dist-info/METADATA",
            b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n",
        ));
    }
    let mut record: String = files.iter().map(record_line).collect();
    record.push_str("demo-1.0.dist-info/RECORD,,\n");
    files.push(file("demo-1.0.dist-info/RECORD", edit(record).as_bytes()));
    zip(&files)
}

fn paths(plan: &Plan) -> Vec<&str> {
    plan.files.iter().map(|f| f.path.as_str()).collect()
}

fn find<'p>(plan: &'p Plan, path: &str) -> &'p Installed {
    plan.files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("{path} not installed: {:?}", paths(plan)))
}

fn bytes(installed: &Installed) -> &[u8] {
    match &installed.source {
        Source::Bytes(bytes) => bytes,
        Source::Zip { entry, .. } => panic!("{} comes from the zip", entry.name),
    }
}

fn text(plan: &Plan, path: &str) -> String {
    String::from_utf8(bytes(find(plan, path)).to_vec()).unwrap()
}

#[test]
fn six_installs_like_pip_with_its_record_verified() {
    let plan = install(SIX_WHL, SIX).unwrap();
    let dist = format!("{SITE}/six-1.17.0.dist-info");
    assert_eq!(
        paths(&plan),
        [
            format!("{dist}/INSTALLER"),
            format!("{dist}/LICENSE"),
            format!("{dist}/METADATA"),
            format!("{dist}/RECORD"),
            format!("{dist}/WHEEL"),
            format!("{dist}/top_level.txt"),
            format!("{SITE}/six.py"),
        ]
    );
    // Every file from the zip carries the sha256 its bytes really have.
    let read = read_all(SIX).unwrap();
    for installed in &plan.files {
        assert_eq!(installed.mode, 0o644, "{}", installed.path);
        if let Source::Zip { entry, expected } = &installed.source {
            let (_, data) = read.iter().find(|(e, _)| e == entry).unwrap();
            assert_eq!(*expected, sha256(data), "{}", entry.name);
            assert_eq!(installed.size(), data.len() as u64);
        }
    }
    assert_eq!(text(&plan, &format!("{dist}/INSTALLER")), "pycontainer\n");
    // pip's RECORD for the same install, less REQUESTED and direct_url.json,
    // and with our INSTALLER.
    assert_eq!(
        text(&plan, &format!("{dist}/RECORD")),
        "\
six-1.17.0.dist-info/INSTALLER,sha256=qAfd2YTRHyIq9yMUprdl7t1yKBSPikDBtF3K8pRCY4Y,12
six-1.17.0.dist-info/LICENSE,sha256=Q3W6IOK5xsTnytKUCmKP2Q6VzD1Q7pKq51VxXYuh-9A,1066
six-1.17.0.dist-info/METADATA,sha256=ViBCB4wnUlSfbYp8htvF3XCAiKe-bYBnLsewcQC3JGg,1658
six-1.17.0.dist-info/RECORD,,
six-1.17.0.dist-info/WHEEL,sha256=pxeNX5JdtCe58PUSYP9upmc7jdRPgvT0Gm9kb1SHlVw,109
six-1.17.0.dist-info/top_level.txt,sha256=_iVH_iYEtEXnD8nYGQYpYFUvkUW9sEO1GYbkeKSAais,4
six.py,sha256=xRyR9wPT1LNpbJI8tf7CE-BeddkhU5O--sfy-mo5BN8,34703
"
    );
    assert_eq!(
        plan.dirs,
        ["app/.venv/lib", "app/.venv/lib/python3.11", SITE, &dist,]
    );
}

#[test]
fn only_small_metadata_and_scripts_are_read_up_front() {
    let archive = demo(vec![
        file("demo/__init__.py", b""),
        file(
            "demo-1.0.dist-info/entry_points.txt",
            b"[console_scripts]\n",
        ),
        file("demo-1.0.data/scripts/tool", b"#!python\n"),
        file("demo-1.0.data/scripts/big", &vec![0x7f; (1 << 20) + 1]),
    ]);
    let read = read_all(&archive).unwrap();
    let wheel = Wheel::new(DEMO_WHL, read.into_iter().map(|(e, _)| e).collect()).unwrap();
    let needed: Vec<_> = wheel.needed().iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        needed,
        [
            "demo-1.0.data/scripts/tool",
            "demo-1.0.dist-info/RECORD",
            "demo-1.0.dist-info/WHEEL",
            "demo-1.0.dist-info/entry_points.txt",
        ]
    );
}

#[test]
fn data_directories_are_spread_and_python_shebangs_rewritten() {
    let big = [b"\x7fELF".as_slice(), &vec![0; 1 << 20]].concat();
    let archive = demo(vec![
        file("demo/__init__.py", b"").mode(Some(0o100664)),
        file("demo/_native.so", b"\x7fELF").mode(Some(0o100775)),
        file("demo-1.0.data/purelib/demo_extra.py", b"X = 1\n"),
        file("demo-1.0.data/platlib/demo_plat.py", b"Y = 1\n"),
        file("demo-1.0.data/headers/demo.h", b"#define DEMO 1\n"),
        file("demo-1.0.data/data/share/demo/README", b"docs\n"),
        file("demo-1.0.data/scripts/x", b"#!python\nprint(1)\n").mode(Some(0o100644)),
        file("demo-1.0.data/scripts/w", b"#!pythonw -E\r\nprint(2)\r\n"),
        file("demo-1.0.data/scripts/sh", b"#!/bin/sh\necho hi\n"),
        file("demo-1.0.data/scripts/ruff", &big),
    ]);
    let plan = install(DEMO_WHL, &archive).unwrap();
    let site = |p: &str| format!("{SITE}/{p}");

    assert_eq!(find(&plan, &site("demo/__init__.py")).mode, 0o644);
    assert_eq!(find(&plan, &site("demo/_native.so")).mode, 0o755);
    assert!(matches!(
        find(&plan, &site("demo_extra.py")).source,
        Source::Zip { .. }
    ));
    find(&plan, &site("demo_plat.py"));
    find(&plan, "app/.venv/include/site/python3.11/demo/demo.h");
    find(&plan, "app/.venv/share/demo/README");

    let x = find(&plan, "app/.venv/bin/x");
    assert_eq!(
        (x.mode, bytes(x)),
        (0o755, b"#!/app/.venv/bin/python\nprint(1)\n".as_slice())
    );
    // pip replaces the whole first line, arguments and CRLF included.
    assert_eq!(
        text(&plan, "app/.venv/bin/w"),
        "#!/app/.venv/bin/python\nprint(2)\r\n"
    );
    assert_eq!(text(&plan, "app/.venv/bin/sh"), "#!/bin/sh\necho hi\n");
    let ruff = find(&plan, "app/.venv/bin/ruff");
    assert_eq!(ruff.mode, 0o755);
    assert!(matches!(&ruff.source, Source::Zip { expected, .. } if *expected == sha256(&big)));

    let record = text(&plan, &site("demo-1.0.dist-info/RECORD"));
    let rewritten = b"#!/app/.venv/bin/python\nprint(1)\n";
    assert!(
        record.contains(&format!(
            "../../../bin/x,{},{}\n",
            RecordHash::sha256(&sha256(rewritten)),
            rewritten.len()
        )),
        "{record}"
    );
    assert!(record.contains("../../../include/site/python3.11/demo/demo.h,sha256="));
    assert!(record.contains("../../../share/demo/README,sha256="));
    assert!(record.contains("demo_plat.py,sha256="));
    assert!(
        plan.dirs
            .contains(&"app/.venv/include/site/python3.11/demo".to_owned())
            && plan.dirs.contains(&"app/.venv/share/demo".to_owned())
            && plan.dirs.contains(&"app/.venv/bin".to_owned())
            && !plan.dirs.contains(&"app/.venv".to_owned()),
        "{:?}",
        plan.dirs
    );
    let mut sorted = paths(&plan);
    pycontainer_sort::sort(&mut sorted);
    assert_eq!(paths(&plan), sorted);
}

#[test]
fn entry_points_get_pips_launchers() {
    let archive = demo(vec![
        file("demo/cli.py", b"def main(): pass\n"),
        file(
            "demo-1.0.dist-info/entry_points.txt",
            b"[console_scripts]\n\
              demo = demo.cli:main\n\
              demo-tool = demo.cli:Tool.run [fast]\n\
              \n\
              # comments and other sections are skipped\n\
              [gui_scripts]\n\
              demo-gui=demo.cli : main\n\
              [demo.plugins]\n\
              anything goes here\n",
        ),
    ]);
    let plan = install(DEMO_WHL, &archive).unwrap();
    // What pip 23.2 wrote for the same wheel, with /app/.venv/bin/python for its interpreter.
    let tool = "#!/app/.venv/bin/python
# -*- coding: utf-8 -*-
import re
import sys
from demo.cli import Tool
if __name__ == '__main__':
    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])
    sys.exit(Tool.run())
";
    assert_eq!(text(&plan, "app/.venv/bin/demo-tool"), tool);
    let main = tool
        .replace("import Tool", "import main")
        .replace("Tool.run()", "main()");
    assert_eq!(text(&plan, "app/.venv/bin/demo"), main);
    assert_eq!(text(&plan, "app/.venv/bin/demo-gui"), main);
    assert_eq!(find(&plan, "app/.venv/bin/demo").mode, 0o755);
    let record = text(&plan, &format!("{SITE}/demo-1.0.dist-info/RECORD"));
    assert!(record.contains(&format!(
        "../../../bin/demo-tool,{},{}\n",
        RecordHash::sha256(&sha256(tool.as_bytes())),
        tool.len()
    )));
}

#[test]
fn setuptools_wrappers_for_entry_points_give_way_to_launchers() {
    let archive = demo(vec![
        file(
            "demo-1.0.dist-info/entry_points.txt",
            b"[console_scripts]\ndemo = demo:main\n",
        ),
        file("demo-1.0.data/scripts/demo", b"#!python\nold wrapper\n"),
        file(
            "demo-1.0.data/scripts/demo-script.py",
            b"#!python\nold wrapper\n",
        ),
        file("demo-1.0.data/scripts/demo.EXE", b"MZ"),
    ]);
    let plan = install(DEMO_WHL, &archive).unwrap();
    let scripts: Vec<_> = paths(&plan)
        .into_iter()
        .filter(|p| p.starts_with("app/.venv/bin/"))
        .collect();
    assert_eq!(scripts, ["app/.venv/bin/demo"]);
    assert!(text(&plan, "app/.venv/bin/demo").contains("from demo import main"));
}

#[test]
fn bad_entry_points_name_their_line() {
    for (line, reason) in [
        (
            "broken = demo.cli",
            "the object reference has no :function to call",
        ),
        ("no equals sign", "expected name = module:function"),
        (
            "bad = demo-cli:main",
            "the object reference is not module.path:name.path",
        ),
        (
            "bad = demo:1main",
            "the object reference is not module.path:name.path",
        ),
        (
            "../up = demo:main",
            "the script name must be a plain file name",
        ),
        ("bad = demo:main [x", "unclosed [extras]"),
    ] {
        let entry_points = format!("[console_scripts]\nok = demo:main\n{line}\n");
        let archive = demo(vec![file(
            "demo-1.0.dist-info/entry_points.txt",
            entry_points.as_bytes(),
        )]);
        let err = install(DEMO_WHL, &archive).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("{DEMO_WHL}: entry_points.txt line 3 ({line:?}): {reason}")
        );
    }
}

#[test]
fn unsafe_paths_are_refused_before_anything_is_read() {
    for (name, reason) in [
        ("../evil", "has a '..' component"),
        ("/abs", "is an absolute path"),
        ("a/../../x", "has a '..' component"),
        (
            "demo-1.0.data/data/../../../etc/passwd",
            "has a '..' component",
        ),
        ("C:/windows/x", "starts with a drive letter"),
        ("demo\\x.py", "contains a backslash"),
        ("demo/./x.py", "has a '.' component"),
        ("demo//x.py", "has an empty path component"),
    ] {
        let archive = demo(vec![file(name, b"x")]);
        let entries = read_all(&archive)
            .unwrap()
            .into_iter()
            .map(|(e, _)| e)
            .collect();
        let err = Wheel::new(DEMO_WHL, entries).unwrap_err();
        assert_eq!(
            err,
            InstallError::UnsafePath {
                wheel: DEMO_WHL.into(),
                entry: name.into(),
                reason
            }
        );
        assert!(
            err.to_string().contains(&format!("{name:?} {reason}")),
            "{err}"
        );
    }
}

#[test]
fn symlinks_and_special_files_are_refused() {
    let archive = demo(vec![file("demo/link", b"/etc/passwd").mode(Some(0o120777))]);
    assert_eq!(
        install(DEMO_WHL, &archive).unwrap_err(),
        InstallError::Symlink {
            wheel: DEMO_WHL.into(),
            entry: "demo/link".into()
        }
    );
    let archive = demo(vec![file("demo/fifo", b"").mode(Some(0o010644))]);
    assert!(matches!(
        install(DEMO_WHL, &archive).unwrap_err(),
        InstallError::SpecialFile { entry, .. } if entry == "demo/fifo"
    ));
}

#[test]
fn duplicates_are_refused_in_the_zip_and_after_mapping() {
    let archive = demo(vec![file("demo/a.py", b"1"), file("demo/a.py", b"2")]);
    assert_eq!(
        install(DEMO_WHL, &archive).unwrap_err(),
        InstallError::Duplicate {
            wheel: DEMO_WHL.into(),
            path: "demo/a.py".into()
        }
    );
    let archive = demo(vec![
        file("demo/a.py", b"1"),
        file("demo-1.0.data/purelib/demo/a.py", b"2"),
    ]);
    assert_eq!(
        install(DEMO_WHL, &archive).unwrap_err(),
        InstallError::Duplicate {
            wheel: DEMO_WHL.into(),
            path: format!("{SITE}/demo/a.py")
        }
    );
    let archive = demo(vec![
        file("demo", b"a file"),
        file("demo-1.0.data/purelib/demo/a.py", b"2"),
    ]);
    assert_eq!(
        install(DEMO_WHL, &archive).unwrap_err(),
        InstallError::FileAndDirectory {
            wheel: DEMO_WHL.into(),
            path: format!("{SITE}/demo")
        }
    );
}

#[test]
fn record_must_list_every_file_with_a_sha256() {
    let files = || vec![file("demo/a.py", b"A = 1\n"), file("demo/b.py", b"B = 2\n")];
    let unlisted = demo_with_record(files(), |r| r.replace(&record_line(&files()[1]), ""));
    assert_eq!(
        install(DEMO_WHL, &unlisted).unwrap_err().to_string(),
        format!("{DEMO_WHL}: \"demo/b.py\" is not listed in RECORD")
    );

    let md5 = demo_with_record(files(), |r| {
        r.replace(
            &record_line(&files()[0]),
            "demo/a.py,md5=BWuOPVEzkXuk3TUh3VUBZA,6\n",
        )
    });
    assert_eq!(
        install(DEMO_WHL, &md5).unwrap_err(),
        InstallError::UnsupportedHash {
            wheel: DEMO_WHL.into(),
            entry: "demo/a.py".into(),
            algorithm: "md5".into()
        }
    );

    let ghost = demo_with_record(files(), |r| format!("{r}demo/gone.py,sha256=x,1\n"));
    assert_eq!(
        install(DEMO_WHL, &ghost).unwrap_err(),
        InstallError::MissingFromWheel {
            wheel: DEMO_WHL.into(),
            entry: "demo/gone.py".into()
        }
    );

    let no_hash = demo_with_record(files(), |r| {
        r.replace(&record_line(&files()[0]), "demo/a.py,,\n")
    });
    assert!(matches!(
        install(DEMO_WHL, &no_hash).unwrap_err(),
        InstallError::NoHash { entry, .. } if entry == "demo/a.py"
    ));

    let twice = demo_with_record(files(), |r| format!("{r}{}", record_line(&files()[0])));
    assert!(matches!(
        install(DEMO_WHL, &twice).unwrap_err(),
        InstallError::ListedTwice { entry, .. } if entry == "demo/a.py"
    ));

    let wrong_size = demo_with_record(files(), |r| {
        let line = record_line(&files()[0]);
        r.replace(&line, &line.replace(",6\n", ",7\n"))
    });
    assert_eq!(
        install(DEMO_WHL, &wrong_size).unwrap_err(),
        InstallError::RecordSize {
            wheel: DEMO_WHL.into(),
            entry: "demo/a.py".into(),
            expected: 7,
            actual: 6
        }
    );

    let garbled = demo_with_record(files(), |r| format!("{r}\"unterminated,,\n"));
    assert!(matches!(
        install(DEMO_WHL, &garbled).unwrap_err(),
        InstallError::Record { .. }
    ));
}

#[test]
fn the_files_read_up_front_are_checked_against_record() {
    let script = file("demo-1.0.data/scripts/x", b"#!python\nprint(1)\n");
    let archive = demo_with_record(vec![script.clone()], |r| {
        r.replace(
            &record_line(&script),
            &record_line(&file("demo-1.0.data/scripts/x", b"#!python\nprint(2)\n")),
        )
    });
    assert_eq!(
        install(DEMO_WHL, &archive).unwrap_err(),
        InstallError::HashMismatch {
            wheel: DEMO_WHL.into(),
            entry: "demo-1.0.data/scripts/x".into()
        }
    );
}

#[test]
fn the_dist_info_must_match_the_file_name() {
    let other = zip(&[
        file("other-1.0.dist-info/WHEEL", WHEEL_FILE),
        file("other-1.0.dist-info/RECORD", b""),
    ]);
    assert_eq!(
        install(DEMO_WHL, &other).unwrap_err().to_string(),
        format!("{DEMO_WHL}: its metadata directory \"other-1.0.dist-info\" names another project or version than the file name")
    );
    assert!(matches!(
        install("demo-2.0-py3-none-any.whl", &demo(vec![])).unwrap_err(),
        InstallError::DistInfoMismatch { .. }
    ));
    // Spellings of one name and one version are the same project.
    install("Demo-1.0.0-py3-none-any.whl", &demo(vec![])).unwrap();

    let two = zip(&[
        file("demo-1.0.dist-info/WHEEL", WHEEL_FILE),
        file("demo_x-1.0.dist-info/WHEEL", WHEEL_FILE),
    ]);
    assert!(matches!(
        install(DEMO_WHL, &two).unwrap_err(),
        InstallError::ManyDistInfo { found, .. } if found == ["demo-1.0.dist-info", "demo_x-1.0.dist-info"]
    ));
    assert!(matches!(
        install(DEMO_WHL, &zip(&[file("demo/a.py", b"")])).unwrap_err(),
        InstallError::NoDistInfo { .. }
    ));
    let no_record = zip(&[file("demo-1.0.dist-info/WHEEL", WHEEL_FILE)]);
    assert_eq!(
        install(DEMO_WHL, &no_record).unwrap_err(),
        InstallError::MissingMetadata {
            wheel: DEMO_WHL.into(),
            entry: "demo-1.0.dist-info/RECORD".into()
        }
    );
    for bad in [
        "demo-1.0.whl",
        "demo-1.0-py3-none-any.zip",
        "demo--1.0-py3-none-any.whl",
    ] {
        assert!(matches!(
            install(bad, &demo(vec![])).unwrap_err(),
            InstallError::Filename { .. }
        ));
    }
}

#[test]
fn data_keys_and_data_directories_are_checked() {
    let archive = demo(vec![file("demo-1.0.data/config/x.cfg", b"")]);
    assert_eq!(
        install(DEMO_WHL, &archive).unwrap_err().to_string(),
        format!("{DEMO_WHL}: entry \"demo-1.0.data/config/x.cfg\" is not under one of .data's purelib, platlib, scripts, headers or data")
    );
    let archive = demo(vec![file("demo-1.0.data/scripts", b"")]);
    assert!(matches!(
        install(DEMO_WHL, &archive).unwrap_err(),
        InstallError::DataKey { .. }
    ));
    let archive = demo(vec![file("other-2.0.data/purelib/x.py", b"")]);
    assert!(matches!(
        install(DEMO_WHL, &archive).unwrap_err(),
        InstallError::UnexpectedDataDir { dir, .. } if dir == "other-2.0.data"
    ));
}

#[test]
fn only_wheel_version_1_is_accepted() {
    let wheel = |text: &str| demo(vec![file("demo-1.0.dist-info/WHEEL", text.as_bytes())]);
    install(
        DEMO_WHL,
        &wheel("Wheel-Version: 1.9\nRoot-Is-Purelib: false\n"),
    )
    .unwrap();
    assert_eq!(
        install(DEMO_WHL, &wheel("Wheel-Version: 2.0\n"))
            .unwrap_err()
            .to_string(),
        format!("{DEMO_WHL}: WHEEL says Wheel-Version \"2.0\"; only 1.x is supported")
    );
    assert!(matches!(
        install(DEMO_WHL, &wheel("Generator: x\n")).unwrap_err(),
        InstallError::NoWheelVersion { .. }
    ));
}

#[test]
fn a_wheels_own_installer_and_record_signature_are_replaced() {
    let jws = file("demo-1.0.dist-info/RECORD.jws", b"{}");
    // RECORD.jws signs RECORD, so RECORD cannot list it; INSTALLER it does.
    let archive = demo_with_record(
        vec![file("demo-1.0.dist-info/INSTALLER", b"pip\n"), jws.clone()],
        |r| r.replace(&record_line(&jws), ""),
    );
    let plan = install(DEMO_WHL, &archive).unwrap();
    let dist = format!("{SITE}/demo-1.0.dist-info");
    assert_eq!(text(&plan, &format!("{dist}/INSTALLER")), "pycontainer\n");
    assert!(!paths(&plan).contains(&format!("{dist}/RECORD.jws").as_str()));
}

#[test]
fn an_interpreter_path_unfit_for_a_shebang_is_refused() {
    let mut spaced = scheme();
    spaced.python = "/my app/.venv/bin/python".into();
    assert!(matches!(
        install_with(DEMO_WHL, &demo(vec![]), &spaced).unwrap_err(),
        InstallError::Interpreter { .. }
    ));
}

#[test]
fn relative_paths_climb_out_of_site_packages() {
    assert_eq!(relative(SITE, "app/.venv/bin/x"), "../../../bin/x");
    assert_eq!(relative(SITE, &format!("{SITE}/a/b.py")), "a/b.py");
    assert_eq!(relative("a/b", "c"), "../../c");
}
