"""@containerize end to end, as a user's script runs it.

Outside a container the script must hand over to the CLI: here the CLI is a
small recorder (PYCONTAINER_COMMAND), which is how the decorator's own part
is seen (the arguments, the streaming, the exit status, Ctrl+C). The image
half is real: the same build options through this checkout's CLI, the image
run under runc, and the function running inside without starting another.

`pycontainer run` itself is tested by its own suite; a decorated script
against podman through `run` is in test_decorator_run.py.
"""

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import index_tags, run_in_image
from pycontainer_integrations import containerize
from pycontainer_integrations.command import run_cli
from pycontainer_integrations.decorator import script_args
from pycontainer_integrations.errors import IntegrationError
from pycontainer_integrations.options import invocation

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "pycontainer_integrations"

SCRIPT = textwrap.dedent(
    """\
    import sys
    from pycontainer_integrations import containerize

    @containerize(package={"repository": "127.0.0.1:5000/team", "name": "hello"}, runtime={"ports": [8080]})
    def main():
        print("in the container with", sys.argv[1:], flush=True)

    if __name__ == "__main__":
        main()
        print("after main", flush=True)
    """
)

# Records its arguments, says something on each stream, and exits as told;
# with WAIT_FOR_SIGINT it waits for Ctrl+C and cleans up first, as `run` does.
RECORDER = textwrap.dedent(
    """\
    import json, os, signal, sys, time
    with open(os.environ["RECORD_TO"], "w") as f:
        json.dump(sys.argv[1:], f)
    print("cli: stdout", flush=True)
    print("cli: stderr", file=sys.stderr, flush=True)
    if os.environ.get("WAIT_FOR_SIGINT"):
        stopped = []
        signal.signal(signal.SIGINT, lambda *_: stopped.append(1))
        print("cli: ready", flush=True)
        while not stopped:
            time.sleep(0.05)
        print("cli: stopped the container", flush=True)
        sys.exit(130)
    sys.exit(int(os.environ.get("EXIT_WITH", "0")))
    """
)


@pytest.fixture
def project(tmp_path):
    """A project directory holding the decorated script in a subdirectory."""
    (tmp_path / "project/app").mkdir(parents=True)
    (tmp_path / "project/app/hello.py").write_text(SCRIPT)
    (tmp_path / "recorder.py").write_text(RECORDER)
    return tmp_path / "project"


def script_env(project, **extra):
    env = dict(os.environ)
    env.update(
        PYCONTAINER_COMMAND=shlex.join([sys.executable, str(project.parent / "recorder.py")]),
        PYCONTAINER_IN_CONTAINER="0",
        RECORD_TO=str(project.parent / "argv.json"),
        PYTHONPATH=os.pathsep.join(filter(None, [str(PACKAGE.parent), env.get("PYTHONPATH")])),
    )
    env.update(extra)
    return env


def test_outside_it_runs_the_cli_with_the_seeds_options_and_exits_with_its_status(project):
    r = subprocess.run(
        [sys.executable, "app/hello.py", "Bob", "--loud"],
        cwd=project,
        env=script_env(project, EXIT_WITH="7"),
        capture_output=True,
        text=True,
    )
    assert r.returncode == 7, r.stderr
    # The CLI's own streams, and nothing of the function nor of what follows it.
    assert r.stdout == "cli: stdout\n"
    assert r.stderr == "cli: stderr\n"
    assert json.loads((project.parent / "argv.json").read_text()) == [
        "run",
        "--tag",
        "127.0.0.1:5000/team/hello",
        "--context",
        str(project),
        "--entrypoint",
        "python3 app/hello.py",
        "--env",
        "PYCONTAINER_IN_CONTAINER=1",
        "--publish",
        "8080:8080",
        "--",
        "Bob",
        "--loud",
    ]


def test_inside_it_runs_the_function(project):
    env = script_env(project, PYCONTAINER_IN_CONTAINER="1")
    r = subprocess.run([sys.executable, "app/hello.py", "Bob"], cwd=project, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "in the container with ['Bob']\nafter main\n"
    assert not (project.parent / "argv.json").exists()


def test_inside_the_function_is_left_as_it_is_without_a_second_warning(monkeypatch, recwarn):
    monkeypatch.setenv("PYCONTAINER_IN_CONTAINER", "1")

    def main():
        return "ran"

    assert containerize(package={"builder": "docker"}, runtime={"replicas": 3})(main) is main
    assert len(recwarn) == 0


def test_ctrl_c_waits_for_the_cli_to_clean_up_and_keeps_its_status(project):
    # Its own session, so that the signal goes to the whole group as a
    # terminal's Ctrl+C does: to the script and to the CLI it started.
    child = subprocess.Popen(
        [sys.executable, "app/hello.py"],
        cwd=project,
        env=script_env(project, WAIT_FOR_SIGINT="1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    lines = []
    for line in child.stdout:
        lines.append(line)
        if line == "cli: ready\n":
            break
    os.killpg(child.pid, signal.SIGINT)
    rest, stderr = child.communicate(timeout=30)
    assert child.returncode == 130, stderr
    assert "cli: stopped the container\n" in rest
    assert "Traceback" not in stderr


def test_a_missing_cli_says_what_to_install(tmp_path):
    with pytest.raises(IntegrationError) as info:
        run_cli(["run"], environ={"PYCONTAINER_COMMAND": str(tmp_path / "no-such-pycontainer")})
    assert info.value.code == "cli-not-found"
    assert "Node.js" in str(info.value)


def test_a_script_outside_the_context_is_refused(tmp_path):
    with pytest.raises(IntegrationError) as info:
        script_args(str(tmp_path / "elsewhere.py"), str(tmp_path / "project"))
    assert info.value.code == "script-outside-context"


def test_the_image_runs_the_script_and_the_function_inside_it(project, tmp_path, cli_env, base_image):
    # The script imports the decorator: a real project lists the package as
    # a dependency; this one ships it next to the script.
    shutil.copytree(PACKAGE, project / "app" / "pycontainer_integrations")
    layout = tmp_path / "layout"
    planned = invocation({"name": "hello:1"}, {})
    build = [*planned.build_args, *script_args(str(project / "app/hello.py"), str(project))]
    cli = shlex.split(cli_env["PYCONTAINER_COMMAND"])
    r = subprocess.run(
        [*cli, "build", *build, "--base-image", base_image, "--output", str(layout), "--quiet"],
        env=cli_env,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    assert index_tags(layout) == ["1"]
    # Nothing but the image's own environment says "container" under runc
    # (no /.dockerenv): the PYCONTAINER_IN_CONTAINER=1 the build set.
    ran = run_in_image(layout, "1", "Bob")
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == "in the container with ['Bob']\nafter main\n"
