// An example VS Code extension on pycontainer's public API: show the plan,
// build an image into the workspace, or build and push it, with progress in
// the notification area and a Cancel button that stops the build and takes
// back what it wrote.

const vscode = require('vscode');
const pycontainer = require('pycontainer');
const { createVscodeHost } = require('pycontainer/vscode-host');

const COMMANDS = {
  'pycontainer.showPlan': 'plan',
  'pycontainer.build': 'build',
  'pycontainer.buildAndPush': 'push',
};

const TITLES = {
  plan: 'pycontainer: working out the plan',
  build: 'pycontainer: building the image',
  push: 'pycontainer: building and pushing the image',
};

const PHASES = {
  plan: 'planning',
  layer: 'writing the layers',
  base: 'reading the base image',
  write: 'writing the layout',
  push: 'pushing',
};

function activate(context) {
  for (const [id, kind] of Object.entries(COMMANDS)) {
    context.subscriptions.push(vscode.commands.registerCommand(id, () => run(kind)));
  }
}

/** The first workspace folder: the example keeps to single-folder workspaces. */
function workspaceFolder() {
  return vscode.workspace.workspaceFolders?.[0];
}

/** A host path as a Uri of the folder's file system (local, remote or virtual). */
function uriOf(folder, p) {
  return folder.uri.scheme === 'file' ? vscode.Uri.file(p) : folder.uri.with({ path: p });
}

function joinPath(dir, rel) {
  return rel.startsWith('/') ? rel : `${dir.replace(/\/+$/, '')}/${rel}`;
}

function mib(bytes) {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** One line for the notification: what the build is doing now. */
function describe(event) {
  switch (event.type) {
    case 'phase':
      return PHASES[event.name] ?? event.name;
    case 'blob':
      return `${event.label}: ${mib(event.bytes)}`;
    case 'transfer':
      return `${event.action} ${String(event.digest).slice(0, 19)}: ${mib(event.bytes)} of ${mib(event.total)}`;
    default:
      return undefined;
  }
}

/**
 * The build options for `kind` from the `pycontainer.*` settings. A folder on
 * the local disk gets the default Node host (real permission bits, bytecode,
 * docker's credentials); any other goes through `workspace.fs`.
 */
async function optionsFor(kind, folder, onProgress, signal) {
  const settings = vscode.workspace.getConfiguration('pycontainer');
  const context = contextPath(folder);
  const options = { context, signal };
  const baseImage = settings.get('baseImage');
  if (baseImage) options.baseImage = baseImage;
  let tags = settings.get('tags', []);
  if (kind === 'push' && tags.length === 0) {
    const ref = await vscode.window.showInputBox({
      prompt: 'Push to (REGISTRY/REPOSITORY:TAG)',
      placeHolder: 'ghcr.io/org/app:latest',
    });
    if (!ref) return undefined;
    tags = [ref];
  }
  if (tags.length > 0) options.tags = tags;
  if (kind === 'push') {
    options.push = true;
    const insecure = settings.get('insecureRegistries', []);
    if (insecure.length > 0) options.insecureRegistries = insecure;
  } else {
    // Set for the plan too, so the plan shows the layout the build will write.
    options.output = joinPath(context, settings.get('output', 'pycontainer-out'));
  }
  if (folder.uri.scheme === 'file') {
    options.onProgress = onProgress;
  } else {
    const env = globalThis.process?.env ?? {};
    options.host = createVscodeHost({
      vscode,
      root: folder.uri,
      env: (name) => env[name],
      onProgress,
      signal,
    });
  }
  return options;
}

async function run(kind) {
  const folder = workspaceFolder();
  if (!folder) {
    await vscode.window.showErrorMessage(
      'pycontainer: open a folder holding a Python project first.',
    );
    return;
  }
  const warnings = [];
  const progressOptions = {
    location: vscode.ProgressLocation.Notification,
    title: TITLES[kind],
    cancellable: true,
  };
  try {
    const result = await vscode.window.withProgress(progressOptions, async (progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      const onProgress = (event) => {
        if (event.type === 'warning') warnings.push(event.message);
        const message = describe(event);
        if (message) progress.report({ message });
      };
      const options = await optionsFor(kind, folder, onProgress, controller.signal);
      // No reference given for a push: the user dismissed the input box.
      if (!options) return undefined;
      if (kind === 'plan') return { plan: await pycontainer.plan(options), output: options.output };
      return pycontainer.build(options);
    });
    for (const message of warnings)
      await vscode.window.showWarningMessage(`pycontainer: ${message}`);
    if (!result) return;
    if (kind === 'plan') showPlan(result);
    else await showBuilt(kind, result);
  } catch (err) {
    await showError(err, folder);
  }
}

async function showBuilt(kind, result) {
  const where =
    kind === 'push'
      ? `pushed to ${result.pushed.map((p) => p.reference).join(', ')}`
      : `written to ${result.output} as ${result.tags.join(', ')}`;
  await vscode.window.showInformationMessage(`pycontainer: ${result.manifestDigest} ${where}`);
}

// The settings behind the API options this extension sets, by the flag an error names.
const SETTINGS = {
  '--base-image': 'pycontainer.baseImage',
  '--tag': 'pycontainer.tags',
  '--output': 'pycontainer.output',
  '--insecure-registry': 'pycontainer.insecureRegistries',
};

function contextPath(folder) {
  return folder.uri.scheme === 'file' ? folder.uri.fsPath : folder.uri.path;
}

/**
 * The position of `key = ` (a TOML key, at the start of a line) in `doc`; the
 * start of the file when there is no key or it is not found there.
 */
function keyPosition(doc, key) {
  if (!key) return new vscode.Position(0, 0);
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`^[ \\t]*["']?${escaped}["']?[ \\t]*=`, 'm').exec(doc.getText());
  return m ? doc.positionAt(m.index + m[0].indexOf(key)) : new vscode.Position(0, 0);
}

/**
 * The file at fault in an error, with where in it: the API's typed `file`
 * (as the message names it: absolute, or relative to the project and maybe
 * followed by the table, `pyproject.toml [tool.pycontainer]`) with its
 * `line` and `column` or its `key`; else a message that starts with an
 * absolute `PATH:` or `PATH:LINE:COLUMN:` (1-based).
 */
function fileAtFault(err, folder) {
  const context = contextPath(folder).replace(/\/+$/, '');
  const message = String(err?.message ?? '');
  if (typeof err?.file === 'string') {
    const name = err.file.replace(/ \[.*\]$/, '');
    const position = err.line
      ? new vscode.Position(err.line - 1, err.column ? err.column - 1 : 0)
      : undefined;
    return { path: joinPath(context, name), key: err.key, position };
  }
  const m = /^(\/[^:\n]+?)(?::(\d+):(\d+))?: /.exec(message);
  if (!m?.[1].startsWith(`${context}/`)) return undefined;
  const line = m[2] ? Number(m[2]) - 1 : 0;
  return { path: m[1], position: new vscode.Position(line, m[3] ? Number(m[3]) - 1 : 0) };
}

/** Offers to open what is at fault: the setting an option came from, or the file. */
async function showError(err, folder) {
  if (err?.code === 'interrupted') {
    await vscode.window.showInformationMessage('pycontainer: cancelled; nothing was left behind.');
    return;
  }
  const message = `pycontainer: ${err?.message ?? String(err)}`;
  const setting = SETTINGS[err?.option];
  if (setting) {
    const action = 'Open Settings';
    if ((await vscode.window.showErrorMessage(message, action)) !== action) return;
    await vscode.commands.executeCommand('workbench.action.openSettings', setting);
    return;
  }
  const fault = fileAtFault(err, folder);
  if (!fault) {
    await vscode.window.showErrorMessage(message);
    return;
  }
  const action = `Open ${fault.path.slice(fault.path.lastIndexOf('/') + 1)}`;
  if ((await vscode.window.showErrorMessage(message, action)) !== action) return;
  const doc = await vscode.workspace.openTextDocument(uriOf(folder, fault.path));
  const at = fault.position ?? keyPosition(doc, fault.key);
  await vscode.window.showTextDocument(doc, { selection: new vscode.Range(at, at) });
}

function escapeHtml(value) {
  return String(value).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );
}

function row(name, value, rule) {
  const why = rule ? `<td class="rule">${escapeHtml(rule)}</td>` : '<td></td>';
  return `<tr><th>${escapeHtml(name)}</th><td>${escapeHtml(value)}</td>${why}</tr>`;
}

function list(title, items) {
  if (items.length === 0) return '';
  return `<h2>${escapeHtml(title)}</h2><ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
}

/** The plan as a page: each decision with the rule behind it, as `--dry-run` prints it. */
function planHtml(plan, output) {
  const python =
    plan.python.version ??
    (plan.python.minor === undefined
      ? 'from the base'
      : `${plan.python.major}.${plan.python.minor}`);
  const rows = [
    row('Base image', plan.base.image, plan.base.rule),
    row('Python', python, plan.python.rule),
    row('Entry point', plan.entrypoint.command.join(' '), plan.entrypoint.detail),
    row('Platform', plan.platform),
    row('Working directory', plan.workdir),
    row('User', plan.user ?? 'from the base'),
    row('Tags', plan.tags.join(', ')),
    row('Files', `${plan.files.count} (${plan.files.bytes} bytes)`),
    row('Output', output),
  ];
  const deps = plan.dependencies?.packages ?? [];
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>pycontainer plan</title>
<style>
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); }
th { text-align: left; padding-right: 1em; } .rule { opacity: 0.7; padding-left: 1em; }
</style></head><body>
<h1>pycontainer plan</h1>
<table>${rows.join('')}</table>
${list(
  'Layers',
  plan.layers.map((l) =>
    l.entries === undefined ? l.name : `${l.name}: ${l.entries} entries, ${l.bytes} bytes`,
  ),
)}
${list(
  'Dependencies',
  deps.map((p) => `${p.name} ${p.version}`),
)}
${list(
  'Excluded',
  plan.excluded.map((e) => `${e.path}: ${e.reason}`),
)}
${list(
  'Warnings',
  plan.warnings.map((w) => w.message),
)}
</body></html>`;
}

function showPlan({ plan, output }) {
  const panel = vscode.window.createWebviewPanel(
    'pycontainer.plan',
    'pycontainer plan',
    vscode.ViewColumn.Beside,
    { enableScripts: false },
  );
  panel.webview.html = planHtml(plan, output);
}

module.exports = { activate };
