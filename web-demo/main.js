// The web demo: the wasm core (wasm-bindgen --target web output) with the
// in-memory browser host. `window.pycontainerBuild(files, options)` is the
// whole API the page needs; the browser test drives it directly.

import { createBrowserHost } from './browser-host.js';
import init, { build, version } from './pkg/pycontainer.js';

const ready = init();

/**
 * Builds (and with `push: true`, pushes) an image. `files` maps absolute
 * paths to contents, e.g. `{'/project/pyproject.toml': '...'}`; `options` are
 * the core's build options (`context`, `cwd` or `output`, `tags`, `baseImage`,
 * `push`, `cacheDir`, ...).
 */
async function pycontainerBuild(files, options, { onProgress } = {}) {
  await ready;
  return build(options, createBrowserHost({ files, onProgress }));
}

window.pycontainerBuild = pycontainerBuild;
window.pycontainerVersion = async () => {
  await ready;
  return version();
};

/** The chosen folder as `/project/...` paths (its top directory name dropped). */
async function readProject(fileList) {
  const files = {};
  for (const file of fileList) {
    const rel = file.webkitRelativePath.split('/').slice(1).join('/');
    files[`/project/${rel}`] = new Uint8Array(await file.arrayBuffer());
  }
  return files;
}

function setUpForm() {
  const $ = (id) => document.getElementById(id);
  const log = (line) => {
    $('log').textContent += `${line}\n`;
  };
  ready.then(
    () => {
      $('version').textContent = version();
      $('build').disabled = false;
    },
    (err) => log(`cannot load the wasm core: ${err.message}`),
  );
  $('form').addEventListener('submit', async (event) => {
    event.preventDefault();
    $('log').textContent = '';
    try {
      const files = await readProject($('project').files);
      const options = {
        context: '/project',
        cwd: '/',
        cacheDir: '/cache',
        baseImage: $('base').value.trim() || 'scratch',
        tags: [$('tag').value.trim()],
        push: true,
      };
      const onProgress = (e) => {
        if (e.type === 'transfer' && e.bytes === e.total) log(`${e.action} ${e.digest}`);
      };
      const result = await pycontainerBuild(files, options, { onProgress });
      for (const p of result.pushed) log(`pushed ${p.reference}`);
    } catch (err) {
      log(`error: ${err.message}`);
    }
  });
}

setUpForm();
