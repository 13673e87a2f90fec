"""The seed's ``package`` and ``runtime`` options as ``pycontainer`` arguments.

Pure: no I/O, so every mapping is checked by unit tests, and the decorator
only adds where it runs (the context, the script, its arguments). The table
in docs/buildr.md is this module in prose; keep them together.
"""

import shlex
import warnings
from dataclasses import dataclass, field

from .errors import IntegrationError

PACKAGE_KEYS = ("repository", "name", "builder", "publish", "py_version", "dockerfile")
RUNTIME_KEYS = ("executor", "replicas", "ports", "public", "shardSpec", "jobSpec")

# Executors that run one container on this machine, and the engine each asks for.
LOCAL_EXECUTORS = {None: None, "docker": "docker", "podman": "podman"}
# Executors that deploy: the seed's "metaparticle" was its own orchestrator;
# we hand the same shapes to Kubernetes.
DEPLOY_EXECUTORS = ("kubernetes", "metaparticle")


@dataclass
class Invocation:
    """``pycontainer COMMAND BUILD_ARGS COMMAND_ARGS``: the build options
    (shared by every command) kept apart from the command's own, so a caller
    can reuse the build half with ``pycontainer build``."""

    command: str
    build_args: list = field(default_factory=list)
    command_args: list = field(default_factory=list)

    def argv(self, container_args=()):
        """The CLI's arguments. ``container_args`` (the script's own) go
        after ``--`` for ``run``; for ``deploy`` they become the image's
        cmd, so that every pod runs the script with them."""
        if not container_args:
            return [self.command, *self.build_args, *self.command_args]
        if self.command == "run":
            return [self.command, *self.build_args, *self.command_args, "--", *container_args]
        return [self.command, *self.build_args, "--cmd", shlex.join(container_args), *self.command_args]


def _check_keys(given, known, group):
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise IntegrationError(
            "unknown-option",
            f"unknown {group} option(s) {', '.join(unknown)}; the seed's are {', '.join(known)}",
            option=f"{group}.{unknown[0]}",
        )


def _positive_int(value, option):
    # bool is an int in Python; True replicas is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise IntegrationError("bad-option", f"{option} must be a positive integer, not {value!r}", option)
    return str(value)


def package_args(package):
    """Build options for the seed's PackageOptions."""
    _check_keys(package, PACKAGE_KEYS, "package")
    args = []
    if package.get("dockerfile") is not None:
        # Building from the user's Dockerfile is what we replace; quietly
        # ignoring it would build something else than they asked for.
        raise IntegrationError(
            "dockerfile-unsupported",
            "package.dockerfile: pycontainer builds without a Dockerfile, from the project itself; "
            "drop the option (or build that Dockerfile with your own tools), and use "
            "`pycontainer dockerfile` to get a Dockerfile equivalent to pycontainer's build",
            "package.dockerfile",
        )
    builder = package.get("builder")
    if builder == "docker":
        # The seed's default, so ported code says it everywhere: a warning.
        warnings.warn(
            "package.builder 'docker' ignored: pycontainer builds the image itself, with no Docker daemon",
            stacklevel=4,
        )
    elif builder not in (None, "pycontainer"):
        raise IntegrationError(
            "builder-unsupported",
            f"package.builder {builder!r}: the only builder is pycontainer ('docker' is accepted and ignored)",
            "package.builder",
        )
    repository, name = package.get("repository"), package.get("name")
    if repository and not name:
        raise IntegrationError(
            "bad-option", "package.repository needs package.name: the image is REPOSITORY/NAME", "package.name"
        )
    if name:
        args += ["--tag", f"{repository.rstrip('/')}/{name}" if repository else name]
    if package.get("publish"):
        if not repository:
            raise IntegrationError(
                "bad-option",
                "package.publish needs package.repository: the registry to push to (REGISTRY/NAMESPACE)",
                "package.publish",
            )
        args.append("--push")
    py_version = package.get("py_version")
    if py_version is not None:
        args += _python_args(py_version)
    return args


def _python_args(py_version):
    """The seed took 3 or '3.6'. A bare major 3 is what pycontainer picks
    anyway (the newest 3.x the project allows), so it adds nothing."""
    text = str(py_version).strip()
    major, _, minor = text.partition(".")
    if major != "3" or (minor and not minor.isdigit()):
        raise IntegrationError(
            "bad-option",
            f"package.py_version {py_version!r}: only Python 3 (3 or 3.X) images are built",
            "package.py_version",
        )
    return ["--python", text] if minor else []


def runtime_invocation(runtime, package_build_args):
    """The command (``run`` or ``deploy``) and its arguments for the seed's RuntimeOptions."""
    _check_keys(runtime, RUNTIME_KEYS, "runtime")
    executor = runtime.get("executor")
    if executor in DEPLOY_EXECUTORS:
        return _deploy(runtime, package_build_args)
    if executor not in LOCAL_EXECUTORS:
        raise IntegrationError(
            "executor-unsupported",
            f"runtime.executor {executor!r}: use 'docker' or 'podman' (run here) or 'kubernetes' (deploy)",
            "runtime.executor",
        )
    for key in ("shardSpec", "jobSpec"):
        if runtime.get(key) is not None:
            raise IntegrationError(
                "needs-kubernetes",
                f"runtime.{key} needs executor 'kubernetes': a local run starts one container",
                f"runtime.{key}",
            )
    replicas = runtime.get("replicas")
    if replicas is not None and replicas != 1:
        _positive_int(replicas, "runtime.replicas")
        warnings.warn(
            f"runtime.replicas {replicas} ignored: a local run starts one container; "
            "executor 'kubernetes' deploys replicas",
            stacklevel=4,
        )
    command_args = []
    engine = LOCAL_EXECUTORS[executor]
    if engine:
        command_args += ["--engine", engine]
    # `run`'s --publish is docker's -p: each port on the same host port.
    for port in _ports(runtime):
        command_args += ["--publish", f"{port}:{port}"]
    return Invocation("run", package_build_args, command_args)


def _ports(runtime):
    ports = runtime.get("ports") or []
    if isinstance(ports, (int, str)):
        ports = [ports]
    out = []
    for port in ports:
        text = str(port)
        if not text.isdigit() or not 0 < int(text) < 65536:
            raise IntegrationError("bad-option", f"runtime.ports: {port!r} is not a port number", "runtime.ports")
        out.append(text)
    return out


def _deploy(runtime, package_build_args):
    # The image's ports are what the manifests' Service and probes use, so
    # they are build options (EXPOSE) here.
    build_args = [*package_build_args]
    for port in _ports(runtime):
        build_args += ["--port", port]
    args = []
    if runtime.get("replicas") is not None:
        args += ["--replicas", _positive_int(runtime["replicas"], "runtime.replicas")]
    if runtime.get("public"):
        args.append("--public")
    shard = runtime.get("shardSpec")
    if shard is not None:
        _check_keys(shard, ("shards", "urlShardPattern"), "runtime.shardSpec")
        args += ["--shards", _positive_int(shard.get("shards"), "runtime.shardSpec.shards")]
        if shard.get("urlShardPattern") is not None:
            # The CLI takes it from pycontainer.toml only: a regex on a
            # command line is a quoting trap, and it belongs with the code.
            raise IntegrationError(
                "shard-pattern-in-config",
                "runtime.shardSpec.urlShardPattern: set it in pycontainer.toml instead, as "
                f"[runtime] shard-spec = {{ shards = {shard.get('shards')}, url-shard-pattern = "
                f"{_toml_string(shard['urlShardPattern'])} }}",
                "runtime.shardSpec.urlShardPattern",
            )
    job = runtime.get("jobSpec")
    if job is not None:
        _check_keys(job, ("iterations", "parallelism"), "runtime.jobSpec")
        args += ["--job-iterations", _positive_int(job.get("iterations"), "runtime.jobSpec.iterations")]
        if job.get("parallelism") is not None:
            args += ["--job-parallelism", _positive_int(job["parallelism"], "runtime.jobSpec.parallelism")]
    return Invocation("deploy", build_args, args)


def _toml_string(text):
    """A TOML literal string when it can be one (regexes are full of backslashes)."""
    if "'" not in text and "\n" not in text:
        return f"'{text}'"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def invocation(package=None, runtime=None):
    """The ``pycontainer`` invocation the seed's options ask for."""
    return runtime_invocation(runtime or {}, package_args(package or {}))
