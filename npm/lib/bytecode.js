'use strict';

// The Node host's bytecode compiler: CPython itself, compiled to
// WebAssembly by the Pyodide project, one npm package per CPython minor
// (optional dependencies of this package, so an install may leave them
// out). No Python on the build machine is used or needed.

// The npm alias of the Pyodide release for each CPython minor, and the
// magic number that minor's .pyc files start with (importlib.util.MAGIC_NUMBER).
const COMPILERS = {
  3.11: { pkg: 'pyodide-cp311', magic: 'a70d0d0a' },
  3.12: { pkg: 'pyodide-cp312', magic: 'cb0d0d0a' },
  3.13: { pkg: 'pyodide-cp313', magic: 'f30d0d0a' },
  3.14: { pkg: 'pyodide-cp314', magic: '2b0e0d0a' },
};

// Compiles every source to an unchecked-hash .pyc; a source CPython
// refuses (a Python 2 file in a package, say) gets None, as compileall
// skips it. Sources and pycs go through Pyodide's in-memory file system.
const COMPILE = `
import py_compile
_pyc_ok = []
for _i, _dfile in enumerate(_pyc_paths):
    try:
        py_compile.compile(f"/pyc/{_i}.py", cfile=f"/pyc/{_i}.pyc", dfile=_dfile, doraise=True,
                           invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
        _pyc_ok.append(True)
    except py_compile.PyCompileError:
        _pyc_ok.append(False)
`;

/** The installed compiler package for `minor`, or undefined. */
function compilerFor(minor) {
  const c = COMPILERS[minor];
  if (!c) return undefined;
  try {
    require.resolve(c.pkg);
  } catch {
    return undefined;
  }
  return c;
}

/**
 * The `bytecodeMagic` and `compileBytecode` host methods. The interpreter
 * loads (a few seconds) only when something is compiled, once per process.
 */
function createBytecode() {
  const loaded = new Map();

  function load(minor) {
    if (!loaded.has(minor)) {
      const c = compilerFor(minor);
      if (!c) return Promise.reject(new Error(`no CPython ${minor} compiler is installed`));
      const { loadPyodide } = require(c.pkg);
      // A fixed hash seed: set and frozenset constants are marshalled in
      // hash order, which must not change from one build to the next.
      const started = loadPyodide({
        env: { PYTHONHASHSEED: '0' },
        stdout: () => {},
        stderr: () => {},
      }).then((py) => {
        const magic = Buffer.from(
          py.runPython('import importlib.util\nimportlib.util.MAGIC_NUMBER').toJs(),
        ).toString('hex');
        if (magic !== c.magic) {
          throw new Error(
            `${c.pkg} writes bytecode with magic ${magic}, not CPython ${minor}'s ${c.magic}`,
          );
        }
        py.FS.mkdirTree('/pyc');
        return py;
      });
      loaded.set(minor, started);
    }
    return loaded.get(minor);
  }

  return {
    /** Starts the interpreter now; compileBytecode reports a failure. */
    prepareBytecode(minor) {
      load(minor)?.catch(() => {});
    },

    bytecodeMagic(minor) {
      return compilerFor(minor)?.magic ?? null;
    },

    /**
     * @param {string} minor `3.11`
     * @param {string} index JSON `[[path in the image, length], ...]`
     * @param {Uint8Array} view the sources, one after the other
     * @returns {Promise<{lengths: string, bytes: Uint8Array}>} JSON lengths, `null` for a refused source
     */
    async compileBytecode(minor, index, view) {
      // A view of the core's memory: copied before the first await, for the
      // memory may grow meanwhile (another platform's layer being built),
      // which detaches the view.
      const bytes = view.slice();
      const py = await load(minor);
      const sources = JSON.parse(index);
      let at = 0;
      sources.forEach(([, length], i) => {
        py.FS.writeFile(`/pyc/${i}.py`, bytes.subarray(at, at + length));
        at += length;
      });
      const paths = py.toPy(sources.map(([p]) => p));
      py.globals.set('_pyc_paths', paths);
      try {
        py.runPython(COMPILE);
        const ok = py.globals.get('_pyc_ok').toJs();
        const pycs = sources.map((_, i) => (ok[i] ? py.FS.readFile(`/pyc/${i}.pyc`) : null));
        return {
          lengths: JSON.stringify(pycs.map((p) => (p ? p.length : null))),
          bytes: Buffer.concat(pycs.filter(Boolean)),
        };
      } finally {
        paths.destroy();
        sources.forEach((_, i) => {
          for (const f of [`/pyc/${i}.py`, `/pyc/${i}.pyc`]) {
            try {
              py.FS.unlink(f);
            } catch {
              // A refused source has no .pyc.
            }
          }
        });
      }
    },
  };
}

module.exports = { createBytecode, COMPILERS };
