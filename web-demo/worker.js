// The build, off the page's thread: this module worker loads the wasm core
// (wasm-bindgen's --target web glue), builds from the files the page sends
// with the in-memory browser host, and answers with the result, the layout's
// JSON and, when asked, the layout as a tar. Progress events go back as they
// come. A `cancel` message stops a build through the same AbortSignal logic
// the npm package uses (npm/lib/interrupt.js, copied into pkg/): the core
// then fails as on any error and takes back what it wrote.
//
// Messages in:  {type: 'build', id, files, options, archive}, {type: 'cancel', id}
// Messages out: {type: 'ready', version} or {type: 'failed', error} once;
//               then per build {id, type: 'progress', event}, and last
//               {id, type: 'done', result, layout, archive} or {id, type: 'error', error}.

import { createBrowserHost } from './browser-host.js';
import { openCacheStore } from './cache-store.js';
import { layoutArchive, readLayout } from './layout.js';
import init, { build, version } from './pkg/pycontainer.js';
import './pkg/interrupt.js';

const { interruptedError, interruptible } = globalThis.pycontainerInterrupt;

const ready = Promise.all([init(), openCacheStore()]);
/** id → the AbortController of a build under way. */
const running = new Map();

/** An error as plain data (structured clone keeps only an Error's message and name). */
function plainError(err) {
  if (typeof err !== 'object' || err === null) return { message: String(err) };
  return { ...err, name: err.name, message: err.message ?? String(err) };
}

async function runBuild({ id, files, options, archive }) {
  let cache;
  try {
    [, cache] = await ready;
  } catch (err) {
    self.postMessage({ id, type: 'error', error: plainError(err) });
    return;
  }
  const controller = new AbortController();
  running.set(id, controller);
  const onProgress = (event) => self.postMessage({ id, type: 'progress', event });
  const host = createBrowserHost({
    files: { ...Object.fromEntries(cache.files), ...files },
    onProgress,
  });
  let answer;
  try {
    const result = await build(options, interruptible(host, controller.signal));
    const out = result.output && !result.dryRun ? result.output : null;
    answer = {
      type: 'done',
      result,
      layout: out ? readLayout(host, out) : null,
      archive: out && archive ? layoutArchive(host, out) : null,
    };
  } catch (err) {
    answer = {
      type: 'error',
      error: plainError(controller.signal.aborted ? interruptedError(controller.signal) : err),
    };
  } finally {
    running.delete(id);
  }
  // Saved before answering, so that a page reloaded right after finds it. A
  // store that refuses (its quota is full) costs the next visit downloads,
  // not this build.
  if (options.cacheDir && !options.dryRun) {
    try {
      await cache.save(host, options.cacheDir);
    } catch (err) {
      console.warn(`pycontainer: the cache could not be kept for the next visit: ${err.message}`);
    }
  }
  self.postMessage({ id, ...answer }, answer.archive ? [answer.archive.buffer] : []);
}

self.onmessage = ({ data }) => {
  if (data.type === 'cancel') running.get(data.id)?.abort('the user');
  else if (data.type === 'build') runBuild(data);
};

ready.then(
  () => self.postMessage({ type: 'ready', version: version() }),
  (err) => self.postMessage({ type: 'failed', error: plainError(err) }),
);
