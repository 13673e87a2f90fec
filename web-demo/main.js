// The web demo's entry: one build worker (builder.js), the page wired to it
// (ui.js), the theme toggle, and the page's script API. Tests and the
// benchmark drive `window.pycontainerBuild(files, options, {onProgress})`,
// which builds in the same worker: `files` maps absolute paths to contents
// (e.g. `{'/project/pyproject.toml': '...'}`), `options` are the core's build
// options, and it resolves the core's BuildResult or rejects with its error
// (`code`, `message`).

import { createBuilder } from './builder.js';
import { setUpTheme } from './theme.js';
import { setUpPage } from './ui.js';

const builder = createBuilder();

window.pycontainerBuild = async (files, options, { onProgress } = {}) =>
  (await builder.run(files, options, { onProgress })).result;
window.pycontainerVersion = () => builder.ready;

setUpTheme(document.getElementById('theme'));
setUpPage(builder);
