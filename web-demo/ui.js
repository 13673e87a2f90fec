// The page: a project in (drop or picker), its plan, a build in the worker
// with progress and Cancel, then the result and the archive to download.
// Every control is a real button or input; the status line is aria-live.

import { h, shortDigest } from './dom.js';
import { buildOptions, fieldAtFault } from './options.js';
import { renderPlan } from './plan-view.js';
import { createProgressView } from './progress-view.js';
import { dropEntries, projectPaths, readDropped, readPicked } from './project-input.js';
import { renderResult } from './result-view.js';

const $ = (id) => document.getElementById(id);

/** Wires the page to `builder` (builder.js). */
export function setUpPage(builder) {
  const form = $('options');
  const progress = createProgressView($('progress'));
  const buttons = {
    build: $('build'),
    push: $('push'),
    cancel: $('cancel'),
    download: $('download'),
  };
  let project = null;
  let running = null; // the AbortController of the build under way
  let planRun = 0; // only the newest plan is shown
  let archiveUrl = null;

  function status(text, state = 'idle') {
    $('status').textContent = text;
    $('status').dataset.state = state;
  }

  function setBusy(busy) {
    buttons.build.disabled = busy || !project;
    buttons.push.disabled = busy || !project;
    buttons.cancel.disabled = !busy;
    document.body.classList.toggle('busy', busy);
  }

  async function showPlan() {
    if (!project) return;
    const run = ++planRun;
    // The plan shown stays (dimmed) until the new one is there: no jump.
    $('plan').setAttribute('aria-busy', 'true');
    let content;
    try {
      const { result } = await builder.run(project.files, buildOptions(form, { dryRun: true }));
      content = renderPlan(result.plan, projectPaths(project.files));
    } catch (err) {
      content = [h('p', { class: 'error', role: 'alert' }, err.message)];
    }
    if (run !== planRun) return;
    $('plan').replaceChildren(...content);
    $('plan').removeAttribute('aria-busy');
  }

  async function loadProject(read) {
    status('Reading the folder…', 'busy');
    try {
      project = await read();
    } catch (err) {
      status(`Could not read the folder: ${err.message}`, 'error');
      return;
    }
    $('project-name').textContent = project.name;
    $('project-count').textContent = `${project.count} file${project.count === 1 ? '' : 's'}`;
    $('project-info').hidden = false;
    clearResult();
    setBusy(false);
    status(`Loaded ${project.name}. Check the plan, then build.`);
    await showPlan();
  }

  /** No image shown, none to download: a new project, or a new build under way. */
  function clearResult() {
    $('result').replaceChildren(h('p', { class: 'muted' }, 'Not built yet.'));
    setDownload(null);
  }

  function setDownload(archive) {
    if (archiveUrl) URL.revokeObjectURL(archiveUrl);
    archiveUrl = archive
      ? URL.createObjectURL(new Blob([archive], { type: 'application/x-tar' }))
      : null;
    buttons.download.disabled = !archiveUrl;
  }

  async function build({ push }) {
    running = new AbortController();
    setBusy(true);
    progress.reset();
    clearResult();
    const started = performance.now();
    status(push ? 'Building and pushing…' : 'Building…', 'busy');
    try {
      const { result, layout, archive } = await builder.run(
        project.files,
        buildOptions(form, { push }),
        { onProgress: progress.update, archive: true, signal: running.signal },
      );
      $('result').replaceChildren(...renderResult(result, layout));
      setDownload(archive);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const pushed =
        result.pushed.length > 0 ? ` and pushed to ${result.pushed.length} tag(s)` : '';
      status(`Built ${shortDigest(result.manifestDigest)}${pushed} in ${seconds} s.`, 'ok');
    } catch (err) {
      if (err.code === 'interrupted')
        status('Cancelled: nothing was kept from that build.', 'idle');
      else {
        status(`Build failed (${err.code ?? 'error'}): ${err.message}`, 'error');
        fieldAtFault(form, err)?.setAttribute('aria-invalid', 'true');
      }
    } finally {
      running = null;
      progress.finish();
      setBusy(false);
    }
  }

  $('folder').addEventListener('change', (e) => {
    const files = e.target.files;
    if (files.length > 0) loadProject(() => readPicked(files));
  });
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const entries = dropEntries(e.dataTransfer);
    loadProject(() => readDropped(entries));
  });
  form.addEventListener('change', () => {
    for (const field of form.querySelectorAll('[aria-invalid]'))
      field.removeAttribute('aria-invalid');
    showPlan();
  });
  form.addEventListener('submit', (e) => e.preventDefault());
  buttons.build.addEventListener('click', () => build({ push: false }));
  buttons.push.addEventListener('click', () => build({ push: true }));
  buttons.cancel.addEventListener('click', () => {
    status('Cancelling…', 'busy');
    running?.abort();
  });
  buttons.download.addEventListener('click', () => {
    h('a', { href: archiveUrl, download: `${project.name}.oci.tar` }).click();
  });

  builder.ready.then(
    (version) => {
      $('version').textContent = `core ${version}`;
      status('Ready. Drop a project folder or choose one.');
    },
    (err) => status(`The wasm core did not load: ${err.message}`, 'error'),
  );
  setBusy(false);
}
