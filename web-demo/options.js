// The form's options as the core's build options. The project is always at
// /project, the cache at /cache (kept across visits, cache-store.js) and the
// layout at /out in the worker's in-memory tree.

import { PROJECT_DIR } from './project-input.js';

export const CACHE_DIR = '/cache';
const OUTPUT_DIR = '/out';

/** The form field behind each flag an error can name (the core's `option`). */
const FIELDS = {
  '--tag': 'tags',
  '--base-image': 'baseImage',
  '--env': 'env',
  '--platform': 'platform',
  '--index-url': 'indexUrl',
};

/** The field of `form` an error from the core is about, or undefined. */
export const fieldAtFault = (form, err) => form.elements[FIELDS[err.option]];

const words = (text) => text.split(/[\s,]+/).filter(Boolean);
const lines = (text) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/** The core's options for the form `form`: a layout always, pushed too when `push`. */
export function buildOptions(form, { push = false, dryRun = false } = {}) {
  const value = (name) => form.elements[name].value.trim();
  const options = {
    context: PROJECT_DIR,
    cwd: '/',
    cacheDir: CACHE_DIR,
    output: OUTPUT_DIR,
    baseImage: value('baseImage') || 'scratch',
    tags: words(value('tags')),
    platform: value('platform'),
    env: lines(form.elements.env.value),
  };
  if (value('indexUrl')) options.indexUrl = value('indexUrl');
  if (push) options.push = true;
  if (dryRun) options.dryRun = true;
  return options;
}
