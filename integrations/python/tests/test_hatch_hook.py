"""The Hatch build hook in the real hatchling (pinned in requirements.txt),
found through its entry point: building the wheel builds the image too."""

import subprocess
import sys
import textwrap

from conftest import index_tags, run_in_image


def hatch_project(tmp_path, hook_table, table="tool.hatch.build.targets.wheel.hooks.pycontainer"):
    project = tmp_path / "hatched"
    (project / "src/hatched").mkdir(parents=True)
    (project / "src/hatched/__init__.py").write_text("")
    (project / "src/hatched/__main__.py").write_text('print("hatched in a container")\n')
    (project / "pyproject.toml").write_text(
        textwrap.dedent(
            """\
            [build-system]
            requires = ["hatchling", "pycontainer-integrations"]
            build-backend = "hatchling.build"

            [project]
            name = "hatched"
            version = "0.3.0"
            requires-python = ">=3.9"

            [tool.hatch.build.targets.wheel]
            packages = ["src/hatched"]
            """
        )
        + f"\n[{table}]\n"
        + hook_table
    )
    return project


def hatchling_build(project, env, target="wheel"):
    # `hatchling build` builds in this environment, where the hook is
    # installed; a front end (pip, build, hatch) would make an isolated one
    # from the index, as [build-system] requires says.
    return subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "--target", target],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )


def test_building_the_wheel_builds_the_image(tmp_path, cli_env, base_image):
    layout = tmp_path / "layout"
    project = hatch_project(
        tmp_path, f'tags = ["hatched:0.3.0"]\nargs = ["--base-image", "{base_image}", "-o", "{layout}", "-q"]\n'
    )
    r = hatchling_build(project, cli_env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert [p.name for p in (project / "dist").iterdir()] == ["hatched-0.3.0-py3-none-any.whl"]
    assert index_tags(layout) == ["0.3.0"]
    ran = run_in_image(layout, "0.3.0")
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == "hatched in a container\n"


def test_a_failed_image_build_fails_the_wheel_build(tmp_path, cli_env):
    project = hatch_project(tmp_path, 'args = ["--python", "2.7"]\n')
    r = hatchling_build(project, cli_env)
    assert r.returncode != 0
    assert "Python 2.7 (--python) matches no maintained CPython" in r.stderr
    assert "pycontainer build exited with status 1" in r.stderr


def test_an_editable_build_builds_no_image(tmp_path, cli_env):
    layout = tmp_path / "layout"
    project = hatch_project(tmp_path, f'args = ["-o", "{layout}"]\n')
    r = hatchling_build(project, cli_env, target="wheel:editable")
    assert r.returncode == 0, r.stdout + r.stderr
    assert not layout.exists()


def test_a_hook_for_every_target_builds_no_image_with_the_sdist(tmp_path, cli_env):
    layout = tmp_path / "layout"
    project = hatch_project(tmp_path, f'args = ["-o", "{layout}"]\n', table="tool.hatch.build.hooks.pycontainer")
    r = hatchling_build(project, cli_env, target="sdist")
    assert r.returncode == 0, r.stdout + r.stderr
    assert [p.name for p in (project / "dist").iterdir()] == ["hatched-0.3.0.tar.gz"]
    assert not layout.exists()


def test_a_malformed_hook_table_is_refused(tmp_path, cli_env):
    project = hatch_project(tmp_path, 'tags = "hatched:0.3.0"\n')
    r = hatchling_build(project, cli_env)
    assert r.returncode != 0
    assert "pycontainer build hook's 'tags' must be a list of strings" in r.stderr
