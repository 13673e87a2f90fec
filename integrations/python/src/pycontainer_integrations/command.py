"""Starting the ``pycontainer`` CLI: which command line, and running it
with its output streamed and its exit status kept."""

import os
import shlex
import signal
import subprocess
import threading

from .errors import IntegrationError

# The npm package's bin, fetched by npx when it is not installed. Set
# PYCONTAINER_COMMAND to use another (a global install, a checkout's
# `node npm/bin/pycontainer.js`).
DEFAULT_COMMAND = "npx pycontainer"


def cli_command(environ=None):
    """The words that start the CLI, from PYCONTAINER_COMMAND (split like a shell)."""
    environ = os.environ if environ is None else environ
    words = shlex.split(environ.get("PYCONTAINER_COMMAND") or DEFAULT_COMMAND)
    if not words:
        raise IntegrationError("bad-command", "PYCONTAINER_COMMAND is blank")
    return words


def run_cli(args, cwd=None, environ=None):
    """Runs ``pycontainer ARGS`` with this process's stdin, stdout and
    stderr (so its output streams as it comes) and returns its exit status
    (128 + N when a signal N ended it, as a shell reports it).

    Ctrl+C reaches the CLI through the terminal's process group; it stops
    what it runs and exits, so this waits for that instead of abandoning it.
    A SIGTERM sent to this process alone is passed on for the same reason.
    """
    argv = [*cli_command(environ), *args]
    try:
        child = subprocess.Popen(argv, cwd=cwd, env=environ)
    except FileNotFoundError:
        raise IntegrationError(
            "cli-not-found",
            f"cannot start {argv[0]!r}: install Node.js 20 or newer (for npx), "
            "or set PYCONTAINER_COMMAND to the pycontainer command to use",
        ) from None
    # Only the main thread may set a signal handler.
    forward = threading.current_thread() is threading.main_thread()
    if forward:
        previous = signal.signal(signal.SIGTERM, lambda signum, _frame: child.send_signal(signum))
    try:
        while True:
            try:
                code = child.wait()
                return code if code >= 0 else 128 - code
            except KeyboardInterrupt:
                continue
    finally:
        if forward:
            signal.signal(signal.SIGTERM, previous)
