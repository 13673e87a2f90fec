// A project folder into the page, as the core's input: `{name, files}` with
// `files` mapping `/project/<path in the folder>` to its bytes. From a drop
// (the File and Directory Entries API: webkitGetAsEntry, then every batch
// of each directory reader) or from <input type=file webkitdirectory>.
// Neither API gives file modes or symlinks: every file arrives as a plain
// 0644 file.

export const PROJECT_DIR = '/project';

/** The paths of a project's `files` (as read here), relative to the project. */
export function projectPaths(files) {
  return Object.keys(files).map((p) => p.slice(PROJECT_DIR.length + 1));
}

const promised = (fn) => new Promise((resolve, reject) => fn(resolve, reject));

/** Every entry in a directory: readEntries answers in batches (100 in Chromium) until an empty one. */
async function readAll(dirEntry) {
  const reader = dirEntry.createReader();
  const all = [];
  for (;;) {
    const batch = await promised((ok, fail) => reader.readEntries(ok, fail));
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

/** The files under `entry`, as [path relative to the dropped folder, File]. */
async function walk(entry, rel, out) {
  if (entry.isFile) {
    out.push([rel, await promised((ok, fail) => entry.file(ok, fail))]);
  } else if (entry.isDirectory) {
    for (const child of await readAll(entry)) {
      await walk(child, rel ? `${rel}/${child.name}` : child.name, out);
    }
  }
}

async function toProject(name, pairs) {
  const files = {};
  for (const [rel, file] of pairs) {
    files[`${PROJECT_DIR}/${rel}`] = new Uint8Array(await file.arrayBuffer());
  }
  return { name, files, count: pairs.length };
}

/**
 * The entries of a drop. Call it in the drop handler itself: a DataTransfer
 * is emptied once the event is over. A single folder is the project; loose
 * files (or several folders) become a project named after the first.
 */
export function dropEntries(dataTransfer) {
  return [...dataTransfer.items]
    .filter((item) => item.kind === 'file')
    .map((item) => item.webkitGetAsEntry())
    .filter(Boolean);
}

/** The project in the entries `dropEntries` took from a drop. */
export async function readDropped(entries) {
  if (entries.length === 0) throw new Error('nothing was dropped that can be read as files');
  const pairs = [];
  if (entries.length === 1 && entries[0].isDirectory) {
    await walk(entries[0], '', pairs);
    return toProject(entries[0].name, pairs);
  }
  for (const entry of entries) await walk(entry, entry.name, pairs);
  return toProject(entries[0].name, pairs);
}

/** The project a folder picker chose: its files, their top directory dropped. */
export async function readPicked(fileList) {
  const all = [...fileList];
  if (all.length === 0) throw new Error('the folder chosen has no files');
  const name = all[0].webkitRelativePath.split('/')[0];
  const pairs = all.map((file) => [file.webkitRelativePath.split('/').slice(1).join('/'), file]);
  return toProject(name, pairs);
}
