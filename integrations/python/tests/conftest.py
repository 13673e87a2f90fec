"""What the tests that run the real CLI need, given by the Node test that
runs pytest (tests/e2e/integrations-python.test.mjs): the command that
starts this checkout's CLI and a local base image. Missing, those tests
fail saying so (the one skip, for a CLI without `run` yet, is in
test_decorator_run.py)."""

import json
import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


def _required(name):
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run these tests through tests/e2e/integrations-python.test.mjs")
    return value


@pytest.fixture
def cli_env():
    """The environment for a process that calls the real CLI: this
    checkout's, and never the decorator's in-container shortcut."""
    env = dict(os.environ)
    env["PYCONTAINER_COMMAND"] = _required("PYCONTAINER_TEST_COMMAND")
    env["PYCONTAINER_IN_CONTAINER"] = "0"
    return env


@pytest.fixture
def base_image():
    """``oci:LAYOUT:TAG`` of the Debian python base (tests/infra/base-image.sh)."""
    return _required("PYCONTAINER_TEST_BASE_IMAGE")


def run_in_image(layout, tag, *args):
    """tests/infra/lib.sh's run_in_image: the image's process under runc."""
    return subprocess.run(
        ["bash", "-c", '. "$1"; shift; run_in_image "$@"', "run-in-image", str(REPO / "tests/infra/lib.sh"), str(layout), tag, *args],
        capture_output=True,
        text=True,
        timeout=180,
    )


def index_tags(layout):
    """The tags of an OCI layout, read from its index.json."""
    index = json.loads((Path(layout) / "index.json").read_text())
    return sorted(m.get("annotations", {}).get("org.opencontainers.image.ref.name", "") for m in index["manifests"])
