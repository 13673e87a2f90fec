"""Each seed option as the pycontainer arguments it becomes (the table of
docs/buildr.md), and the options we refuse, with their codes."""

import tomllib

import pytest

from pycontainer_integrations.errors import IntegrationError
from pycontainer_integrations.options import invocation


def argv(package=None, runtime=None, container_args=()):
    return invocation(package, runtime).argv(container_args)


def refused(code, package=None, runtime=None):
    with pytest.raises(IntegrationError) as info:
        invocation(package, runtime)
    assert info.value.code == code, str(info.value)
    return info.value


def test_nothing_given_runs_what_pycontainer_detects():
    assert argv() == ["run"]


def test_repository_and_name_make_the_tag_and_publish_pushes():
    assert argv({"repository": "registry.example.com/team/", "name": "app", "publish": True}) == [
        "run",
        "--tag",
        "registry.example.com/team/app",
        "--push",
    ]
    assert argv({"name": "app"}) == ["run", "--tag", "app"]


def test_repository_without_name_and_publish_without_repository_are_refused():
    assert refused("bad-option", {"repository": "r.example.com"}).option == "package.name"
    assert refused("bad-option", {"name": "app", "publish": True}).option == "package.publish"


def test_py_version():
    assert argv({"py_version": "3.12"}) == ["run", "--python", "3.12"]
    # The seed's default: any Python 3, which is pycontainer's choice anyway.
    assert argv({"py_version": 3}) == ["run"]
    assert refused("bad-option", {"py_version": 2}).option == "package.py_version"
    assert refused("bad-option", {"py_version": "3.x"}).option == "package.py_version"


def test_builder_docker_is_ignored_with_a_warning_and_others_refused():
    with pytest.warns(UserWarning, match="no Docker daemon"):
        assert argv({"builder": "docker"}) == ["run"]
    assert argv({"builder": "pycontainer"}) == ["run"]
    assert refused("builder-unsupported", {"builder": "kaniko"}).option == "package.builder"


def test_dockerfile_is_refused_and_names_the_way_out():
    err = refused("dockerfile-unsupported", {"dockerfile": "Dockerfile"})
    assert "pycontainer dockerfile" in str(err)


def test_unknown_options_are_refused_by_name():
    assert refused("unknown-option", {"nmae": "app"}).option == "package.nmae"
    assert refused("unknown-option", runtime={"replica": 2}).option == "runtime.replica"


def test_local_executors_pick_the_engine_and_publish_each_port_on_itself():
    assert argv(runtime={"executor": "docker", "ports": [8080, "9090"]}) == [
        "run",
        "--engine",
        "docker",
        "--publish",
        "8080:8080",
        "--publish",
        "9090:9090",
    ]
    assert argv(runtime={"executor": "podman", "ports": 80}) == ["run", "--engine", "podman", "--publish", "80:80"]
    assert refused("bad-option", runtime={"ports": ["http"]}).option == "runtime.ports"
    assert refused("executor-unsupported", runtime={"executor": "nomad"}).option == "runtime.executor"


def test_container_arguments_follow_a_double_dash_for_run():
    assert argv(container_args=["--name", "x"]) == ["run", "--", "--name", "x"]


def test_local_replicas_warn_and_shards_or_jobs_need_kubernetes():
    with pytest.warns(UserWarning, match="one container"):
        assert argv(runtime={"replicas": 3}) == ["run"]
    assert refused("needs-kubernetes", runtime={"shardSpec": {"shards": 2}}).option == "runtime.shardSpec"
    assert refused("needs-kubernetes", runtime={"jobSpec": {"iterations": 2}}).option == "runtime.jobSpec"


def test_kubernetes_deploys_with_every_runtime_shape():
    package = {"repository": "r.example.com/team", "name": "app"}
    runtime = {
        "executor": "kubernetes",
        "replicas": 3,
        "ports": [8080],
        "public": True,
        "shardSpec": {"shards": 4},
        "jobSpec": {"iterations": 10, "parallelism": 2},
    }
    assert argv(package, runtime, container_args=["--users", "a b"]) == [
        "deploy",
        "--tag",
        "r.example.com/team/app",
        "--port",
        "8080",
        # The script's arguments are the image's cmd: each pod gets them.
        "--cmd",
        "--users 'a b'",
        "--replicas",
        "3",
        "--public",
        "--shards",
        "4",
        "--job-iterations",
        "10",
        "--job-parallelism",
        "2",
    ]
    # The seed's own orchestrator's name means the same.
    assert invocation(package, {"executor": "metaparticle"}).command == "deploy"


def test_counts_must_be_positive_integers():
    for runtime in (
        {"executor": "kubernetes", "replicas": 0},
        {"executor": "kubernetes", "replicas": True},
        {"executor": "kubernetes", "jobSpec": {"iterations": "3"}},
        {"executor": "kubernetes", "shardSpec": {}},
    ):
        refused("bad-option", runtime=runtime)


def test_url_shard_pattern_goes_to_the_config_file_with_the_toml_to_write():
    err = refused(
        "shard-pattern-in-config",
        runtime={"executor": "kubernetes", "shardSpec": {"shards": 3, "urlShardPattern": r"^/users/(\d+)"}},
    )
    assert r"shard-spec = { shards = 3, url-shard-pattern = '^/users/(\d+)' }" in str(err)


def test_the_toml_line_given_for_a_url_shard_pattern_reads_back_as_the_pattern():
    for pattern in (r"^/users/(\d+)", "^/it's/\"(\\w+)\"$"):
        err = refused(
            "shard-pattern-in-config",
            runtime={"executor": "kubernetes", "shardSpec": {"shards": 2, "urlShardPattern": pattern}},
        )
        line = str(err).split(" as ", 1)[1]
        table = tomllib.loads(line.replace("[runtime] ", "[runtime]\n"))
        assert table["runtime"]["shard-spec"] == {"shards": 2, "url-shard-pattern": pattern}

