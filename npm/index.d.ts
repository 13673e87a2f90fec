// Types for the pycontainer JS API. The core is Rust compiled to wasm; these
// functions adapt Node-friendly options to it and return its results as-is.
// The results' types are generated from the core's Rust types (./core.d.ts).

import type {
  BuildResult,
  DeployResult,
  DockerfileResult,
  PlanView,
  ProgressEvent,
  PushResult,
  ValidateReport,
} from './core';

export type * from './core';

/** Every decision of a build with the rule behind it: what `--dry-run` prints. */
export type BuildPlan = PlanView;

/** What a path is, as seen by `lstat` (a final symlink is never followed). */
export type Kind = 'file' | 'dir' | 'symlink' | 'other';

/** File metadata as the core sees it; `mode` holds permission bits only (`st_mode & 0o7777`). */
export interface FileInfo {
  kind: Kind;
  size: number;
  mode: number;
  /** The link's target, for symlinks only: the core copies symlinks into layers verbatim. */
  target?: string;
}

/** One directory entry with its lstat information, so listing needs no extra stat calls. */
export interface DirEntry extends FileInfo {
  name: string;
}

/** An incremental SHA-256, so layer digests can use the host's native (e.g. OpenSSL) code. */
export interface Sha256 {
  update(data: Uint8Array): void;
  digest(): Uint8Array;
}

type MaybePromise<T> = T | Promise<T>;

/**
 * Everything the core needs from the outside world (see docs/host-interface.md).
 * Swap it to build from something other than the local disk, e.g. in a browser
 * worker or from an in-memory tree in tests. Paths are absolute and '/'-separated.
 */
export interface Host {
  /** lstat; `null` when nothing is at `path`. */
  stat(path: string): MaybePromise<FileInfo | null>;
  /** The entries of a directory, any order. */
  listDir(path: string): MaybePromise<DirEntry[]>;
  /** Up to `length` bytes from `offset`; fewer only at end of file. The core copies the bytes before its next call, so a host may reuse one buffer. */
  read(path: string, offset: number, length: number): MaybePromise<Uint8Array>;
  /** Opens a new file for writing (truncating), creating parent directories; returns a handle. */
  create(path: string): MaybePromise<number>;
  /** Appends `data`, a view into wasm memory valid only during the call (copy it if kept). */
  write(handle: number, data: Uint8Array): MaybePromise<void>;
  /** Flushes, fsyncs and closes, so a later `rename` publishes complete files only. */
  close(handle: number): MaybePromise<void>;
  /** Atomically replaces `to`. */
  rename(from: string, to: string): MaybePromise<void>;
  /**
   * Optional: copies the whole file `from` to the new name `to` (creating its
   * parent directories), flushed and fsynced as `close` does, without the bytes
   * passing through the core (a reflink or kernel copy). Base layers are copied
   * so; without it the core streams them through `read` and `write`.
   */
  copyFile?(from: string, to: string): MaybePromise<void>;
  /**
   * Optional: gives the new name `to` the bytes of `from`, a cache blob nothing
   * writes into again: a hard link where the host can make one, else a copy.
   * Without it the core calls `copyFile`.
   */
  linkFile?(from: string, to: string): MaybePromise<void>;
  /** Deletes a file; a missing file is not an error. */
  remove(path: string): MaybePromise<void>;
  /** Deletes an empty directory; a missing one is not an error (a failed build takes back what it made). */
  removeDir(path: string): MaybePromise<void>;
  /** An environment variable, e.g. `SOURCE_DATE_EPOCH`; answered synchronously. */
  env(name: string): string | undefined;
  /** Receives progress events; may ignore them. */
  progress(event: ProgressEvent): MaybePromise<void>;
  /** Optional host-native SHA-256; without it the core uses its own. */
  sha256?(): Sha256;
  /**
   * Optional other cores for layer compression: run the wasm export `deflateChunk`
   * on `data` in a worker. `data` is a view valid only during the call. Several
   * chunks may be out at once; each result must stay intact until it is passed
   * to `deflateRelease` (or, without that method, for good).
   */
  deflateChunk?(data: Uint8Array): Promise<Uint8Array>;
  /** Optional: a result of `deflateChunk` that the core has copied out, for the host to reuse its memory. */
  deflateRelease?(result: Uint8Array): void;
  /**
   * Sends an HTTP request (registries). Redirects are followed, dropping
   * `Authorization` on a cross-origin one; network failures reject with an
   * error carrying `code` (`ECONNRESET`, `ETIMEDOUT`, …); HTTP error statuses
   * resolve. Without it the host has no network and registry bases and
   * `push` fail.
   */
  fetch?(req: HttpRequest): Promise<HttpResponse>;
  /** The next piece of a response body, at most `max` bytes; `null` at its end (the handle is then released). */
  readBody?(handle: number, max: number): Promise<Uint8Array | null>;
  /** Abandons a response body. */
  discardBody?(handle: number): Promise<void>;
  /**
   * True when `fetch` keeps no HTTP cache of its own (Node): the core then keeps
   * package index pages in its cache and revalidates them with conditional
   * requests. Leave it out in a browser, whose HTTP cache does that already and
   * where the conditional headers would cost a CORS preflight per page.
   */
  cachesIndexPages?: boolean;
  /** Waits between retries; without it retries do not wait. */
  sleep?(ms: number): Promise<void>;
  /**
   * Credentials for a registry (`docker.io` or `host[:port]`, as the core names it), or `null`
   * for anonymous access. `explicit` says whether credentials given for this run apply to it:
   * the run pushes there, or pushes nowhere.
   */
  credentials?(registry: string, explicit: boolean): MaybePromise<RegistryCredentials | null>;
  /**
   * Whether process `pid` runs on this machine; without it the core never takes a temp file
   * another process wrote for one a killed build left.
   */
  alive?(pid: number): boolean;
}

/** An HTTP request from the core: bodies are whole (uploads arrive in chunks). */
export interface HttpRequest {
  method: string;
  url: string;
  headers: [string, string][];
  body: Uint8Array | null;
  /** A range of a file to stream as the body (a layer upload), instead of `body`. */
  bodyFile: { path: string; offset: number; length: number } | null;
  /** `false` only for an `--insecure-registry` over https: skip certificate checks. */
  tlsVerify: boolean;
  /** For an upload: the blob it carries; a streaming host may send `transfer` progress events as it goes. */
  progress: { digest: string; offset: number; total: number } | null;
}

export interface HttpResponse {
  status: number;
  /** The final URL, after redirects. */
  url: string;
  /** Lower-case names. */
  headers: [string, string][];
  /** A handle for `readBody`/`discardBody`. */
  body: number;
}

/** A user and password (or token), or a docker `identitytoken` (OAuth2 refresh token). */
export type RegistryCredentials =
  | { username: string; password: string }
  | { identityToken: string };

/*
 * Progress events (`ProgressEvent`, generated from the core's type in
 * ./core.d.ts) are a union on `type`; switch on it to narrow:
 * - `phase`: a phase started (`name`: `plan`, `base`, `inspect base`,
 *   `dependencies`, `resolve`, `download`, `install`, `compile`, `layer`,
 *   `pull`, `write`, `sbom`, `push`);
 * - `blob`: bytes of one blob (a layer, the config) written so far;
 * - `transfer`: bytes moving over the network;
 * - `warning`: something the user should know that does not stop the build.
 */

/** A phase of the work started (`type: 'phase'` progress events). */
export type PhaseEvent = Extract<ProgressEvent, { type: 'phase' }>;

/** Bytes of one blob written so far (`type: 'blob'` progress events); `digest` once known, else `null`. */
export type BlobEvent = Extract<ProgressEvent, { type: 'blob' }>;

/**
 * Bytes moving over the network (`type: 'transfer'` progress events): a blob
 * to or from a registry, or a wheel downloaded from a package index
 * (`action: 'download'`, whose `digest` is the wheel's file name, not a digest).
 * `exists`: the registry already had the blob, nothing moved.
 */
export type TransferEvent = Extract<ProgressEvent, { type: 'transfer' }>;

/** Something the user should know that does not stop the build (`type: 'warning'` progress events). */
export type WarningEvent = Extract<ProgressEvent, { type: 'warning' }>;

export interface NodeHostOptions {
  /** Called with each progress event (for a progress display); nothing is printed otherwise. */
  onProgress?: (event: ProgressEvent) => void;
  /** Compress layers on a second core in a worker thread (default true; the bytes are the same either way). */
  threads?: boolean;
  /**
   * Registry credentials that come before `PYCONTAINER_REGISTRY_*` and docker's config.json,
   * for the registries the core says they apply to (see `Host.credentials`).
   */
  credentials?: { username: string; password: string };
  /** How long to wait for a registry's response headers, and at most between body pieces (default 60000). */
  timeoutMs?: number;
  /**
   * Stops the work once it fires: every later host call that would carry it on fails with an
   * `interrupted` error (those that take back what was written still work), and requests in
   * flight are aborted.
   */
  signal?: AbortSignal;
}

/** Registry options shared by `build` (with `push`) and `push`. */
export interface RegistryOptions {
  /** Registry user; with `password`. Left out: `PYCONTAINER_REGISTRY_USERNAME`/`_PASSWORD`, then docker's config.json (credHelpers, credsStore, auths). */
  username?: string;
  /** The password or token for `username`; never printed. */
  password?: string;
  /** Registries (`host[:port]`) that may use plain http or an unverified certificate. Loopback may always use plain http. */
  insecureRegistries?: string | string[];
  /** Blobs uploaded or downloaded at once, 1 to 64 (default 4); a number or its digits. */
  parallel?: number | string;
  /** Blobs larger than this go up in PATCH chunks of this size: bytes, or text such as `'8M'` or `'512K'` (default: each blob in one streamed request). */
  chunkSize?: number | string;
}

/** The default host: the local file system through synchronous `node:fs` calls. */
export function createNodeHost(options?: NodeHostOptions): Host;

/**
 * Options of `build`. Each one left out is not passed to the core at all, so
 * it overrides nothing: the core takes the setting from `PYCONTAINER_*`
 * variables, pycontainer.toml, `[tool.pycontainer]` or the project itself.
 * Relative paths are taken from the cwd (and made real, symlinks resolved,
 * with the default host). Repeatable options take one string or an array;
 * an empty array is the same as leaving the option out.
 */
export interface BuildOptions extends RegistryOptions {
  /** The Python project directory (holding pyproject.toml). Default `.`. */
  context?: string;
  /** A pycontainer.toml to read instead of the one in the context. */
  config?: string;
  /** The OCI layout directory to write, or with an archive `format` the tar file. The core's default: `pycontainer-out` (`pycontainer-out.tar` for an archive) in the cwd, or none with `push`. */
  output?: string;
  /**
   * `oci` (the default): an OCI layout directory. `oci-archive`: that layout
   * in one tar file. `docker-archive`: `docker save`'s tar, which `docker load`
   * and `podman load` take (one platform only).
   */
  format?: 'oci' | 'oci-archive' | 'docker-archive';
  /** `NAME:TAG` references to record in the layout (and push to, with `push`). Left out: the core derives one from the project. */
  tags?: string | string[];
  /**
   * A registry reference (`python:3.12-slim`, `ghcr.io/org/base@sha256:…`),
   * `scratch`, or `oci:PATH[:TAG]` (a local OCI layout). Left out: the core
   * picks `python:X.Y-slim` and says why.
   */
  baseImage?: string;
  /** Push the image to every tag, which must then name a registry; no layout is written unless `output` is set. */
  push?: boolean;
  /** Where pulled base layers are cached by digest (default `PYCONTAINER_CACHE_DIR`, else `~/.cache/pycontainer`). */
  cacheDir?: string;
  /** `REGISTRY=HOST[:PORT]`: pull base images of REGISTRY (e.g. `docker.io`) from a mirror (default `PYCONTAINER_REGISTRY_MIRRORS`). */
  registryMirrors?: string | string[];
  /** The Python version `X.Y` the image runs, when the project or base does not settle it. */
  python?: string;
  /** `OS/ARCH[/VARIANT]`, e.g. `linux/arm64`: picks the image from a multi-platform base. */
  platform?: string;
  /** The working directory inside the image (the core's default: `/app`). */
  workdir?: string;
  /** `KEY=VALUE` environment variables of the image, added to the base's. */
  env?: string | string[];
  /** A file of `KEY=VALUE` lines for the image's environment, to keep them out of the command line. */
  envFile?: string;
  /** `KEY=VALUE` labels in the image config (e.g. `org.opencontainers.image.source=...`). */
  labels?: string | string[];
  /** `KEY=VALUE` annotations on the manifest, for registries and tools that read them. */
  annotations?: string | string[];
  /** Ports the application listens on, `N`, `N/tcp` or `N/udp` (documentation for `run -P`). */
  ports?: string | number | (string | number)[];
  /**
   * `USER[:GROUP]` the application runs as. Left out: 65532:65532 with
   * HOME=/home/nonroot unless the base sets a user; `root` opts out.
   */
  user?: string;
  /** What the image runs: a shell-words string or a JSON array string; an array is sent as JSON. */
  entrypoint?: string | string[];
  /** Default arguments after the entry point, in the same forms as `entrypoint`. */
  cmd?: string | string[];
  /** Which `[project.scripts]` entry becomes the entry point, when there are several. */
  script?: string;
  /** Patterns (relative to the context) that put back paths the default excludes or .dockerignore drop. */
  include?: string | string[];
  /** Patterns in .dockerignore syntax (relative to the context) to leave out as well. */
  exclude?: string | string[];
  /**
   * Directories the app writes at run time (relative to the workdir, or absolute),
   * owned by the user the image runs as; added to the ones pycontainer finds
   * (Flask's instance folder, Django's STATIC_ROOT, MEDIA_ROOT and SQLite directory).
   */
  writable?: string | string[];
  /**
   * Install the project's dependencies into a venv layer (`true`, failing when
   * there are none) or not (`false`). Left out: installed when the project
   * declares any (pylock.toml, uv.lock, poetry.lock, requirements.txt, then
   * `[project.dependencies]`, resolved and locked into pylock.toml).
   */
  includeDeps?: boolean;
  /**
   * Compile the dependencies to bytecode for the base's CPython, so the
   * image starts as fast as a pip-installed one (`true`: fail where the host
   * cannot; `false`: never). Left out: compiled where the host can (Node,
   * with its optional CPython-in-WebAssembly packages), not in a browser.
   */
  compile?: boolean;
  /** The pylock.toml, uv.lock, poetry.lock or requirements `.txt` to install from, instead of the one found in the context. */
  requirements?: string;
  /** Extras (optional dependencies) of the project to install as well. */
  extras?: string | string[];
  /** Dependency groups to install: PEP 735 groups, Poetry groups or uv dev groups. */
  groups?: string | string[];
  /** The package index's simple API (default `https://pypi.org/simple`); credentials may go in the URL's userinfo. */
  indexUrl?: string;
  /** More indexes after `indexUrl`; each project comes from the first index that has it, as in uv. */
  extraIndexUrls?: string | string[];
  /** Allow pre-releases when resolving; `false` is the same as leaving it out. */
  pre?: boolean;
  /** Fail when pycontainer's own pylock.toml is missing or stale, instead of resolving again (for CI). */
  locked?: boolean;
  /** Build even when the project's requires-python excludes the image's Python (the base image's, or a `.python-version` pin). */
  ignoreRequiresPython?: boolean;
  /**
   * SBOM formats to write beside the output layout: `spdx` (SPDX 2.3 JSON,
   * `<output>.spdx.json`) and `cyclonedx` (CycloneDX 1.6 JSON, `<output>.cdx.json`);
   * a comma-separated list or an array. Needs a layout output.
   */
  sbom?: string | string[];
  /** Work everything out and return the plan, writing nothing (no digests in the result). */
  dryRun?: boolean;
  /** Replaces the Node host, e.g. to build from an in-memory tree. */
  host?: Host;
  /** Progress callback for the default Node host (ignored when `host` is given). */
  onProgress?: (event: ProgressEvent) => void;
  /**
   * Stops the build once it fires: what it wrote is taken back (temp files, new blobs, the
   * layout's lock, an `output` directory it created) and the promise rejects with an
   * `AbortError` whose `code` is `'interrupted'`.
   */
  signal?: AbortSignal;
}

/** Builds an image from a Python project into an OCI layout directory, a registry (`push`), or both. */
export function build(options?: BuildOptions): Promise<BuildResult>;

/**
 * The dry run: every decision of `build(options)` with the rule behind it,
 * the config and the layers, worked out without writing anything. It is the
 * plan a `build` with the same options then follows (its result's `plan`);
 * with `push` it is the plan of that push, checked as far as it can be
 * without a registry's answer. Nothing is written or pushed.
 */
export function plan(options?: Omit<BuildOptions, 'dryRun'>): Promise<BuildPlan>;

export interface DockerfileOptions
  extends Omit<BuildOptions, 'dryRun' | 'push' | 'output' | 'format' | 'sbom'> {
  /**
   * Where the Dockerfile goes (relative to the cwd); its ignore file goes
   * beside it as `<file>.dockerignore`. Default: `Dockerfile` in the context.
   */
  file?: string;
}

/**
 * The build as a Dockerfile: the same base by digest, the same wheels by URL
 * and hash, the same files, owners, config and entry point; and the ignore
 * file listing the files that go in. Resolves to their paths and texts,
 * writing nothing. Rejects with code `dockerfile-exists` when either path
 * holds a file pycontainer did not write (its first line is not
 * `# Generated by pycontainer`): a user's own Dockerfile is never replaced.
 */
export function dockerfile(options?: DockerfileOptions): Promise<DockerfileResult>;
/** How `deploy` runs the image; each overrides pycontainer.toml's `[runtime]`. */
export interface RuntimeOptions {
  /** A Deployment of this many pods. */
  replicas?: number | string;
  /** A Service of type LoadBalancer rather than ClusterIP. */
  public?: boolean;
  /** A StatefulSet of this many shards, each told `SHARD_INDEX` and `SHARD_COUNT`. */
  shards?: number | string;
  /** A Job run to this many completions… */
  jobIterations?: number | string;
  /** …this many at once (default 1). */
  jobParallelism?: number | string;
  /** The CPU each pod requests, a Kubernetes quantity (`100m`). */
  cpu?: string;
  /** The memory each pod requests, and its limit (`256Mi`). */
  memory?: string;
}

export interface DeployOptions extends Omit<BuildOptions, 'dryRun' | 'push'> {
  runtime?: RuntimeOptions;
}

/**
 * Builds the image and pushes it to its tags' registries (a deploy always
 * pushes), then makes the Kubernetes manifests that run it by the digest the
 * registry confirmed: `yaml` is ready for `kubectl apply -f -`.
 */
export function deploy(options: DeployOptions): Promise<DeployResult>;

export interface PushOptions extends RegistryOptions {
  /** The OCI layout directory; relative to the cwd. */
  layout: string;
  /** Which reference in the layout to push; may be left out when it holds one image. */
  tag?: string;
  /** `REGISTRY/REPOSITORY[:TAG]` references to push to. */
  references: string | string[];
  /** Replaces the Node host. */
  host?: Host;
  /** Progress callback for the default Node host (ignored when `host` is given). */
  onProgress?: (event: ProgressEvent) => void;
  /**
   * Stops the push once it fires: uploads in flight are aborted, no manifest is sent after it,
   * and the promise rejects with an `AbortError` whose `code` is `'interrupted'`.
   */
  signal?: AbortSignal;
}

/** Pushes an image or index from an OCI layout: blobs first (skipped, mounted or uploaded), manifests last. */
export function push(options: PushOptions): Promise<PushResult>;

export interface ValidateOptions {
  /** The OCI layout directory; relative to the cwd. */
  layout: string;
  /** Which reference in the layout to check; when omitted the core picks the layout's image. */
  tag?: string;
  /** Replaces the Node host. */
  host?: Host;
  /** Progress callback for the default Node host (ignored when `host` is given). */
  onProgress?: (event: ProgressEvent) => void;
}

/** Checks an OCI layout (index, manifest, config, blob digests and sizes) and reports problems. */
export function validate(options: ValidateOptions): Promise<ValidateReport>;

/** The version of the wasm core (loads it). */
export function version(): string;

/**
 * Splits `PATH[:TAG]` at the last ':' when the rest has no '/', as the CLI does
 * for `validate LAYOUT[:TAG]` and `--base-image oci:PATH[:TAG]`.
 */
export function splitLayoutRef(ref: string): { path: string; tag: string | undefined };

/** The core's default output directory, `pycontainer-out`, relative to the cwd. */
export const DEFAULT_OUTPUT: string;

/**
 * An error from the core or the CLI: `code` names the failure, stably
 * (`invalid-option` for an option the core or this package refuses).
 */
export interface PycontainerError extends Error {
  code: string;
  /**
   * The flag at fault (`--port`), when an option's value is malformed; its
   * API option is the camelCase plural for repeatable ones (`ports`). Left
   * out when a file, a variable or the project is at fault. The CLI reports
   * these as usage errors (exit status 2).
   */
  option?: string;
  /**
   * The file at fault, as the message names it: a config or env file
   * (pycontainer.toml, pyproject.toml's `[tool.pycontainer]`), a project file
   * (pyproject.toml, setup.cfg, .dockerignore, a file that is not UTF-8 or a
   * link that dangles), or a lock or requirements file. Left out when no
   * file is.
   */
  file?: string;
  /**
   * The key at fault in `file` (`tags`, `project.dependencies`), or the
   * `PYCONTAINER_*` variable at fault; left out when neither is.
   */
  key?: string;
  /** The line of `file` at fault (1-based), when the reader knows it. */
  line?: number;
  /** The column on `line` at fault (1-based), when the reader knows it. */
  column?: number;
}
