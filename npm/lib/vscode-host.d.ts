// Types for `pycontainer/vscode-host`: a Host over VS Code's FileSystem API.
// VS Code's own types are not a dependency of this package, so the parts of
// the `vscode` module the adapter uses are described structurally here; the
// real `vscode` module satisfies them.

import type { Host, ProgressEvent, RegistryCredentials } from '../index';

/** The part of `vscode.Uri` the adapter uses. */
export interface VscodeUri {
  readonly path: string;
  with(change: { path?: string }): VscodeUri;
}

/** `vscode.FileStat`: `type` is a `vscode.FileType` bit set. */
export interface VscodeFileStat {
  type: number;
  size: number;
}

/** The part of `vscode.workspace.fs` (a `vscode.FileSystem`) the adapter uses. */
export interface VscodeFileSystem {
  stat(uri: VscodeUri): PromiseLike<VscodeFileStat>;
  readDirectory(uri: VscodeUri): PromiseLike<[string, number][]>;
  readFile(uri: VscodeUri): PromiseLike<Uint8Array>;
  writeFile(uri: VscodeUri, content: Uint8Array): PromiseLike<void>;
  createDirectory(uri: VscodeUri): PromiseLike<void>;
  delete(uri: VscodeUri, options?: { recursive?: boolean; useTrash?: boolean }): PromiseLike<void>;
  rename(
    source: VscodeUri,
    target: VscodeUri,
    options?: { overwrite?: boolean },
  ): PromiseLike<void>;
}

export interface VscodeHostOptions {
  /** The extension's `vscode` module. */
  vscode: { Uri: { file(path: string): VscodeUri }; workspace: { fs: VscodeFileSystem } };
  /**
   * Where host paths live: path `/a/b` is `root.with({ path: '/a/b' })`, so a remote or
   * virtual workspace keeps its scheme and authority. Default: `file:` URIs.
   */
  root?: VscodeUri;
  /** Environment variables (`SOURCE_DATE_EPOCH`, `PYCONTAINER_*`); default none. */
  env?: (name: string) => string | undefined;
  /** The network (default the global `fetch`); `null` for none, so registry bases and push fail. */
  fetch?: typeof fetch | null;
  onProgress?: (event: ProgressEvent) => void;
  /** Registry credentials (see `Host.credentials`); default anonymous. */
  credentials?: (
    registry: string,
    explicit: boolean,
  ) => RegistryCredentials | null | Promise<RegistryCredentials | null>;
  /** Aborts requests in flight once it fires (`build`/`push` with `signal` stop the rest). */
  signal?: AbortSignal;
}

/**
 * A Host over `vscode.workspace.fs` and fetch. Symlinks are read as what they point to,
 * files get mode 0o644 and directories 0o755 (the FileSystem API has no permission bits),
 * and files are written whole on `close`.
 */
export function createVscodeHost(options: VscodeHostOptions): Host;
