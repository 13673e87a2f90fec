"""in_container() against made-up systems: each check on its own, and the
order in which they win."""

from pycontainer_integrations.detect import in_container

HOST_MOUNTINFO = "27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
OVERLAY_MOUNTINFO = "512 480 0:52 / / rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w\n"


def make_root(tmp_path, cgroup="0::/init.scope\n", mountinfo=HOST_MOUNTINFO, markers=()):
    (tmp_path / "proc/self").mkdir(parents=True)
    (tmp_path / "proc/self/cgroup").write_text(cgroup)
    (tmp_path / "proc/self/mountinfo").write_text(mountinfo)
    for marker in markers:
        (tmp_path / marker).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / marker).touch()
    return str(tmp_path)


def test_a_plain_host_is_not_a_container(tmp_path):
    assert not in_container({}, make_root(tmp_path))


def test_cgroup_v1_paths_name_the_engine(tmp_path):
    cgroup = "12:memory:/docker/0123abcd\n11:cpu:/docker/0123abcd\n1:name=systemd:/docker/0123abcd\n"
    assert in_container({}, make_root(tmp_path, cgroup=cgroup))


def test_cgroup_v1_kubernetes_pod(tmp_path):
    cgroup = "4:pids:/kubepods/besteffort/pod1234/abcd\n"
    assert in_container({}, make_root(tmp_path, cgroup=cgroup))


def test_cgroup_v2_with_the_hosts_namespace_names_the_scope(tmp_path):
    cgroup = "0::/system.slice/docker-0123abcd.scope\n"
    assert in_container({}, make_root(tmp_path, cgroup=cgroup))


def test_cgroup_v2_private_namespace_is_found_by_the_overlay_root(tmp_path):
    # What the seed's check saw as "not a container": the path is just "/".
    assert in_container({}, make_root(tmp_path, cgroup="0::/\n", mountinfo=OVERLAY_MOUNTINFO))


def test_cgroup_v2_root_on_a_host_filesystem_is_not_a_container(tmp_path):
    assert not in_container({}, make_root(tmp_path, cgroup="0::/\n"))


def test_engine_marker_files(tmp_path):
    assert in_container({}, make_root(tmp_path / "docker", markers=[".dockerenv"]))
    assert in_container({}, make_root(tmp_path / "podman", markers=["run/.containerenv"]))


def test_kubernetes_service_variables(tmp_path):
    assert in_container({"KUBERNETES_SERVICE_HOST": "10.0.0.1"}, make_root(tmp_path))


def test_our_variable_and_the_seeds(tmp_path):
    root = make_root(tmp_path)
    for env in ({"PYCONTAINER_IN_CONTAINER": "1"}, {"METAPARTICLE_IN_CONTAINER": "true"}, {"METAPARTICLE_IN_CONTAINER": "1"}):
        assert in_container(env, root), env


def test_an_explicit_no_beats_every_sign(tmp_path):
    # A devcontainer or CI job that starts containers itself.
    root = make_root(tmp_path, cgroup="0::/\n", mountinfo=OVERLAY_MOUNTINFO, markers=[".dockerenv"])
    env = {"PYCONTAINER_IN_CONTAINER": "0", "KUBERNETES_SERVICE_HOST": "10.0.0.1"}
    assert not in_container(env, root)
    assert not in_container({"METAPARTICLE_IN_CONTAINER": "false"}, root)


def test_ours_is_read_before_the_seeds(tmp_path):
    root = make_root(tmp_path)
    assert not in_container({"PYCONTAINER_IN_CONTAINER": "0", "METAPARTICLE_IN_CONTAINER": "true"}, root)
    assert in_container({"PYCONTAINER_IN_CONTAINER": "1", "METAPARTICLE_IN_CONTAINER": "false"}, root)


def test_unreadable_proc_is_not_a_container(tmp_path):
    assert not in_container({}, str(tmp_path))
