'use strict';

// Getting a built image into the engine's store. The engine's image ID is
// the config's digest, which the build reports: when the engine already
// has it (the same project built before with nothing changed), the archive
// is not loaded again, only tagged, so that its names point at it.

const { engineChecked, engineCommand } = require('./command.js');

/** True when the engine's store holds the image whose ID is `id` (sha256:…). */
async function hasImage(engine, id, env) {
  const result = await engineCommand(engine, ['image', 'inspect', '--format', '{{.Id}}', id], {
    env,
  });
  return result.code === 0;
}

/**
 * Makes image `id` available in the engine under `names`: from the
 * docker-archive `archive` unless the engine already has it. Resolves
 * 'present' or 'loaded'.
 */
async function ensureImage(engine, { id, archive, names, env }) {
  if (await hasImage(engine, id, env)) {
    for (const name of names)
      await engineChecked(engine, `tag ${name}`, ['tag', id, name], { env });
    return 'present';
  }
  await engineChecked(engine, 'load', ['load', '-i', archive], { env });
  return 'loaded';
}

module.exports = { ensureImage };
