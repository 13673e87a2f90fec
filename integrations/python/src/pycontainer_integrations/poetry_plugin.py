"""A Poetry application plugin: ``poetry container build|run|deploy|dockerfile``.

Each command is the pycontainer command of the same name on the Poetry
project's directory (which pycontainer reads as it stands: pyproject.toml,
poetry.lock), so every pycontainer option works, after ``--``::

    poetry container build -t registry.example.com/app:1.0 -- --push
    poetry container run -- --publish 8000:8000

Loaded by Poetry through the ``poetry.application.plugin`` entry point;
this module is the only one that imports Poetry.
"""

from cleo.helpers import argument, option
from poetry.console.commands.command import Command
from poetry.plugins.application_plugin import ApplicationPlugin

from .command import run_cli

# The pycontainer commands Poetry gets, with what each says in `poetry list`.
COMMANDS = {
    "build": "Build the project's container image with pycontainer (no Dockerfile, no daemon).",
    "run": "Build the project's image and run it on the local podman or Docker.",
    "deploy": "Build and push the project's image and print (or apply) its Kubernetes manifests.",
    "dockerfile": "Write a Dockerfile equivalent to pycontainer's build.",
}


class _ContainerCommand(Command):
    """``pycontainer SUBCOMMAND --context PROJECT [-t TAG]... ARGS...``."""

    subcommand = ""
    arguments = [
        argument("args", "More pycontainer options, after --", optional=True, multiple=True),
    ]
    options = [
        option("tag", "t", "Image name and tag (REGISTRY/NAME:TAG); repeat for more", flag=False, multiple=True),
    ]

    def handle(self):
        context = self.poetry.pyproject_path.parent
        args = [self.subcommand, "--context", str(context)]
        for tag in self.option("tag"):
            args += ["--tag", tag]
        return run_cli([*args, *self.argument("args")])


def _command_class(subcommand, description):
    return type(
        f"Container{subcommand.capitalize()}Command",
        (_ContainerCommand,),
        {"name": f"container {subcommand}", "description": description, "subcommand": subcommand},
    )


class ContainerPlugin(ApplicationPlugin):
    """Registers one ``container …`` command per pycontainer command."""

    @property
    def commands(self):
        return [_command_class(sub, description) for sub, description in COMMANDS.items()]
