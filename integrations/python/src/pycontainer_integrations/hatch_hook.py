"""A Hatch build hook: build the project's container image after its wheel.

Enabled by a table in pyproject.toml (Hatch runs only the hooks a project
names), for the wheel target or for every target (it builds with the
wheel either way)::

    [tool.hatch.build.targets.wheel.hooks.pycontainer]
    tags = ["registry.example.com/app:1.0"]
    args = ["--push"]

``tags`` and ``args`` are optional; the image is built from the project's
directory with pycontainer's own detection and configuration
([tool.pycontainer], pycontainer.toml). Loaded by hatchling through the
``hatch`` entry point; this module is the only one that imports hatchling.
"""

from hatchling.builders.hooks.plugin.interface import BuildHookInterface
from hatchling.plugin import hookimpl

from .command import run_cli
from .errors import IntegrationError


class PycontainerBuildHook(BuildHookInterface):
    PLUGIN_NAME = "pycontainer"

    def finalize(self, version, build_data, artifact_path):
        # One image per release, with its wheel (a hook table for every
        # target would build it again with the sdist); and an editable
        # install is a development setup, not a release.
        if self.target_name != "wheel" or version == "editable":
            return
        args = ["build", "--context", self.root]
        for tag in self._strings("tags"):
            args += ["--tag", tag]
        args += self._strings("args")
        self.app.display_info(f"pycontainer: building the image ({' '.join(args[3:]) or 'detected settings'})")
        code = run_cli(args, cwd=self.root)
        if code != 0:
            # The build of the wheel fails with the image's: a release
            # without its image is what the hook is there to prevent.
            raise IntegrationError("cli-failed", f"pycontainer build exited with status {code}")

    def _strings(self, key):
        value = self.config.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise IntegrationError(
                "bad-option",
                f"the pycontainer build hook's {key!r} must be a list of strings",
                f"pycontainer.{key}",
            )
        return value


@hookimpl
def hatch_register_build_hook():
    return PycontainerBuildHook
