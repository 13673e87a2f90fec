"""``@containerize``: the seed's decorator, on top of the pycontainer CLI.

Outside a container, calling the decorated function builds an image of the
project in the current directory (as the seed's ``COPY ./ /app/``) whose
entry point is this same script, then runs it (``pycontainer run``) or
deploys it (``pycontainer deploy``), and exits with the CLI's status: the
function is the program, and its body only ever runs in the container.
Inside a container the function just runs.
"""

import dataclasses
import functools
import os
import shlex
import sys

from .command import run_cli
from .detect import in_container
from .errors import IntegrationError
from .options import invocation


def containerize(package=None, runtime=None):
    """Decorator taking the seed's option names (see docs/buildr.md).

    Inside a container the function is left as it is (its options were
    checked outside, before its image was built, and warning again in the
    container's log would be noise). Outside, the options are checked
    here, when the module is imported, so a bad one fails at once rather
    than when the function is first called.
    """
    if in_container():
        return lambda func: func
    planned = invocation(package, runtime)

    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            context = os.getcwd()
            build = [*planned.build_args, *script_args(sys.argv[0], context)]
            argv = dataclasses.replace(planned, build_args=build).argv(sys.argv[1:])
            raise SystemExit(run_cli(argv, cwd=context))

        return wrapper

    return decorate


def script_args(script, context):
    """Build options that make the image run ``script`` (relative to the
    context, which becomes the image's working directory) and tell it
    that it is in a container, whatever the detection would say."""
    relative = os.path.relpath(os.path.abspath(script), context)
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        raise IntegrationError(
            "script-outside-context",
            f"{script} is outside the current directory {context}, which is what goes into the image: "
            "run it from its project's directory",
        )
    # POSIX separators: the path is used inside a Linux image.
    entrypoint = shlex.join(["python3", relative.replace(os.sep, "/")])
    return ["--context", context, "--entrypoint", entrypoint, "--env", "PYCONTAINER_IN_CONTAINER=1"]
