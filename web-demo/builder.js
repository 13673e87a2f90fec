// The page's side of worker.js: one module worker, builds sent to it by id,
// their progress and answers routed back. `run` is what both the page and
// `window.pycontainerBuild` call.

/** An Error again, from the plain data the worker sent (code, file, flag… kept). */
const toError = (data) => Object.assign(new Error(data.message), data);

export function createBuilder() {
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  const pending = new Map();
  let nextId = 1;
  let settleReady;
  const ready = new Promise((resolve, reject) => {
    settleReady = { resolve, reject };
  });

  worker.onmessage = ({ data }) => {
    if (data.type === 'ready') return settleReady.resolve(data.version);
    if (data.type === 'failed') return settleReady.reject(toError(data.error));
    const job = pending.get(data.id);
    if (!job) return;
    if (data.type === 'progress') return job.onProgress?.(data.event);
    pending.delete(data.id);
    if (data.type === 'done') job.resolve(data);
    else job.reject(toError(data.error));
  };
  // A script that fails to load (a missing pkg/) reaches here, not onmessage.
  worker.onerror = (event) => {
    const err = new Error(`the build worker failed: ${event.message || 'it could not be loaded'}`);
    settleReady.reject(err);
    for (const job of pending.values()) job.reject(err);
    pending.clear();
  };

  /**
   * Builds in the worker. `files` maps absolute paths to contents; `options`
   * are the core's build options. Resolves `{result, layout, archive}`:
   * `layout` is the written layout's {index, manifest, config}, `archive` its
   * tar when `archive` is set. `signal` cancels: the build then rejects with
   * code `interrupted` once the core has taken back what it wrote.
   */
  function run(files, options, { onProgress, archive = false, signal } = {}) {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject, onProgress });
      signal?.addEventListener('abort', () => worker.postMessage({ type: 'cancel', id }), {
        once: true,
      });
      worker.postMessage({ type: 'build', id, files, options, archive });
    });
  }

  return { ready, run };
}
