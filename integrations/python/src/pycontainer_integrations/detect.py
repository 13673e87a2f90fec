"""Whether this process runs inside a container.

The seed looked only for ``docker`` or ``kubepods`` in ``/proc/1/cgroup``,
which says nothing on cgroup v2: there a container with its own cgroup
namespace (Docker's and podman's default) sees just ``0::/``. So the
checks go from the most explicit to the least, and an explicit "no" wins,
because a developer's own machine may itself be a container (a devcontainer,
a CI job) from which the decorator must still start one.
"""

import os
import re

# Truthy and falsy spellings of the two override variables.
_YES = {"1", "true", "yes"}
_NO = {"0", "false", "no"}

# Variables that say so outright: ours, then the seed's.
OVERRIDES = ("PYCONTAINER_IN_CONTAINER", "METAPARTICLE_IN_CONTAINER")

# Files engines create in every container: Docker's, and podman's/CRI-O's.
MARKER_FILES = (".dockerenv", "run/.containerenv")

# Words a container's cgroup path carries when the cgroup namespace is
# shared with the host (cgroup v1, or v2 with --cgroupns=host).
_CGROUP_WORDS = re.compile(r"docker|kubepods|libpod|containerd|crio|lxc|actions_job")

# Filesystems a container's root is mounted from, and a host's almost never.
_CONTAINER_ROOT_FS = {"overlay", "fuse-overlayfs", "aufs"}


def in_container(environ=None, root="/"):
    """True inside a container. ``environ`` and ``root`` (where ``/proc`` and
    the marker files are looked for) are parameters so that the checks can
    be run against a made-up system."""
    environ = os.environ if environ is None else environ
    for name in OVERRIDES:
        value = environ.get(name, "").strip().lower()
        if value in _YES:
            return True
        if value in _NO:
            return False
    if any(os.path.exists(os.path.join(root, marker)) for marker in MARKER_FILES):
        return True
    # Every pod's containers get the service variables of their namespace.
    if environ.get("KUBERNETES_SERVICE_HOST"):
        return True
    return _cgroup_says_container(root) or _root_fs_says_container(root)


def _read(root, relative):
    try:
        with open(os.path.join(root, relative), encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def _cgroup_says_container(root):
    """cgroup v1 lines are ``ID:controllers:/path``, v2's one line is
    ``0::/path``; either names the engine when the namespace is the host's."""
    for line in _read(root, "proc/self/cgroup").splitlines():
        path = line.split(":", 2)[-1]
        if _CGROUP_WORDS.search(path):
            return True
    return False


def _root_fs_says_container(root):
    """cgroup v2 with a private namespace hides the path, so look at what
    ``/`` is mounted from (``/proc/self/mountinfo``: the mount point is the
    fifth field, the filesystem type the first after ``-``)."""
    for line in _read(root, "proc/self/mountinfo").splitlines():
        fields = line.split()
        if len(fields) < 5 or fields[4] != "/" or "-" not in fields:
            continue
        fs_type = fields[fields.index("-") + 1]
        if fs_type in _CONTAINER_ROOT_FS:
            return True
    return False
