// Types for the pycontainer JS API. The core is Rust compiled to wasm; these
// functions adapt Node-friendly options to it and return its results as-is.

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

/** A progress event from the core; only `type` is guaranteed, the rest depends on the type. */
export interface ProgressEvent {
  type: string;
  [key: string]: unknown;
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
  /** Up to `length` bytes from `offset`; fewer only at end of file. */
  read(path: string, offset: number, length: number): MaybePromise<Uint8Array>;
  /** Opens a new file for writing (truncating), creating parent directories; returns a handle. */
  create(path: string): MaybePromise<number>;
  /** Appends `data`, a view into wasm memory valid only during the call (copy it if kept). */
  write(handle: number, data: Uint8Array): MaybePromise<void>;
  /** Flushes, fsyncs and closes, so a later `rename` publishes complete files only. */
  close(handle: number): MaybePromise<void>;
  /** Atomically replaces `to`. */
  rename(from: string, to: string): MaybePromise<void>;
  /** Deletes a file; a missing file is not an error. */
  remove(path: string): MaybePromise<void>;
  /** An environment variable, e.g. `SOURCE_DATE_EPOCH` for reproducible timestamps. */
  env(name: string): MaybePromise<string | undefined>;
  /** Receives progress events; may ignore them. */
  progress(event: ProgressEvent): MaybePromise<void>;
  /** Optional host-native SHA-256; without it the core uses its own. */
  sha256?(): Sha256;
}

export interface NodeHostOptions {
  /** Called with each progress event (for a progress display); nothing is printed otherwise. */
  onProgress?: (event: ProgressEvent) => void;
}

/** The default host: the local file system through synchronous `node:fs` calls. */
export function createNodeHost(options?: NodeHostOptions): Host;

export interface BuildOptions {
  /** The Python project directory (holding pyproject.toml). Default `.`; relative to the cwd. */
  context?: string;
  /** The OCI layout directory to write. Default `pycontainer-out`; relative to the cwd. */
  output?: string;
  /** `NAME:TAG` references to record in the layout. Empty: the core derives one from the project. */
  tags?: string[];
  /** `scratch` or `oci:PATH[:TAG]` (a local OCI layout; PATH may be relative to the cwd). */
  baseImage?: string;
  /** `OS/ARCH[/VARIANT]`, e.g. `linux/arm64`; default chosen by the core. */
  platform?: string;
  /** The working directory inside the image. */
  workdir?: string;
  /** Replaces the Node host, e.g. to build from an in-memory tree. */
  host?: Host;
  /** Progress callback for the default Node host (ignored when `host` is given). */
  onProgress?: (event: ProgressEvent) => void;
}

/** One image layer as written to the layout. */
export interface LayerInfo {
  /** Digest of the compressed blob (what the manifest references). */
  digest: string;
  /** Digest of the uncompressed tar (what the config's rootfs lists). */
  diffId: string;
  /** Compressed size in bytes. */
  size: number;
  mediaType: string;
}

export interface BuildResult {
  /** The image's identity: pull or run it by this digest. */
  manifestDigest: string;
  configDigest: string;
  /** Absolute path of the OCI layout written. */
  output: string;
  /** The references recorded in the layout's index. */
  tags: string[];
  platform: string;
  entrypoint: string[];
  layers: LayerInfo[];
  /** Total size in bytes of the blobs the manifest references. */
  size: number;
}

/** Builds an image from a Python project into an OCI layout directory. */
export function build(options?: BuildOptions): Promise<BuildResult>;

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

export interface ValidateReport {
  manifestDigest: string;
  tag: string | null;
  /** `true` when no problems were found. */
  ok: boolean;
  /** Human-readable descriptions of what is wrong, empty when `ok`. */
  problems: string[];
  /** The number of layers in the checked manifest. */
  layers: number;
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

/** The default output directory, `pycontainer-out`, relative to the cwd. */
export const DEFAULT_OUTPUT: string;

/** An error from the core or the CLI: `code` names the failure, `hint` suggests a fix. */
export interface PycontainerError extends Error {
  code: string;
  hint?: string;
}
