'use strict';

// A stand-in for the parts of VS Code's `vscode` module that the FileSystem
// adapter (npm/lib/vscode-host.js) and the example extension use: VS Code
// itself cannot be downloaded here. It follows the API's documented behaviour
// (https://code.visualstudio.com/api/references/vscode-api): `Uri`, `FileType`
// as a bit set, `FileSystemError` codes, `workspace.fs` with mkdirp
// `createDirectory`, `delete` refusing a non-empty directory without
// `recursive`, `rename` refusing an existing target without `overwrite`.
// The window and command parts record what an extension does, for tests.

// Node's modules are required where they are used: the stand-in's other
// parts also run in a browser worker (tests/e2e/web-extension.test.mjs).
const FileType = { Unknown: 0, File: 1, Directory: 2, SymbolicLink: 64 };

class Uri {
  constructor(scheme, authority, path) {
    this.scheme = scheme;
    this.authority = authority;
    this.path = path;
  }

  static file(path) {
    return new Uri('file', '', path);
  }

  static joinPath(base, ...parts) {
    const joined = [base.path.replace(/\/+$/, ''), ...parts].join('/');
    return base.with({ path: joined });
  }

  get fsPath() {
    return this.path;
  }

  with(change) {
    return new Uri(
      change.scheme ?? this.scheme,
      change.authority ?? this.authority,
      change.path ?? this.path,
    );
  }

  toString() {
    return `${this.scheme}://${this.authority}${this.path}`;
  }
}

class FileSystemError extends Error {
  constructor(code, uri) {
    super(`${code} (FileSystemError): ${uri}`);
    // VS Code sets `code` to the factory's name.
    this.code = code;
  }

  static FileNotFound(uri) {
    return new FileSystemError('FileNotFound', uri);
  }

  static FileExists(uri) {
    return new FileSystemError('FileExists', uri);
  }

  static FileNotADirectory(uri) {
    return new FileSystemError('FileNotADirectory', uri);
  }

  static FileIsADirectory(uri) {
    return new FileSystemError('FileIsADirectory', uri);
  }

  static NoPermissions(uri) {
    return new FileSystemError('NoPermissions', uri);
  }
}

class Position {
  constructor(line, character) {
    this.line = line;
    this.character = character;
  }
}

class Range {
  constructor(start, end) {
    this.start = start;
    this.end = end;
  }
}

/** VS Code's own commands an extension may run: recorded in `shown.executed`. */
const BUILTIN_COMMANDS = new Set(['workbench.action.openSettings']);

/** The part of a `TextDocument` the example extension uses. */
function textDocument(uri, text) {
  return {
    uri,
    getText: () => text,
    positionAt(offset) {
      const before = text.slice(0, offset).split('\n');
      return new Position(before.length - 1, before.at(-1).length);
    },
  };
}

function parentOf(p) {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

/** An in-memory `workspace.fs`: files map a path to bytes; dirs is a set of paths. */
function createMemoryFileSystem() {
  const files = new Map();
  const dirs = new Set(['/']);
  const key = (uri) => uri.path.replace(/\/+$/, '') || '/';
  const children = (dir) =>
    [...files.keys(), ...dirs].filter((p) => p !== dir && parentOf(p) === dir);

  function mkdirp(p, uri) {
    if (dirs.has(p)) return;
    if (files.has(p)) throw FileSystemError.FileNotADirectory(uri);
    mkdirp(parentOf(p), uri);
    dirs.add(p);
  }

  function parentMustExist(p, uri) {
    const parent = parentOf(p);
    if (files.has(parent)) throw FileSystemError.FileNotADirectory(uri);
    if (!dirs.has(parent)) throw FileSystemError.FileNotFound(uri);
  }

  return {
    files,
    dirs,
    async stat(uri) {
      const p = key(uri);
      if (files.has(p)) {
        return { type: FileType.File, ctime: 0, mtime: 0, size: files.get(p).byteLength };
      }
      if (dirs.has(p)) return { type: FileType.Directory, ctime: 0, mtime: 0, size: 0 };
      throw FileSystemError.FileNotFound(uri);
    },
    async readDirectory(uri) {
      const p = key(uri);
      if (files.has(p)) throw FileSystemError.FileNotADirectory(uri);
      if (!dirs.has(p)) throw FileSystemError.FileNotFound(uri);
      return children(p).map((c) => [
        c.slice(p === '/' ? 1 : p.length + 1),
        dirs.has(c) ? FileType.Directory : FileType.File,
      ]);
    },
    async readFile(uri) {
      const p = key(uri);
      if (dirs.has(p)) throw FileSystemError.FileIsADirectory(uri);
      if (!files.has(p)) throw FileSystemError.FileNotFound(uri);
      return files.get(p).slice();
    },
    async writeFile(uri, content) {
      const p = key(uri);
      if (dirs.has(p)) throw FileSystemError.FileIsADirectory(uri);
      parentMustExist(p, uri);
      files.set(p, Uint8Array.from(content));
    },
    async createDirectory(uri) {
      mkdirp(key(uri), uri);
    },
    async delete(uri, options = {}) {
      const p = key(uri);
      if (files.delete(p)) return;
      if (!dirs.has(p)) throw FileSystemError.FileNotFound(uri);
      const under = [...files.keys(), ...dirs].filter((c) => c.startsWith(`${p}/`));
      if (under.length > 0 && !options.recursive) throw FileSystemError.NoPermissions(uri);
      for (const c of under) {
        files.delete(c);
        dirs.delete(c);
      }
      dirs.delete(p);
    },
    async rename(source, target, options = {}) {
      const from = key(source);
      const to = key(target);
      if (!files.has(from)) {
        // Directories are not renamed by the adapter; the stand-in keeps to files.
        throw dirs.has(from)
          ? FileSystemError.NoPermissions(source)
          : FileSystemError.FileNotFound(source);
      }
      if (dirs.has(to)) throw FileSystemError.FileIsADirectory(target);
      if (files.has(to) && !options.overwrite) throw FileSystemError.FileExists(target);
      parentMustExist(to, target);
      files.set(to, files.get(from));
      files.delete(from);
    },
  };
}

/** Copies the directory `dir` on disk into `memfs` at `root` (a Uri), as a virtual workspace. */
async function copyIntoMemory(memfs, root, dir) {
  const disk = require('node:fs');
  const nodePath = require('node:path');
  await memfs.createDirectory(root);
  for (const rel of disk.readdirSync(dir, { recursive: true })) {
    const uri = root.with({ path: `${root.path}/${rel}` });
    const src = nodePath.join(dir, rel);
    if (disk.statSync(src).isDirectory()) await memfs.createDirectory(uri);
    else await memfs.writeFile(uri, disk.readFileSync(src));
  }
}

/**
 * A `vscode` module over `fs` (a FileSystem). `settings` answers
 * `workspace.getConfiguration(section).get(key)` as `settings['section.key']`.
 * Everything the extension shows is recorded in `shown`; `onProgressReport`
 * sees each `progress.report` with the token's cancel function, so a test can
 * cancel from inside a running task as a user clicking "Cancel" would.
 * `showInputBox` answers `inputBoxAnswer`; `showErrorMessage` clicks its first action;
 * VS Code's own commands (BUILTIN_COMMANDS) are recorded in `shown.executed`.
 */
function createVscode({
  fs,
  workspaceFolders = [],
  settings = {},
  onProgressReport,
  inputBoxAnswer,
} = {}) {
  const commands = new Map();
  const shown = {
    info: [],
    warnings: [],
    errors: [],
    webviews: [],
    progress: [],
    opened: [],
    executed: [],
  };
  const ProgressLocation = { SourceControl: 1, Window: 10, Notification: 15 };
  const ViewColumn = { Active: -1, Beside: -2, One: 1 };

  const vscode = {
    Uri,
    FileType,
    FileSystemError,
    Position,
    Range,
    ProgressLocation,
    ViewColumn,
    shown,
    commands: {
      registerCommand(id, fn) {
        if (commands.has(id)) throw new Error(`command '${id}' already exists`);
        commands.set(id, fn);
        return { dispose: () => commands.delete(id) };
      },
      async executeCommand(id, ...args) {
        if (BUILTIN_COMMANDS.has(id)) {
          shown.executed.push({ id, args });
          return undefined;
        }
        const fn = commands.get(id);
        if (!fn) throw new Error(`command '${id}' not found`);
        return fn(...args);
      },
      registered: () => [...commands.keys()],
    },
    workspace: {
      fs,
      workspaceFolders,
      getConfiguration(section) {
        return { get: (k, fallback) => settings[`${section}.${k}`] ?? fallback };
      },
      // VS Code reads a file: URI from the disk, any other through its file system.
      async openTextDocument(uri) {
        const bytes =
          uri.scheme === 'file'
            ? require('node:fs').readFileSync(uri.path)
            : await fs.readFile(uri);
        return textDocument(uri, new TextDecoder().decode(bytes));
      },
    },
    window: {
      async showInformationMessage(message, ...items) {
        shown.info.push({ message, items });
      },
      async showWarningMessage(message, ...items) {
        shown.warnings.push({ message, items });
      },
      async showInputBox() {
        return inputBoxAnswer;
      },
      async showErrorMessage(message, ...items) {
        shown.errors.push({ message, items });
        // The first action is what a user acting on the error clicks.
        return items[0];
      },
      async showTextDocument(doc, options) {
        shown.opened.push({ uri: doc.uri, selection: options?.selection });
      },
      async withProgress(options, task) {
        const listeners = [];
        const token = {
          isCancellationRequested: false,
          onCancellationRequested(fn) {
            listeners.push(fn);
            return { dispose() {} };
          },
        };
        const cancel = () => {
          token.isCancellationRequested = true;
          for (const fn of listeners) fn();
        };
        const record = { options, reports: [] };
        shown.progress.push(record);
        const progress = {
          report(value) {
            record.reports.push(value);
            onProgressReport?.(value, cancel);
          },
        };
        return task(progress, token);
      },
      createWebviewPanel(viewType, title, column, options) {
        const panel = { viewType, title, column, options, webview: { html: '' } };
        shown.webviews.push(panel);
        return { ...panel, webview: panel.webview, reveal() {}, dispose() {} };
      },
    },
  };
  return vscode;
}

module.exports = {
  createVscode,
  createMemoryFileSystem,
  copyIntoMemory,
  FileType,
  FileSystemError,
  Uri,
};
