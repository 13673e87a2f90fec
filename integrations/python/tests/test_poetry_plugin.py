"""The Poetry plugin in the real Poetry (the pinned one of
requirements.txt), found through its entry point as a user's `poetry self
add` makes it, building a Poetry project with this checkout's CLI."""

import json
import os
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path

from conftest import index_tags, run_in_image

POETRY = str(Path(sys.executable).with_name("poetry"))

PYPROJECT = textwrap.dedent(
    """\
    [project]
    name = "greet"
    version = "1.2.0"
    requires-python = ">=3.9"

    [project.scripts]
    greet = "greet:main"

    [tool.poetry]
    packages = [{ include = "greet.py" }]

    [build-system]
    requires = ["poetry-core>=2.0"]
    build-backend = "poetry.core.masonry.api"
    """
)


def poetry_project(tmp_path):
    project = tmp_path / "greet"
    project.mkdir()
    (project / "pyproject.toml").write_text(PYPROJECT)
    (project / "greet.py").write_text('def main():\n    print("greetings from poetry")\n')
    return project


def poetry(args, cwd, env):
    env = {
        **env,
        # Poetry's own state goes to the test's directory, never the home.
        "POETRY_CONFIG_DIR": str(cwd.parent / "poetry-config"),
        "POETRY_CACHE_DIR": str(cwd.parent / "poetry-cache"),
        "POETRY_DATA_DIR": str(cwd.parent / "poetry-data"),
    }
    return subprocess.run([POETRY, "--no-interaction", *args], cwd=cwd, env=env, capture_output=True, text=True)


def test_poetry_lists_the_container_commands(tmp_path, cli_env):
    r = poetry(["list"], poetry_project(tmp_path), cli_env)
    assert r.returncode == 0, r.stderr
    for command in ("container build", "container run", "container deploy", "container dockerfile"):
        assert command in r.stdout


def test_poetry_container_build_builds_the_project(tmp_path, cli_env, base_image):
    project = poetry_project(tmp_path)
    layout = tmp_path / "layout"
    args = ["container", "build", "-t", "greet:1.2.0", "--", "--base-image", base_image, "-o", str(layout), "-q"]
    r = poetry(args, project, cli_env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert index_tags(layout) == ["1.2.0"]
    ran = run_in_image(layout, "1.2.0")
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == "greetings from poetry\n"


def test_poetry_container_commands_pass_everything_on_and_keep_the_status(tmp_path):
    # A recorder as the CLI: `run` and `deploy` are each tested in their own suites.
    record = tmp_path / "argv.json"
    recorder = tmp_path / "recorder.py"
    recorder.write_text(
        "import json, sys\n"
        f"json.dump(sys.argv[1:], open({str(record)!r}, 'w'))\n"
        "sys.exit(3)\n"
    )
    project = poetry_project(tmp_path)
    env = dict(os.environ, PYCONTAINER_COMMAND=shlex.join([sys.executable, str(recorder)]))
    r = poetry(["container", "run", "--tag", "greet:dev", "--", "--publish", "8000:8000"], project, env)
    assert r.returncode == 3, r.stderr
    assert json.loads(record.read_text()) == [
        "run",
        "--context",
        str(project),
        "--tag",
        "greet:dev",
        "--publish",
        "8000:8000",
    ]
