'use strict';

// The --help texts. Plain strings and package.json only: help must work
// before scripts/build-wasm.sh, so nothing here may load the core.

const pkg = require('../../package.json');

// Defaults the core applies when a setting is given nowhere, shown in --help:
// written from the Rust constants by src/contract.rs, which a test keeps in step.
const CORE_DEFAULTS = require('../defaults.json');

// Registry flags, shared by `build --push` and `push`.
const REGISTRY_HELP = `  --username NAME       the registry user; give the password with
                        --password-stdin [default: docker's config.json
                        (credHelpers, credsStore, auths) or
                        PYCONTAINER_REGISTRY_USERNAME/_PASSWORD]
  --password-stdin      read the password (or token) from standard input
  --insecure-registry HOST[:PORT]
                        allow plain http or an unverified certificate for
                        this registry; repeatable (localhost and 127.0.0.1
                        may always use plain http)
  --registry-mirror REGISTRY=HOST[:PORT]
                        pull base images of REGISTRY (e.g. docker.io) from
                        a mirror; repeatable [default:
                        PYCONTAINER_REGISTRY_MIRRORS, comma-separated]
  --cache-dir DIR       where pulled base layers are kept, by digest
                        [default: PYCONTAINER_CACHE_DIR, else
                        ~/.cache/pycontainer]
  --parallel N          blobs uploaded or downloaded at once [default: 4]
  --chunk-size SIZE     send blobs larger than SIZE (e.g. 8M) as PATCH chunks
                        of that size, for registries that limit request
                        bodies [default: each blob in one streamed request]
`;

const HELP_MAIN = `pycontainer ${pkg.version} - build OCI container images from Python projects

Usage:
  pycontainer build [options]             build an image into an OCI layout directory
                                          or a registry (--push)
  pycontainer dockerfile [options]        write the build as a Dockerfile, for docker build
  pycontainer push LAYOUT[:TAG] REF... [options]
                                          push an image from an OCI layout to registries
  pycontainer validate LAYOUT[:TAG] [options]
                                          check an OCI layout for problems
  pycontainer deploy -t REGISTRY/NAME:TAG [options]
                                          build and push, then print Kubernetes
                                          manifests for the image (--apply: kubectl)
  pycontainer run [options] [-- ARGS...]  build, then run the image on podman or docker
  pycontainer --help                      show this help
  pycontainer --version                   show the version

Run 'pycontainer <command> --help' for the options of a command.
Set PYCONTAINER_DEBUG=1 to see stack traces of unexpected errors.
`;

const HELP_BUILD = `Usage: pycontainer build [options]

Build a container image from a Python project and write it as an OCI image
layout (a directory) that podman, skopeo, buildah or crane can use directly.
No Docker daemon and no Python are needed.

Each setting comes from the first of: a flag, a PYCONTAINER_* environment
variable (e.g. PYCONTAINER_BASE_IMAGE), pycontainer.toml, [tool.pycontainer]
in pyproject.toml, or what pycontainer infers from the project. A flag left
out overrides nothing. Relative paths in flags are taken from the current
directory; --include and --exclude patterns from the context.

Project:
  --context DIR         the Python project directory (with pyproject.toml)
                        [default: . (the current directory)]
  --config FILE         the pycontainer.toml to read
                        [default: pycontainer.toml in the context, if there]
  --script NAME         which [project.scripts] entry the image runs, when
                        there are several [default: inferred; see --dry-run]
  --include PATTERN     put back paths that the default excludes or
                        .dockerignore leave out; repeatable [default: none]
  --exclude PATTERN     leave out paths matching PATTERN (.dockerignore
                        syntax); repeatable [default: none beyond
                        .dockerignore and the default excludes]
  --writable PATH       a directory the app writes at run time (relative to
                        the workdir), owned by the user the image runs as;
                        repeatable [default: those the framework's settings
                        name, see --dry-run]

Image:
  --base-image REF      the image to build on: a registry reference such as
                        python:3.12-slim or ghcr.io/org/base:1, oci:PATH[:TAG]
                        for a local OCI layout, or 'scratch' for none
                        [default: inferred; --dry-run shows the rule]
  --python X.Y          the Python version the image runs
                        [default: inferred from .python-version, runtime.txt,
                        requires-python and the lock's wheels; --dry-run
                        shows the rule; with --base-image, the base's]
  --ignore-requires-python
                        build even when the project's requires-python
                        excludes the image's Python [default: fail]
  --platform OS/ARCH[/VARIANT][,...] | all
                        the target platform, e.g. linux/arm64/v8; picks the
                        matching image from a multi-platform base. Several,
                        comma-separated, build one image each (own base and
                        wheels, one shared app layer) into one OCI index;
                        'all' is every linux platform of the base's index
                        that CPython wheels are built for
                        [default: the base's platform; linux/amd64 for scratch]
  --workdir PATH        the working directory inside the image
                        [default: ${CORE_DEFAULTS.workdir}]
  -e, --env KEY=VALUE   an environment variable of the image; repeatable
                        [default: none beyond the base's]
  --env-file FILE       environment variables from FILE (KEY=VALUE lines)
  --label KEY=VALUE     a label in the image config; repeatable
  --annotation KEY=VALUE
                        an annotation on the image manifest; repeatable
  -p, --port N[/tcp]    a port the application listens on (exposed ports);
                        /udp is allowed too; repeatable [default: none]
  -u, --user USER[:GROUP]
                        the user the application runs as
                        [default: ${CORE_DEFAULTS.user}, a non-root user with
                        HOME=${CORE_DEFAULTS.home}, unless the base image sets a
                        user; --user root runs as root]
  --entrypoint CMD      the command the image runs, as a shell-style string,
                        'python3 -m app', or a JSON array,
                        '["python3", "-m", "app"]'
                        [default: inferred; --dry-run shows the rule]
  --cmd ARGS            default arguments after the entry point, in the same
                        two forms [default: none]

Dependencies:
  Wheels for the target platform, installed into a virtual environment at
  ${CORE_DEFAULTS.venv}, a layer of its own. The config keys include-deps,
  requirements, extras, groups, index-url, extra-index-urls, pre and compile set these
  too, as do PYCONTAINER_INCLUDE_DEPS and the like (lists comma-separated);
  --locked is a flag only.
  --include-deps        install the dependencies; fail if there are none
                        [default: installed when the project declares any:
                        pylock.toml, uv.lock, poetry.lock, requirements.txt,
                        then [project.dependencies], resolved and locked
                        into pylock.toml]
  --no-deps             install no dependencies, only the project's files
  --requirements FILE   the lock or requirements file to install from:
                        pylock.toml, uv.lock, poetry.lock or a requirements
                        .txt [default: the first found in the context]
  --extra NAME          an extra (optional-dependencies) of the project to
                        install; repeatable [default: none]
  --group NAME          a dependency group to install (PEP 735, a Poetry
                        group or a uv dev group); repeatable
                        [default: none; a pylock.toml's default-groups]
  --index-url URL       the package index's simple API; credentials may go
                        in the URL (https://user:token@host/simple)
                        [default: ${CORE_DEFAULTS.indexUrl}]
  --extra-index-url URL
                        another index; repeatable; each project comes from
                        the first index that has it [default: none]
  --pre                 allow pre-releases when resolving [default: only
                        where a requirement names one]
  --locked              fail when pycontainer's pylock.toml is missing or
                        stale instead of resolving again (for CI)
                        [default: use it while current, else resolve again
                        and rewrite it]
  --compile             ship the dependencies' bytecode for the base's
                        CPython; fail where this host cannot compile
                        [default: compiled where the host can: Node with
                        the optional pyodide-cp3XX packages, not a browser]
  --no-compile          ship no bytecode (faster builds, slower starts)

Output:
  -t, --tag NAME:TAG    a reference to record in the layout; repeat the flag
                        for several [default: derived from the project]
  -o, --output PATH     the OCI layout directory, or with an archive
                        --format the tar file, to write
                        [default: ${CORE_DEFAULTS.output}; none with --push;
                        ${CORE_DEFAULTS.archive} for an archive]
  --format FORMAT       oci: an OCI layout directory; oci-archive: the layout
                        in one tar (skopeo copy oci-archive:FILE:TAG);
                        docker-archive: docker save's tar, for docker load and
                        podman load (one platform) [default: oci]
  --digest-file FILE    also write the image's manifest digest to FILE
  --push                push the image to every --tag, which must then name
                        the registry (e.g. ghcr.io/org/app:1.0); writes no
                        layout unless --output or --format is given too
  --sbom spdx,cyclonedx SBOMs of what the image holds, beside the output:
                        OUT.spdx.json (SPDX 2.3), OUT.cdx.json (CycloneDX 1.6)
${REGISTRY_HELP}  --dry-run             work everything out and print the plan (base, entry
                        point and the rules that chose them, files, layers);
                        write nothing
  --json                print the result as JSON on stdout, and nothing else
                        there (with --dry-run too)
  -v, --verbose         also print the plan and each phase's time (plan,
                        pull, resolve, download, layer, write, push, ...) on
                        stderr before the result; with --dry-run, list every
                        excluded path and why
  -q, --quiet           print only the manifest digest (nothing for --dry-run)
                        and no progress (progress is also off when stderr is
                        not a terminal)
  --no-color            no colour in the output; setting NO_COLOR does the
                        same, and output that is not a terminal has none
  -h, --help            show this help

Examples:
  pycontainer build --context ./myapp --dry-run -v   # what would be built, and why
  pycontainer build --context ./myapp --base-image oci:./base:3.11-slim --tag myapp:1.0
  podman run --rm oci:${CORE_DEFAULTS.output}:1.0

In the layout the image is tagged by its TAG alone (the OCI ref.name); the
full name goes into the io.containerd.image.name annotation.
`;

const HELP_DOCKERFILE = `Usage: pycontainer dockerfile [options]

Write the image 'pycontainer build' would make as a Dockerfile, for teams
that build with docker build, podman build or buildah: the same base by
digest, the same wheels by URL and sha256 (pip --require-hashes, nothing
resolved again), the same files, owners, environment, user, ports, labels
and entry point. Beside it goes FILE.dockerignore, listing the files the
build ships: BuildKit reads it in place of the context's .dockerignore;
give it to podman and buildah with --ignorefile. The base's digest is read
and the dependencies resolved, as for a build; no image is built.

A file at either path that pycontainer did not write (its first line is
not '# Generated by pycontainer') is never replaced: the command fails
with the code dockerfile-exists, and --file puts pycontainer's elsewhere.
Run it again after a change to the project: it replaces its own files.

Options:
  -f, --file FILE       where the Dockerfile goes, relative to the current
                        directory [default: Dockerfile in the context]
  --json                print the result (paths, texts, plan) as JSON
  -v, --verbose         also print the plan on stderr
  --no-color            no colour in the output (as does setting NO_COLOR)
  -h, --help            show this help

Every option of 'pycontainer build' that decides the image applies too
(--context, --base-image, --python, --env, --requirements, --index-url,
the registry options, ...; see 'pycontainer build --help'). Those about
where an image goes (--output, --format, --dry-run, --push, --sbom,
--digest-file) do not.

Examples:
  pycontainer dockerfile --context ./myapp
  cd myapp && docker build -t myapp:1.0 .
  pycontainer dockerfile -f docker/app.Dockerfile
  podman build -f docker/app.Dockerfile --ignorefile docker/app.Dockerfile.dockerignore .
`;

const HELP_PUSH = `Usage: pycontainer push LAYOUT[:TAG] REF... [options]

Push an image, or an image index, from an OCI layout to one or more registry
references (REGISTRY/REPOSITORY[:TAG]). Blobs the registry already has are
skipped, blobs in another repository of the same registry are mounted, and
the manifest goes last, so a tag never points at missing blobs.

LAYOUT is the layout directory. ':TAG' picks one reference in it; it may be
left out when the layout holds a single image.

Options:
${REGISTRY_HELP}  --json                print the result as JSON on stdout
  -q, --quiet           print only the pushed digest, no progress
  --no-color            no colour in the output (as does setting NO_COLOR)
  -h, --help            show this help

Examples:
  pycontainer push pycontainer-out:1.0 ghcr.io/org/app:1.0 ghcr.io/org/app:latest
  echo "$TOKEN" | pycontainer push ./out registry.example.com/app:1 --username ci --password-stdin
`;

const HELP_VALIDATE = `Usage: pycontainer validate LAYOUT[:TAG] [options]

Check an OCI image layout: the index, the manifest, the config, every blob's
digest and size, and temp files a killed build left. Exits with status 1
when a problem is found.

LAYOUT is the layout directory. ':TAG' picks one reference in it; it is split
off at the last ':' when what follows has no '/'.

Options:
  --json                print the report as JSON on stdout
  --no-color            no colour in the output (as does setting NO_COLOR)
  -h, --help            show this help
`;

const HELP_DEPLOY = `Usage: pycontainer deploy -t REGISTRY/NAME:TAG [options]

Build the image and push it (deploy always pushes: a cluster pulls from a
registry), then print Kubernetes manifests that run it by the digest the
registry confirmed: a Deployment and a Service for its ports, a Job, or a
StatefulSet of shards. The pods run as the image's user (non-root unless
the image says otherwise), with resource requests, and TCP probes on the web
server's port when a framework was detected. Nothing is applied unless
--apply is given.

Each runtime setting comes from the first of: a flag, or [runtime] in
pycontainer.toml (executor, replicas, ports, public, shard-spec, job-spec,
cpu, memory; see docs/deploy.md).

Options:
  every option of 'pycontainer build' (see 'pycontainer build --help') but
  --dry-run, --push and --digest-file, and:
  --replicas N          a Deployment of N pods [default: [runtime] replicas, else 1]
  --public              a Service of type LoadBalancer rather than ClusterIP
  --shards N            a StatefulSet of N shards, each told SHARD_INDEX and
                        SHARD_COUNT in its environment
  --job-iterations N    a Job run to N completions
  --job-parallelism N   of which N at once [default: 1]
  --cpu QUANTITY        the CPU each pod requests [default: ${CORE_DEFAULTS.cpu}]
  --memory QUANTITY     the memory each pod requests, and its limit
                        [default: ${CORE_DEFAULTS.memory}]
  --apply               pipe the manifests to 'kubectl apply -f -' (kubectl must
                        be on PATH) instead of printing them
  --json                print the result (build, image, manifests, yaml) as JSON
  -q, --quiet           print only the manifests, no progress
  -h, --help            show this help

Examples:
  pycontainer deploy -t ghcr.io/org/app:1.0 --replicas 3 --public > app.yaml
  pycontainer deploy -t localhost:5000/worker:1 --job-iterations 10 --job-parallelism 2 --apply
`;

const HELP_RUN = `Usage: pycontainer run [build options] [-p HOST:CONTAINER]... [options] [-- ARGS...]

Build the image as 'pycontainer build' does, load it into a local container
engine (podman or docker) and run it. The container's output streams here;
Ctrl+C (SIGINT) or SIGTERM stops the container (SIGTERM, then SIGKILL after
10 s), removes it, and pycontainer exits with the container's exit status.
The image is loaded only when the engine does not have its ID already.

Inside a container (PYCONTAINER_IN_CONTAINER=1, METAPARTICLE_IN_CONTAINER=true,
a Kubernetes pod, /.dockerenv, /run/.containerenv, or a container's cgroup,
environment or overlay root) it prints why and runs nothing (exit 0); set
PYCONTAINER_IN_CONTAINER=0 to run anyway.

Build options: every option of 'pycontainer build' (see its --help) except
--output, --format, --dry-run, --digest-file, --sbom and --json; the image
goes into the engine (and with --push to each --tag's registry too, as the
seed's publish option does). Build's -p is --port here, and -e and --env-file
set the container's environment, not the image's.

Run options:
  -p, --publish [IP:]HOST:CONTAINER[/tcp|/udp]
                        publish a container port on the host; repeatable
                        [default: none; the ports the image listens on are
                        printed]
  -e, --env NAME=VALUE  a variable of the container (not stored in the
                        image; the value never appears on the engine's
                        command line); NAME alone passes ours on; repeatable
  --env-file FILE       the container's variables from FILE (NAME=VALUE
                        lines, read by the engine); repeatable
  --engine podman|docker
                        the engine to run on [default: PYCONTAINER_ENGINE,
                        else podman if usable, else docker if its daemon
                        answers]
  --name NAME           the container's name [default: the image's name and
                        6 random hex digits]
  -d, --detach          start the container in the background, print its ID
                        and return
  --rm                  remove the container when it exits (Ctrl+C always
                        removes it)
  -- ARGS...            arguments for the container, after the image's
                        entry point (they replace its default cmd)
  -h, --help            show this help

Examples:
  pycontainer run --context ./myapi -p 8000:8000
  pycontainer run --context ./mycli --rm -- --name Alice
  pycontainer run --engine docker -d -p 127.0.0.1:8080:8000 -e API_TOKEN
`;

module.exports = {
  HELP_BUILD,
  HELP_DEPLOY,
  HELP_DOCKERFILE,
  HELP_MAIN,
  HELP_PUSH,
  HELP_RUN,
  HELP_VALIDATE,
};
