// The types of what the pycontainer core returns, generated from its Rust types
// by src/contract.rs (`PYCONTAINER_WRITE_CONTRACT=1 cargo test -p pycontainer contract`).
// Do not edit: a test fails when this file and the Rust types disagree.

/**
 * What a build made (or, in a dry run, would make), for people and `--json`.
 */

export type BuildResult = { 
/**
 * True when nothing was written: the plan alone.
 */
dryRun: boolean, 
/**
 * Every decision with the rule behind it, and the config and layers
 * they make: what the build follows.
 */
plan: PlanView, 
/**
 * The image's identity (an index's, for several platforms): pull or
 * run it by this digest. Absent in a dry run.
 */
manifestDigest?: Digest, 
/**
 * Absent in a dry run and for an index (each platform's is in `platforms`).
 */
configDigest?: Digest, 
/**
 * Every layer of the image, the base's first; empty in a dry run and
 * for an index.
 */
layers: Array<Layer>, 
/**
 * Config, manifest and every layer, compressed (an index: it and every
 * platform's image, the shared layers counted in each); 0 in a dry run.
 */
size: number, 
/**
 * The layout or archive written (to be written, in a dry run); absent
 * when the image only goes to registries.
 */
output?: string, 
/**
 * What `output` is: `oci` (a layout directory), `oci-archive` or
 * `docker-archive` (a tar file); absent when `output` is.
 */
format?: "oci" | "oci-archive" | "docker-archive", 
/**
 * The image's tags in that layout: the TAG parts, as `oci:LAYOUT:TAG` names them.
 */
tags: Array<string>, 
/**
 * Where `--push` sent the image, with the digest each registry confirmed.
 */
pushed: Array<Pushed>, pushStats?: PushStats, 
/**
 * The SBOM files `--sbom` wrote beside the output.
 */
sbom: Array<string>, 
/**
 * With several platforms, each one's image, in the order named
 * (`manifestDigest` is then the index's, which lists them); empty for one.
 */
platforms: Array<PlatformImage>, };

/**
 * One platform's image in an index.
 */

export type PlatformImage = { platform: string, 
/**
 * Absent, as is the config's, in a dry run.
 */
manifestDigest: Digest | null, configDigest: Digest | null, 
/**
 * Config, manifest and every layer, compressed; 0 in a dry run.
 */
size: number, 
/**
 * The base image chosen for this platform, from the base's index.
 */
baseDigest: Digest | null, 
/**
 * The packages in its venv layer, which differ from platform to platform.
 */
dependencies: DepsView | null, };

export type PlanView = { base: BaseView, python: Chosen<ImagePython>, platform: string, workdir: string, user: string | null, entrypoint: EntryView, 
/**
 * A launcher for each console and GUI script, on PATH: in the venv's
 * `bin/` when there is one.
 */
scripts: Array<ScriptView>, cmd: Array<string> | null, 
/**
 * The variables pycontainer sets (the base's others stay).
 */
env: { [key in string]: string }, labels: { [key in string]: string }, annotations: { [key in string]: string }, ports: Array<string>, tags: Array<string>, files: FileCount, excluded: Array<Excluded>, 
/**
 * The runtime part of the image config, exactly as the build writes
 * it: the base's, with everything above applied. Without the base's
 * part in a dry run that did not read a registry base.
 */
config: ContainerConfig, 
/**
 * The layers the build adds, bottom first.
 */
layers: Array<LayerView>, sources: Array<Source>, 
/**
 * Where the dependencies come from and what is installed; absent when none are.
 */
dependencies?: DepsView, 
/**
 * The directories the app may write, owned by the user it runs as
 * (unless that is root); the code and the venv stay read-only.
 */
writable: Array<WritableDir>, 
/**
 * What the build will do that the project may not expect.
 */
warnings: Array<Warning>, };

export type BaseView = { image: string, rule: string, resolved: boolean, digest?: Digest, };

/**
 * A choice and the rule that made it, for people.
 */

export type Chosen<T> = { rule: string, } & T;

/**
 * The Python the image runs, as the plan shows it.
 */

export type ImagePython = { 
/**
 * Absent, as is `minor`, when the base's Python is not known: a dry
 * run did not read its registry base, or none was found in it.
 */
major?: number, minor?: number, 
/**
 * The full version, such as 3.11.2, when the base's layers were read.
 */
version?: string, 
/**
 * The `python3` the base runs, when its layers were read.
 */
interpreter?: string, 
/**
 * `python:3.12-slim`: the official image chosen for this Python;
 * absent when the base was given.
 */
baseImage?: string, };

export type EntryView = { command: Array<string>, rule: string, detail: string, };

/**
 * A console or GUI script's launcher.
 */

export type ScriptView = { name: string, 
/**
 * `module:object`, as the project declares it.
 */
target: string, 
/**
 * Where its launcher is in the image.
 */
path: string, };

export type FileCount = { count: number, bytes: number, };

/**
 * A path left out, with the rule that left it out.
 */

export type Excluded = { path: string, reason: string, 
/**
 * The first of the project's sources that names this build output, so
 * that it is shown without `--verbose`.
 */
referencedBy?: string, };

export type Warning = { 
/**
 * Stable: `excluded-referenced`; `credentials-included` (a file that
 * looks like credentials ships because the user brought it back, or a
 * shipped pyproject.toml/requirements.txt writes a password in a URL);
 * `private-files` (files the image's user cannot read); `dev-server` (a web app without a
 * production server); `no-bytecode` (the dependencies are
 * installed without bytecode, for want of a compiler); `writes-unknown` (the app writes
 * where pycontainer cannot follow); `writes-owner` (the writable
 * directories cannot be handed to the user).
 */
code: string, message: string, };

/**
 * A path the runtime user owns, and why.
 */

export type WritableDir = { 
/**
 * Absolute, inside the image.
 */
path: string, rule: string, scope: Scope, };

/**
 * How much of a writable path the user gets.
 */

export type Scope = "tree" | "directory" | "file";

/**
 * The runtime part of an image config, Docker's names and all.
 */

export type ContainerConfig = { User?: string | null, ExposedPorts?: { [key in string]: JsonValue } | null, Env?: Array<string> | null, Entrypoint?: Array<string> | null, Cmd?: Array<string> | null, WorkingDir?: string | null, Labels?: { [key in string]: string } | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * A layer the build adds.
 */

export type LayerView = { name: string, 
/**
 * Its entries and their bytes; absent for the dependency layer, whose
 * entries are the wheels' files.
 */
entries?: number, bytes?: number, 
/**
 * The packages, for the dependency layer.
 */
packages?: number, };

/**
 * A source of settings that set something, for `--dry-run`.
 */

export type Source = { kind: SourceKind, 
/**
 * The file, for the two config files.
 */
file?: string, };

/**
 * The sources of settings, highest precedence first.
 */

export type SourceKind = "flag" | "env" | "pycontainer.toml" | "pyproject";

/**
 * The dependencies: the input, and what the image installs from it.
 */

export type DepsView = { 
/**
 * The platform the wheels are chosen for; absent, as are the rest,
 * when a dry run did not read the base.
 */
target?: string, venv?: string, packages?: Array<InstalledPackage>, 
/**
 * Whether the dependencies' bytecode is compiled, and why.
 */
bytecode?: string, 
/**
 * The lock the build writes, when the packages come from a new resolution.
 */
writesLock?: string, format: Format, 
/**
 * The file, absolute; `None` for `[project.dependencies]`.
 */
path?: string, rule: string, 
/**
 * Set when the lock is a parent directory's: the context is a uv workspace member, or a
 * path dependency of the Poetry project there.
 */
workspace?: WorkspaceLock, };

/**
 * Where the dependencies come from, and why that source was chosen.
 */

export type Input = { format: Format, 
/**
 * The file, absolute; `None` for `[project.dependencies]`.
 */
path?: string, rule: string, 
/**
 * Set when the lock is a parent directory's: the context is a uv workspace member, or a
 * path dependency of the Poetry project there.
 */
workspace?: WorkspaceLock, };

/**
 * The formats a dependency list comes in.
 */

export type Format = "pylock" | "uv-lock" | "poetry-lock" | "requirements" | "project";

/**
 * Where a parent directory's lock is, and what it calls the context.
 */

export type WorkspaceLock = { 
/**
 * The lock's directory, relative to the context: `..`, `../..`.
 */
root: string, 
/**
 * The context's directory, relative to `root`, as the lock names it (`packages/backend`).
 */
member: string, };

/**
 * One installed distribution, for people and `--json`.
 */

export type InstalledPackage = { name: string, version: string, 
/**
 * The wheel installed: from the index, or built from `sdist`.
 */
wheel: string, 
/**
 * The sdist the wheel was built from, when the version has no wheel
 * for the image.
 */
sdist: string | null, };

/**
 * A layer: its blob's descriptor, the digest of its uncompressed tar (the
 * config's diff_id), and where the blob is.
 */

export type Layer = { 
/**
 * Of the blob, compressed: what the manifest lists.
 */
digest: Digest, 
/**
 * Of the uncompressed tar: what the config's rootfs lists.
 */
diffId: Digest, 
/**
 * Of the blob, compressed.
 */
size: number, mediaType: string, };

/**
 * A reference the image now answers to, with the digest the registry confirmed.
 */

export type Pushed = { reference: string, digest: Digest, };

/**
 * What a push did, for people and `--json`.
 */

export type PushStats = { uploaded: number, mounted: number, existing: number, bytesUploaded: number, };

export type PushResult = { 
/**
 * The digest of what was pushed: the manifest, or the index.
 */
manifestDigest: Digest, mediaType: string, pushed: Array<Pushed>, pushStats: PushStats, 
/**
 * The SBOM artifacts pushed with it: the referrers the layout lists
 * for the image (or for each image of the index).
 */
referrers: Array<Digest>, };

/**
 * What a deploy made: the build (pushed), and the manifests for its image.
 */

export type DeployResult = { build: BuildResult, 
/**
 * The image as the manifests name it: `registry/repository@sha256:…`.
 */
image: string, 
/**
 * The objects, in the order they are applied.
 */
manifests: Array<ManifestView>, 
/**
 * Every object, as one multi-document YAML stream for `kubectl apply -f -`.
 */
yaml: string, };

/**
 * One Kubernetes object of a deploy.
 */

export type ManifestView = { kind: string, name: string, };

/**
 * What `validate` found.
 */

export type ValidateReport = { manifestDigest: Digest | null, tag: string | null, ok: boolean, problems: Array<string>, layers: number, };

/**
 * The files to write, and the plan they were written from.
 */

export type DockerfileResult = { dockerfile: GeneratedFile, 
/**
 * `<Dockerfile>.dockerignore`: BuildKit reads it instead of the
 * context's `.dockerignore`; buildah and podman take it as `--ignorefile`.
 */
ignoreFile: GeneratedFile, 
/**
 * The commands that build the Dockerfile, run in the context.
 */
commands: Array<string>, plan: PlanView, };

export type GeneratedFile = { 
/**
 * Absolute.
 */
path: string, text: string, };

/**
 * Progress events for the host to show; hosts may ignore them.
 */

export type ProgressEvent = { "type": "phase", name: string, } | { "type": "blob", digest: string | null, label: string, bytes: number, } | { "type": "transfer", digest: string, 
/**
 * `exists`: the registry already had the blob, nothing moved.
 */
action: "pull" | "push" | "mount" | "exists" | "download", bytes: number, total: number, } | { "type": "warning", 
/**
 * Stable: a plan warning's code (`Warning::code`), or
 * `lock-unwritten` (the lock a resolution made could not be saved).
 */
code: string, message: string, };

/**
 * A `sha256:` content digest, the only algorithm images use in practice.
 */

export type Digest = string;

export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null;
