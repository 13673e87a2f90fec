// The bad-input catalog: one line per case; catalog.test.mjs runs them.
//
// Run one case with node --test --test-name-pattern=ID tests/e2e/catalog.test.mjs.
// A case: {id, area, names, ...setup}. By default the runner copies
// examples/hello-cli to {ctx} and runs
//   pycontainer build --context {ctx} --output {out} --base-image scratch ARGS...
// (a later flag wins, so ARGS may override those; `drop` removes one). Fields:
//   files    {path under {ctx} ('../x' is beside it): content}: a string
//            (placeholders filled in), a Buffer, link(target), DIR,
//            latin1Name(content), or null to delete
//   project  'empty' to start from an empty {ctx} instead of the example
//   args     extra build flags;  argv  the whole command line instead
//   env      extra environment (undefined removes a variable)
//   stdin    what the CLI reads on standard input
//   base     a mutation of {base}, a copy of a small valid layout (tag 1)
//            to build on; true for the copy unchanged
//   layout   the same for {layout}, a copy of a valid build (tag 1)
//   output   the same, but the copy is {out} (an existing layout)
//   registry true when the case talks to the catalog's registry ({reg},
//            Basic auth; none of the planted passwords is right)
//   exit     the exit status (default 1; 2 for usage errors)
//   names    strings (placeholders filled in) or regexes that the output
//            must contain: the file, key, flag or blob at fault (stderr;
//            for `validate`, whose report of problems is on stdout, both)
//   known    'why': the case shows a defect not fixed yet; it is skipped
// Placeholders: {dir} (the case's directory), {ctx}, {out}, {base},
// {layout}, {reg}, and {py}: a small base with a CPython (the synthetic
// arm64 probe image), needed before dependencies are read.

import { editIndex, flip, layerOf, remove, rewrite, truncate, write } from './layouts.mjs';

export const AREAS = [
  'context',
  'project',
  'config',
  'locks',
  'flags',
  'bases',
  'layouts',
  'push',
  'validate',
];

/** Planted in every case (environment, docker config, files); none may ever be printed. */
export const SECRETS = {
  registry: 'catalog-registry-password-S3cr3t',
  registryGood: 'catalog-registry-right-S3cr3t',
  index: 'catalog-index-token-S3cr3t',
  docker: 'catalog-docker-password-S3cr3t',
  env: 'catalog-env-token-S3cr3t',
  url: 'catalog-url-token-S3cr3t',
};

const link = (target) => ({ symlink: target });
const DIR = { dir: true };
/** A file holding `content` whose name is written in Latin-1: not UTF-8. */
const latin1Name = (content) => ({ latin1Name: content });
const T = SECRETS.url;
// biome-ignore lint/suspicious/noTemplateCurlyInString: a requirements-file variable, not JS
const VAR = '${CATALOG_TOKEN}';
const HEAD = '[project]\nname = "hello-cli"\nversion = "0.1.0"\n';
const SCRIPTS = '\n[project.scripts]\nhello = "hello.cli:main"\n';
/** pyproject.toml: the example's [project] plus `body`, then its scripts. */
const py = (body) => ({ files: { 'pyproject.toml': `${HEAD}${body}\n${SCRIPTS}` } });
/** The example's pyproject.toml with a [tool.pycontainer] table. */
const tool = (body) => ({
  files: { 'pyproject.toml': `${HEAD}${SCRIPTS}\n[tool.pycontainer]\n${body}\n` },
});
/** pycontainer.toml's [build] table. */
const cfg = (body, more = {}) => ({ files: { 'pycontainer.toml': `[build]\n${body}\n`, ...more } });
const PYC = '{ctx}/pycontainer.toml';
/** pycontainer.toml's [runtime] table. */
const rt = (body) => ({ files: { 'pycontainer.toml': `[runtime]\n${body}\n` } });
/** `pycontainer deploy` of {ctx} (which always pushes: a tag naming a registry must follow). */
const DEPLOY = ['deploy', '--context', '{ctx}', '--base-image', 'scratch'];
const PYP = '{ctx}/pyproject.toml';
/** A pyproject.toml that declares `deps` (a TOML array body). */
const deps = (list) => py(`dependencies = [${list}]`);
const SIX = 'six-1.17.0-py2.py3-none-any.whl';
/** Build on a base with a CPython (needed before dependencies are read). */
const PY = ['--base-image', '{py}'];
const SIXHASH = 'sha256:1e61c37477a1626458e36f7b1d82aa5c9b094fa4802892072e49de9c60c4c926';
/** uv.lock with `head`, the project (depending on six) and `pkgs`. */
const uv = (head, pkgs) => ({
  files: {
    'pyproject.toml': `${HEAD}dependencies = ["six"]\n${SCRIPTS}`,
    'uv.lock': `${head}requires-python = ">=3.9"\n[[package]]\nname = "hello-cli"\nversion = "0.1.0"\nsource = { editable = "." }\ndependencies = [{ name = "six" }]\n${pkgs}`,
  },
});
const UV_SIX = `[[package]]\nname = "six"\nversion = "1.17.0"\nsource = { registry = "https://pypi.org/simple" }\nwheels = [{ url = "https://127.0.0.1:1/${SIX}", hash = "${SIXHASH}" }]\n`;
/** poetry.lock holding `pkgs`, for a project that depends on six. */
const poetry = (pkgs) => ({
  files: {
    'pyproject.toml': `${HEAD}dependencies = ["six"]\n${SCRIPTS}`,
    'poetry.lock': `${pkgs}[metadata]\nlock-version = "2.1"\npython-versions = ">=3.9"\ncontent-hash = "x"\n`,
  },
});
const pylock = (pkgs) => `lock-version = "1.0"\ncreated-by = "catalog"\n${pkgs}`;
const pylockSix = (wheel) => pylock(`[[packages]]\nname = "six"\nversion = "1.17.0"\n${wheel}\n`);

// biome-ignore format: one line per case
export const CASES = [
  // ---- context -------------------------------------------------------------
  { id: 'missing-dir', area: 'context', args: ['--context', '{dir}/nope'], names: ['{dir}/nope', /does not exist/] },
  { id: 'a-file', area: 'context', args: ['--context', '{ctx}/pyproject.toml'], names: ['{ctx}/pyproject.toml', /not a directory/] },
  { id: 'empty-flag', area: 'context', args: ['--context', ''], exit: 2, names: ['--context'] },
  { id: 'symlink-loop', area: 'context', files: { '../loop': link('loop') }, args: ['--context', '{dir}/loop'], names: ['{dir}/loop'] },
  { id: 'dangling-link', area: 'context', files: { '../gone': link('nowhere') }, args: ['--context', '{dir}/gone'], names: ['{dir}/gone'] },
  { id: 'no-python', area: 'context', project: 'empty', files: { 'README.md': '# docs\n', 'sub/notes.txt': 'x\n' }, names: ['{ctx}', /pyproject\.toml/] },
  { id: 'empty-dir', area: 'context', project: 'empty', names: ['{ctx}', /pyproject\.toml/] },
  { id: 'symlink-absolute-out', area: 'context', files: { 'src/hello/passwd': link('/etc/passwd') }, names: ['{ctx}/src/hello/passwd', '"/etc/passwd"', /outside the build context/] },
  { id: 'symlink-climbs-out', area: 'context', files: { '../outside': 'secret\n', 'src/out-link': link('../../outside') }, names: ['{ctx}/src/out-link', '"../../outside"', /outside the build context/] },
  { id: 'symlink-root-sibling', area: 'context', files: { sibling: link('../x') }, names: ['{ctx}/sibling', /outside the build context/] },
  { id: 'symlink-dir-out', area: 'context', files: { lib: link('/usr/lib') }, names: ['{ctx}/lib', /outside the build context/] },
  { id: 'pyproject-dangling', area: 'context', files: { 'pyproject.toml': link('missing.toml') }, names: [PYP] },
  { id: 'pyproject-self-loop', area: 'context', files: { 'pyproject.toml': link('pyproject.toml') }, names: [PYP] },
  { id: 'pyproject-is-dir', area: 'context', files: { 'pyproject.toml': DIR }, names: [PYP] },
  { id: 'pyproject-links-out', area: 'context', files: { 'pyproject.toml': link('/etc/hostname') }, names: [PYP, /outside the build context/] },
  { id: 'dockerignore-bad-bracket', area: 'context', files: { '.dockerignore': 'src/[abc\n' }, names: ['{ctx}/.dockerignore', /\[abc/] },
  { id: 'dockerignore-trailing-escape', area: 'context', files: { '.dockerignore': 'docs\nsrc\\\n' }, names: ['{ctx}/.dockerignore', /:2/] },
  { id: 'dockerignore-is-dir', area: 'context', files: { '.dockerignore': DIR }, names: ['{ctx}/.dockerignore', /EISDIR|directory/] },
  { id: 'include-outside', area: 'context', args: ['--include', '../outside'], exit: 2, names: ['--include', '../outside', /outside/] },
  { id: 'exclude-bad-pattern', area: 'context', args: ['--exclude', 'src/[x'], exit: 2, names: ['--exclude', 'src/[x'] },
  { id: 'non-utf8-name', area: 'context', files: { 'src/caf\xe9.py': latin1Name('x = 1\n') }, names: [/caf/] },

  // ---- project files -------------------------------------------------------
  { id: 'toml-unterminated-string', area: 'project', files: { 'pyproject.toml': '[project]\nname = "broken"\nversion = "0.1.0"\n# c\ndescription = "no end\n' }, names: [`${PYP}:5:`] },
  { id: 'toml-duplicate-key', area: 'project', files: { 'pyproject.toml': '[project]\nname = "a"\nname = "b"\n' }, names: [`${PYP}:3:`, /duplicate/] },
  { id: 'toml-open-header', area: 'project', files: { 'pyproject.toml': '[project\nname = "a"\n' }, names: [`${PYP}:1:`] },
  { id: 'toml-missing-value', area: 'project', files: { 'pyproject.toml': '[project]\nname =\n' }, names: [`${PYP}:2:`] },
  { id: 'toml-bad-escape', area: 'project', files: { 'pyproject.toml': '[project]\nname = "a\\qb"\n' }, names: [`${PYP}:2:`] },
  { id: 'toml-table-twice', area: 'project', files: { 'pyproject.toml': '[project]\nname = "a"\n[project]\nversion = "1"\n' }, names: [`${PYP}:3:`] },
  { id: 'toml-not-utf8', area: 'project', files: { 'pyproject.toml': Buffer.from([0x5b, 0x70, 0x5d, 0x0a, 0x61, 0x3d, 0x22, 0xff, 0xfe, 0x22, 0x0a]) }, names: [PYP, /UTF-8/i] },
  { id: 'project-not-table', area: 'project', files: { 'pyproject.toml': 'project = 3\n' }, names: [PYP, /project/] },
  { id: 'name-integer', area: 'project', files: { 'pyproject.toml': '[project]\nname = 5\nversion = "1"\n' }, names: [PYP, 'project.name'] },
  { id: 'name-invalid', area: 'project', files: { 'pyproject.toml': '[project]\nname = "-bad name-"\nversion = "1"\n' }, names: [PYP, 'project.name', '-bad name-'] },
  { id: 'version-integer', area: 'project', files: { 'pyproject.toml': '[project]\nname = "a"\nversion = 1\n' }, names: [PYP, 'project.version'] },
  { id: 'version-invalid', area: 'project', files: { 'pyproject.toml': '[project]\nname = "a"\nversion = "not a version"\n' }, names: [PYP, 'project.version', 'not a version'] },
  { id: 'requires-python-integer', area: 'project', ...py('requires-python = 3'), names: [PYP, 'project.requires-python'] },
  { id: 'requires-python-bad', area: 'project', ...py('requires-python = ">=3.x"'), names: ['pyproject.toml', '>=3.x'] },
  { id: 'requires-python-excludes', area: 'project', ...py('requires-python = ">=3.12"'), args: [...PY], names: ['requires-python', '>=3.12', '3.11'] },
  { id: 'dependencies-string', area: 'project', ...py('dependencies = "six"'), args: PY, names: [PYP, 'project.dependencies'] },
  { id: 'dependencies-integer-item', area: 'project', ...deps('1'), args: PY, names: [PYP, 'project.dependencies'] },
  { id: 'dependency-bad-operator', area: 'project', ...deps('"six >>> 1"'), args: PY, names: ['pyproject.toml', '`dependencies`', 'six >>> 1'] },
  { id: 'dependency-empty-url', area: 'project', ...deps('"six @ "'), args: PY, names: ['pyproject.toml', '`dependencies`', 'six @ '] },
  { id: 'dependency-bad-marker', area: 'project', ...deps('"six; python_version >> \'3\'"'), args: PY, names: ['pyproject.toml', '`dependencies`', 'python_version'] },
  { id: 'dependency-bad-extra', area: 'project', ...deps('"six[bad extra]"'), args: PY, names: ['pyproject.toml', '`dependencies`', 'six[bad extra]'] },
  { id: 'dependency-bad-version', area: 'project', ...deps('"six ==1.x.y"'), args: PY, names: ['pyproject.toml', '`dependencies`', '1.x.y'] },
  { id: 'dependency-token-url', area: 'project', ...deps(`"six @ https://u:${T}@127.0.0.1:1/${SIX}", "bad >>>"`), args: PY, names: ['pyproject.toml', '`dependencies`', 'bad >>>'] },
  { id: 'optional-deps-integer', area: 'project', ...py('optional-dependencies = 3'), args: PY, names: [PYP, 'project.optional-dependencies'] },
  { id: 'optional-deps-bad-item', area: 'project', ...py('optional-dependencies = { web = ["@@"] }'), args: [...PY, '--extra', 'web'], names: [PYP, '@@'] },
  { id: 'license-integer', area: 'project', ...py('license = 5'), names: [PYP, 'project.license'] },
  { id: 'scripts-integer', area: 'project', files: { 'pyproject.toml': `${HEAD}scripts = 3\n` }, names: [PYP, 'project.scripts'] },
  { id: 'script-value-integer', area: 'project', files: { 'pyproject.toml': `${HEAD}[project.scripts]\nhello = 3\n` }, names: [PYP, 'hello'] },
  { id: 'script-no-function', area: 'project', files: { 'pyproject.toml': `${HEAD}[project.scripts]\nhello = "hello.cli"\n` }, names: [PYP, 'hello', 'hello.cli'] },
  { id: 'script-bad-module', area: 'project', files: { 'pyproject.toml': `${HEAD}[project.scripts]\nhello = "hello cli:main"\n` }, names: [PYP, 'hello cli:main'] },
  { id: 'script-name-slash', area: 'project', files: { 'pyproject.toml': `${HEAD}[project.scripts]\n"a/b" = "hello.cli:main"\n` }, names: [PYP, 'a/b'] },
  { id: 'script-name-dotdot', area: 'project', files: { 'pyproject.toml': `${HEAD}[project.scripts]\n".." = "hello.cli:main"\n` }, names: [PYP, '".."'] },
  { id: 'gui-script-python3', area: 'project', ...py('gui-scripts = { python3 = "m:f" }'), names: [PYP, 'project.gui-scripts', 'python3'] },
  { id: 'script-name-twice', area: 'project', ...py('gui-scripts = { hello = "hello.cli:main" }'), names: [PYP, 'hello'] },
  { id: 'readme-integer', area: 'project', ...py('readme = 5'), names: [PYP, 'project.readme'] },
  { id: 'authors-string', area: 'project', ...py('authors = "me"'), names: [PYP, 'project.authors'] },
  { id: 'keywords-string', area: 'project', ...py('keywords = "a"'), names: [PYP, 'project.keywords'] },
  { id: 'classifiers-integer', area: 'project', ...py('classifiers = 3'), names: [PYP, 'project.classifiers'] },
  { id: 'dynamic-string', area: 'project', ...py('dynamic = "x"'), names: [PYP, 'project.dynamic'] },
  { id: 'entry-points-integer', area: 'project', ...py('entry-points = 3'), names: [PYP, 'project.entry-points'] },
  { id: 'poetry-bad-python', area: 'project', files: { 'pyproject.toml': '[tool.poetry]\nname = "a"\nversion = "1"\n[tool.poetry.scripts]\nhello = "hello.cli:main"\n[tool.poetry.dependencies]\npython = ">=three"\n' }, names: ['pyproject.toml [tool.poetry.dependencies]', '>=three'], args: PY },
  { id: 'poetry-deps-integer', area: 'project', files: { 'pyproject.toml': '[tool.poetry]\nname = "a"\nversion = "1"\ndependencies = 3\n' }, names: [PYP, 'dependencies'] },
  { id: 'setupcfg-bad-ini', area: 'project', files: { 'pyproject.toml': null, 'setup.cfg': '[metadata\nname = a\n' }, names: ['{ctx}/setup.cfg'], args: ['--entrypoint', 'python3 -m hello'] },
  { id: 'setupcfg-bad-requirement', area: 'project', files: { 'pyproject.toml': null, 'setup.cfg': '[metadata]\nname = a\nversion = 1\n[options]\ninstall_requires =\n  six >>> 1\n' }, names: ['setup.cfg', 'six >>> 1'], args: ['--entrypoint', 'python3 -m hello'] },
  { id: 'setupcfg-bad-script', area: 'project', files: { 'pyproject.toml': null, 'setup.cfg': '[metadata]\nname = a\nversion = 1\n[options.entry_points]\nconsole_scripts =\n  a/b = m:f\n' }, names: ['{ctx}/setup.cfg', 'a/b'] },
  { id: 'requirements-bad-operator', area: 'project', files: { 'requirements.txt': 'six\nflask >>> 2\n' }, args: PY, names: ['requirements.txt line 2', 'flask >>> 2'] },
  { id: 'requirements-missing-include', area: 'project', files: { 'requirements.txt': '-r other.txt\n' }, args: PY, names: ['requirements.txt', 'other.txt'] },
  { id: 'requirements-unknown-option', area: 'project', files: { 'requirements.txt': '--bogus-option\nsix\n' }, args: PY, names: ['requirements.txt line 1', '--bogus-option'] },
  { id: 'requirements-bad-hash', area: 'project', files: { 'requirements.txt': 'six==1.17.0 --hash=sha256:zz\n' }, args: PY, names: ['requirements.txt line 1', 'sha256:zz'] },
  { id: 'requirements-token-url', area: 'project', files: { 'requirements.txt': `six @ https://u:${T}@127.0.0.1:1/${SIX} ; bad >>\n` }, args: PY, names: ['requirements.txt line 1'] },
  { id: 'requirements-expanded-var', area: 'project', files: { 'requirements.txt': `six @ https://u:${VAR}@127.0.0.1:1/x.whl ; os_name >> "x"\n` }, args: PY, names: ['requirements.txt line 1', 'https://***@127.0.0.1:1/x.whl'] },
  { id: 'python-version-garbage', area: 'project', files: { '.python-version': 'three\n' }, drop: ['--base-image'], names: ['.python-version', 'three'] },
  { id: 'runtime-txt-garbage', area: 'project', files: { 'runtime.txt': 'python-3.x\n' }, drop: ['--base-image'], names: ['runtime.txt', 'python-3.x'] },
  { id: 'extra-unknown', area: 'project', args: [...PY, '--extra', 'nosuch'], names: ['--extra', 'nosuch'] },
  { id: 'group-unknown', area: 'project', args: [...PY, '--group', 'nosuch'], names: ['--group', 'nosuch'] },
  // ---- config: pycontainer.toml, [tool.pycontainer], --config, PYCONTAINER_* --
  { id: 'file-toml-syntax', area: 'config', ...cfg('tags = ["a:1"'), names: [`${PYC}:`] },
  { id: 'file-unknown-key', area: 'config', ...cfg('base_image = "scratch"'), names: [PYC, 'base_image', 'base-image'] },
  { id: 'file-unknown-table', area: 'config', files: { 'pycontainer.toml': '[bild]\nworkdir = "/srv"\n' }, names: [PYC, 'bild'] },
  { id: 'file-build-not-table', area: 'config', files: { 'pycontainer.toml': 'build = 3\n' }, names: [PYC, 'build'] },
  { id: 'file-tags-string', area: 'config', ...cfg('tags = "a:1"'), names: [PYC, 'tags'] },
  { id: 'file-tags-bad', area: 'config', ...cfg('tags = ["Bad:1"]'), names: [PYC, 'tag', 'Bad:1'] },
  { id: 'file-ports-range', area: 'config', ...cfg('ports = [70000]'), names: [PYC, 'ports', '70000'] },
  { id: 'file-ports-proto', area: 'config', ...cfg('ports = ["80/sctp"]'), names: [PYC, 'ports', 'sctp'] },
  { id: 'file-env-list', area: 'config', ...cfg('env = ["FOO"]'), names: [PYC, 'env'] },
  { id: 'file-env-bad-name', area: 'config', ...cfg('env = { "A=B" = "1" }'), names: [PYC, '`env`', '"A=B"'] },
  { id: 'file-label-blank-key', area: 'config', ...cfg('labels = { " " = "x" }'), names: [PYC, '`labels`', '" "'] },
  { id: 'tool-annotation-bad-key', area: 'config', ...tool('annotations = { "a=b" = "x" }'), names: ['pyproject.toml [tool.pycontainer]', '`annotations`', '"a=b"'] },
  { id: 'file-labels-int', area: 'config', ...cfg('labels = 3'), names: [PYC, 'labels'] },
  { id: 'file-user-bad', area: 'config', ...cfg('user = "a:b:c"'), names: [PYC, 'user'] },
  { id: 'file-workdir-relative', area: 'config', ...cfg('workdir = "srv"'), names: [PYC, 'workdir', 'srv'] },
  { id: 'file-workdir-int', area: 'config', ...cfg('workdir = 3'), names: [PYC, 'workdir'] },
  { id: 'file-entrypoint-int', area: 'config', ...cfg('entrypoint = 3'), names: [PYC, 'entrypoint'] },
  { id: 'file-entrypoint-quote', area: 'config', ...cfg('entrypoint = "python3 \'unclosed"'), names: [PYC, 'entrypoint'] },
  { id: 'file-cmd-int-item', area: 'config', ...cfg('cmd = [1]'), names: [PYC, 'cmd'] },
  { id: 'file-platform-bad', area: 'config', ...cfg('platform = "linux"'), names: [PYC, 'platform', '"linux"'] },
  { id: 'file-python-bad', area: 'config', ...cfg('python = "three"'), drop: ['--base-image'], names: [PYC, 'python', 'three'] },
  { id: 'file-python-old', area: 'config', ...cfg('python = "2.7"'), drop: ['--base-image'], names: [PYC, 'python', '2.7'] },
  { id: 'file-base-image-bad', area: 'config', ...cfg('base-image = "Bad Ref"'), drop: ['--base-image'], names: [PYC, 'base-image', 'Bad Ref'] },
  { id: 'file-include-deps-string', area: 'config', ...cfg('include-deps = "yes"'), names: [PYC, 'include-deps'] },
  { id: 'file-requirements-missing', area: 'config', ...cfg('requirements = "missing.txt"'), args: PY, names: ['missing.txt'] },
  { id: 'file-extras-string', area: 'config', ...cfg('extras = "web"'), names: [PYC, 'extras'] },
  { id: 'file-index-url-ftp', area: 'config', ...cfg('index-url = "ftp://127.0.0.1/simple"'), names: [PYC, 'index-url'] },
  { id: 'file-index-url-token', area: 'config', ...cfg(`index-url = "https://u:${T}@"`), names: [PYC, 'index-url'] },
  { id: 'file-extra-index-urls-bad', area: 'config', ...cfg('extra-index-urls = ["nope"]'), names: [PYC, 'extra-index-urls'] },
  { id: 'file-pre-int', area: 'config', ...cfg('pre = 1'), names: [PYC, 'pre'] },
  { id: 'file-compile-string', area: 'config', ...cfg('compile = "x"'), names: [PYC, 'compile'] },
  { id: 'file-writable-usr', area: 'config', ...cfg('writable = ["/usr"]'), names: [PYC, 'writable', '/usr'] },
  { id: 'file-writable-root', area: 'config', ...cfg('writable = ["/"]'), names: [PYC, 'writable'] },
  { id: 'file-env-file-missing', area: 'config', ...cfg('env-file = "missing.env"'), names: ['missing.env'] },
  { id: 'file-env-file-bad-line', area: 'config', ...cfg('env-file = "app.env"', { 'app.env': `A=1\nthis is not an assignment ${T}\n` }), names: ['app.env', /:?2/] },
  { id: 'file-exclude-int', area: 'config', ...cfg('exclude = 3'), names: [PYC, 'exclude'] },
  { id: 'file-include-outside', area: 'config', ...cfg('include = ["../x"]'), names: [PYC, 'include', '../x'] },
  // [runtime] is read (and checked) by every command that reads the file, build too.
  { id: 'runtime-unknown-key', area: 'config', ...rt('replica = 2'), names: [`${PYC} [runtime]`, '`replica`', '`replicas`'] },
  { id: 'runtime-not-table', area: 'config', files: { 'pycontainer.toml': 'runtime = 3\n' }, names: [PYC, 'runtime', 'a table'] },
  { id: 'runtime-replicas-zero', area: 'config', ...rt('replicas = 0'), names: [`${PYC} [runtime]`, 'replicas', 'at least 1'] },
  { id: 'runtime-replicas-string', area: 'config', ...rt('replicas = "3"'), names: [`${PYC} [runtime]`, 'replicas', 'whole number'] },
  { id: 'runtime-executor-unknown', area: 'config', ...rt('executor = "nomad"'), names: [`${PYC} [runtime]`, 'executor', 'nomad', 'kubernetes'] },
  { id: 'runtime-public-string', area: 'config', ...rt('public = "yes"'), names: [`${PYC} [runtime]`, 'public', 'true or false'] },
  { id: 'runtime-ports-range', area: 'config', ...rt('ports = [70000]'), names: [`${PYC} [runtime]`, 'ports', '70000'] },
  { id: 'runtime-two-shapes', area: 'config', ...rt('replicas = 2\njob-spec = { iterations = 2 }'), names: [`${PYC} [runtime]`, 'job-spec', 'replicas'] },
  { id: 'runtime-job-no-iterations', area: 'config', ...rt('job-spec = { parallelism = 2 }'), names: [`${PYC} [runtime]`, 'job-spec', 'iterations'] },
  { id: 'runtime-job-unknown-key', area: 'config', ...rt('job-spec = { iterations = 2, paralelism = 2 }'), names: [`${PYC} [runtime]`, 'job-spec.paralelism', 'job-spec.parallelism'] },
  { id: 'runtime-shards-negative', area: 'config', ...rt('shard-spec = { shards = -1 }'), names: [`${PYC} [runtime]`, 'shard-spec.shards', '-1'] },
  { id: 'runtime-shard-pattern-int', area: 'config', ...rt('shard-spec = { shards = 2, url-shard-pattern = 1 }'), names: [`${PYC} [runtime]`, 'shard-spec.url-shard-pattern'] },
  { id: 'runtime-memory-bad', area: 'config', ...rt('memory = "1GB"'), names: [`${PYC} [runtime]`, 'memory', '1GB', 'quantity'] },
  { id: 'runtime-executor-local', area: 'config', ...rt('executor = "podman"'), argv: [...DEPLOY, '-t', '127.0.0.1:1/x:1'], names: [`${PYC} [runtime]`, 'executor', 'podman', 'pycontainer run'] },
  { id: 'file-script-unknown', area: 'config', ...cfg('script = "nosuch"'), names: ['script', 'nosuch'] },
  { id: 'file-output-int', area: 'config', ...cfg('output = 3'), drop: ['--output'], names: [PYC, 'output'] },
  { id: 'file-registry-key', area: 'config', ...cfg('parallel = 4'), names: [PYC, 'parallel'] },
  { id: 'file-password-key', area: 'config', ...cfg(`password = "${T}"`), names: [PYC, 'password'] },
  { id: 'file-nul-in-value', area: 'config', ...cfg('workdir = "/srv\\u0000x"'), names: [PYC, 'workdir'] },
  { id: 'file-newline-in-label', area: 'config', ...cfg('labels = { "a\\nb" = "x" }'), names: [PYC, 'labels'] },
  { id: 'file-env-file-outside', area: 'config', ...cfg('env-file = "/etc/hostname"'), names: [PYC, 'env-file', 'outside'] },
  { id: 'file-requirements-outside', area: 'config', ...cfg('requirements = "../reqs.txt"', { '../reqs.txt': 'six\n' }), names: [PYC, 'requirements', 'outside'] },
  { id: 'tool-unknown-key', area: 'config', ...tool('workdirr = "/srv"'), names: ['pyproject.toml [tool.pycontainer]', 'workdirr', 'workdir'] },
  { id: 'tool-wrong-type', area: 'config', ...tool('ports = "80"'), names: ['pyproject.toml [tool.pycontainer]', 'ports'] },
  { id: 'tool-not-table', area: 'config', files: { 'pyproject.toml': `${HEAD}${SCRIPTS}\n[tool]\npycontainer = 3\n` }, names: [PYP, 'pycontainer'] },
  { id: 'config-flag-missing', area: 'config', args: ['--config', '{dir}/nope.toml'], names: ['{dir}/nope.toml'] },
  { id: 'config-flag-dir', area: 'config', files: { 'conf': DIR }, args: ['--config', '{ctx}/conf'], names: ['{ctx}/conf'] },
  { id: 'env-ports', area: 'config', env: { PYCONTAINER_PORTS: 'abc' }, names: ['PYCONTAINER_PORTS', 'abc'] },
  { id: 'env-tags', area: 'config', env: { PYCONTAINER_TAGS: 'ok:1,Bad:1' }, names: ['PYCONTAINER_TAGS', 'Bad:1'] },
  { id: 'env-user', area: 'config', env: { PYCONTAINER_USER: 'a:b:c' }, names: ['PYCONTAINER_USER'] },
  { id: 'env-workdir', area: 'config', env: { PYCONTAINER_WORKDIR: 'srv' }, names: ['PYCONTAINER_WORKDIR', 'srv'] },
  { id: 'env-platform', area: 'config', env: { PYCONTAINER_PLATFORM: 'bogus' }, names: ['PYCONTAINER_PLATFORM', 'bogus'] },
  { id: 'env-python', area: 'config', env: { PYCONTAINER_PYTHON: 'x' }, drop: ['--base-image'], names: ['PYCONTAINER_PYTHON'] },
  { id: 'env-include-deps', area: 'config', env: { PYCONTAINER_INCLUDE_DEPS: 'maybe' }, names: ['PYCONTAINER_INCLUDE_DEPS'] },
  { id: 'env-pre', area: 'config', env: { PYCONTAINER_PRE: 'maybe' }, names: ['PYCONTAINER_PRE'] },
  { id: 'env-ignore-requires-python', area: 'config', env: { PYCONTAINER_IGNORE_REQUIRES_PYTHON: '2' }, names: ['PYCONTAINER_IGNORE_REQUIRES_PYTHON'] },
  { id: 'env-compile', area: 'config', env: { PYCONTAINER_COMPILE: 'x' }, names: ['PYCONTAINER_COMPILE'] },
  { id: 'env-entrypoint', area: 'config', env: { PYCONTAINER_ENTRYPOINT: '["unterminated' }, names: ['PYCONTAINER_ENTRYPOINT'] },
  { id: 'env-cmd', area: 'config', env: { PYCONTAINER_CMD: "'open" }, names: ['PYCONTAINER_CMD'] },
  { id: 'env-base-image', area: 'config', env: { PYCONTAINER_BASE_IMAGE: 'Bad Ref' }, drop: ['--base-image'], names: ['PYCONTAINER_BASE_IMAGE', 'Bad Ref'] },
  { id: 'env-index-url', area: 'config', env: { PYCONTAINER_INDEX_URL: 'nope' }, names: ['PYCONTAINER_INDEX_URL'] },
  { id: 'env-index-url-token', area: 'config', env: { PYCONTAINER_INDEX_URL: `ftp://u:${T}@127.0.0.1/simple` }, names: ['PYCONTAINER_INDEX_URL'] },
  { id: 'env-extra-index-urls', area: 'config', env: { PYCONTAINER_EXTRA_INDEX_URLS: `https://u:${T}@127.0.0.1:1/simple,nope` }, names: ['PYCONTAINER_EXTRA_INDEX_URLS'] },
  { id: 'env-registry-mirrors', area: 'config', env: { PYCONTAINER_REGISTRY_MIRRORS: 'nomirror' }, names: ['PYCONTAINER_REGISTRY_MIRRORS', 'nomirror'] },
  { id: 'env-env-file-missing', area: 'config', env: { PYCONTAINER_ENV_FILE: '{dir}/missing.env' }, names: ['{dir}/missing.env'] },
  { id: 'env-output-file', area: 'config', files: { '../a-file': 'x\n' }, env: { PYCONTAINER_OUTPUT: '{dir}/a-file' }, drop: ['--output'], names: ['{dir}/a-file'] },
  { id: 'env-writable', area: 'config', env: { PYCONTAINER_WRITABLE: '/usr' }, names: ['PYCONTAINER_WRITABLE', '/usr'] },
  { id: 'env-requirements', area: 'config', env: { PYCONTAINER_REQUIREMENTS: '{dir}/missing.txt' }, args: PY, names: ['{dir}/missing.txt'] },
  { id: 'env-script', area: 'config', env: { PYCONTAINER_SCRIPT: 'nosuch' }, names: ['PYCONTAINER_SCRIPT', 'nosuch'] },
  { id: 'env-extras', area: 'config', env: { PYCONTAINER_EXTRAS: 'nosuch' }, names: ['nosuch'] },

  // ---- locks ------------------------------------------------------------------
  { id: 'uv-lock-version', area: 'locks', ...uv('version = 99\n', UV_SIX), args: PY, names: ['uv.lock', 'version', '99'] },
  { id: 'uv-lock-no-version', area: 'locks', ...uv('version = 1\n', '[[package]]\nname = "six"\nsource = { registry = "https://pypi.org/simple" }\n'), args: PY, names: ['uv.lock', 'six', 'version'] },
  { id: 'uv-lock-dependency-missing', area: 'locks', ...uv('version = 1\n', ''), args: PY, names: ['uv.lock', 'six'] },
  { id: 'uv-lock-bad-hash', area: 'locks', ...uv('version = 1\n', UV_SIX.replace(/hash = "[^"]*"/, 'hash = "sha256:zz"')), args: PY, names: ['uv.lock', 'sha256:zz'] },
  { id: 'uv-lock-wheels-not-array', area: 'locks', ...uv('version = 1\n', '[[package]]\nname = "six"\nversion = "1.17.0"\nsource = { registry = "https://pypi.org/simple" }\nwheels = 3\n'), args: PY, names: ['uv.lock', 'line 12'] },
  { id: 'poetry-lock-bad-hash', area: 'locks', ...poetry(`[[package]]\nname = "six"\nversion = "1.17.0"\nfiles = [{ file = "${SIX}", hash = "md5:zz" }]\n`), args: PY, names: ['poetry.lock', 'md5:zz'] },
  { id: 'poetry-lock-package-missing', area: 'locks', ...poetry(`[[package]]\nname = "idna"\nversion = "3.0"\nfiles = [{ file = "idna-3.0-py3-none-any.whl", hash = "${SIXHASH}" }]\n`), args: PY, names: ['poetry.lock', 'six'] },
  { id: 'uv-lock-syntax', area: 'locks', files: { 'uv.lock': 'version = 1\n[[package]\nname = "six"\n' }, args: PY, names: ['uv.lock', 'line 2'] },
  { id: 'poetry-lock-syntax', area: 'locks', files: { 'poetry.lock': '[[package]]\nname = "six\n' }, args: PY, names: ['poetry.lock', 'line 2'] },
  { id: 'pylock-syntax', area: 'locks', files: { 'pylock.toml': 'lock-version = "1.0"\n[[packages]\n' }, args: PY, names: ['pylock.toml', 'line 2'] },
  { id: 'pylock-version', area: 'locks', files: { 'pylock.toml': 'lock-version = "2.0"\ncreated-by = "x"\n' }, args: PY, names: ['pylock.toml', 'lock-version', '2.0'] },
  { id: 'pylock-no-name', area: 'locks', files: { 'pylock.toml': pylock('[[packages]]\nversion = "1"\n') }, args: PY, names: ['pylock.toml', 'name'] },
  { id: 'pylock-bad-hash', area: 'locks', files: { 'pylock.toml': pylockSix(`wheels = [{ name = "${SIX}", url = "https://127.0.0.1:1/${SIX}", hashes = { sha256 = "zz" } }]`) }, args: PY, names: ['pylock.toml', 'six'] },
  { id: 'pylock-packages-not-array', area: 'locks', files: { 'pylock.toml': pylock('packages = 3\n') }, args: PY, names: ['pylock.toml', 'line 3'] },
  { id: 'locked-missing', area: 'locks', ...deps('"six"'), args: [...PY, '--locked'], names: ['--locked', 'pylock.toml'] },
  { id: 'locked-stale', area: 'locks', files: { 'pyproject.toml': `${HEAD}dependencies = ["six"]\n${SCRIPTS}`, 'pylock.toml': `lock-version = "1.0"\ncreated-by = "pycontainer"\n[tool.pycontainer]\ninputs = "stale"\n` }, args: [...PY, '--locked'], names: ['--locked', 'pylock.toml'] },
  { id: 'requirements-flag-missing', area: 'locks', args: [...PY, '--requirements', '{dir}/nope.txt'], names: ['{dir}/nope.txt'] },
  { id: 'requirements-flag-dir', area: 'locks', files: { reqs: DIR }, args: [...PY, '--requirements', '{ctx}/reqs'], names: ['{ctx}/reqs'] },
  { id: 'include-deps-none', area: 'locks', args: [...PY, '--include-deps'], names: ['--include-deps'] },

  // ---- flags ------------------------------------------------------------------
  { id: 'unknown-flag', area: 'flags', args: ['--bogus'], exit: 2, names: ['--bogus'] },
  { id: 'unknown-command', area: 'flags', argv: ['bild'], exit: 2, names: ['bild'] },
  { id: 'positional', area: 'flags', args: ['extra-arg'], exit: 2, names: ['extra-arg'] },
  { id: 'tag-no-value', area: 'flags', args: ['--tag'], exit: 2, names: ['--tag'] },
  { id: 'tag-empty', area: 'flags', args: ['--tag', ''], exit: 2, names: ['--tag'] },
  { id: 'tag-colons', area: 'flags', args: ['--tag', 'Foo:bar:baz'], exit: 2, names: ['--tag', '"Foo:bar:baz"', /too many ':'/] },
  { id: 'tag-upper', area: 'flags', args: ['--tag', 'Upper/case:1'], exit: 2, names: ['--tag', '"Upper/case:1"', /lowercase/] },
  { id: 'tag-empty-tag', area: 'flags', args: ['--tag', 'app:'], exit: 2, names: ['--tag', '"app:"'] },
  { id: 'tag-second-bad', area: 'flags', args: ['--tag', 'ok:1', '--tag', 'Bad:1'], exit: 2, names: ['--tag', '"Bad:1"'] },
  { id: 'tag-same-tag-two-names', area: 'flags', args: ['--tag', 'a:1', '--tag', 'b:1'], exit: 2, names: ['--tag', 'a:1', 'b:1', '"1"'] },
  { id: 'format-unknown', area: 'flags', args: ['--format', 'tar'], exit: 2, names: ['--format', '"tar"', 'oci-archive', 'docker-archive'] },
  { id: 'format-empty', area: 'flags', args: ['--format', ''], exit: 2, names: ['--format'] },
  { id: 'env-format-unknown', area: 'config', env: { PYCONTAINER_FORMAT: 'zip' }, names: ['PYCONTAINER_FORMAT', '"zip"'] },
  { id: 'file-format-unknown', area: 'config', ...cfg('format = "docker"'), names: [PYC, 'format', '"docker"'] },
  { id: 'digest-file-no-dir', area: 'flags', args: ['--digest-file', '{dir}/missing/digest'], exit: 2, names: ['--digest-file', '{dir}/missing'] },
  { id: 'platform-one-part', area: 'flags', args: ['--platform', 'linux'], exit: 2, names: ['--platform', '"linux"'] },
  { id: 'platform-four-parts', area: 'flags', args: ['--platform', 'linux/arm64/v8/x'], exit: 2, names: ['--platform', 'linux/arm64/v8/x'] },
  { id: 'sbom-unknown-format', area: 'flags', args: ['--sbom', 'spdx,syft'], exit: 2, names: ['--sbom', '"syft"', 'cyclonedx'] },
  { id: 'sbom-bad-dpkg-status', area: 'bases', base: layerOf({ 'var/lib/dpkg/status': 'Package: libc6\nStatus: install ok installed\n' }), args: ['--base-image', 'oci:{base}:1', '--sbom', 'spdx'], names: ['var/lib/dpkg/status', 'line 1', 'Version'] },
  { id: 'sbom-without-layout', area: 'flags', drop: ['--output'], args: ['--push', '--tag', '127.0.0.1:9/app:1', '--sbom', 'spdx'], exit: 2, names: ['--sbom', '--output'] },
  { id: 'platform-unsupported-arch', area: 'flags', args: ['--platform', 'linux/amd64,linux/sparc'], exit: 2, names: ['--platform', '"linux/sparc"', /CPython wheels/] },
  { id: 'platform-not-linux', area: 'flags', args: ['--platform', 'windows/amd64'], exit: 2, names: ['--platform', '"windows/amd64"'] },
  { id: 'platform-twice', area: 'flags', args: ['--platform', 'linux/arm64,linux/aarch64'], exit: 2, names: ['--platform', 'linux/arm64', 'named twice'] },
  { id: 'platform-empty-item', area: 'flags', args: ['--platform', 'linux/amd64,'], exit: 2, names: ['--platform', '""'] },
  { id: 'docker-archive-two-platforms', area: 'flags', args: ['--format', 'docker-archive', '--platform', 'linux/amd64,linux/arm64'], exit: 2, names: ['--format', 'docker-archive', 'linux/amd64, linux/arm64'] },
  { id: 'env-no-equals', area: 'flags', args: ['--env', 'FOO'], exit: 2, names: ['--env', '"FOO"'] },
  { id: 'env-empty-key', area: 'flags', args: ['--env', '=x'], exit: 2, names: ['--env', '"=x"'] },
  { id: 'label-no-equals', area: 'flags', args: ['--label', 'novalue'], exit: 2, names: ['--label', 'novalue'] },
  { id: 'annotation-no-equals', area: 'flags', args: ['--annotation', 'x'], exit: 2, names: ['--annotation', '"x"'] },
  { id: 'port-range', area: 'flags', args: ['--port', '70000'], exit: 2, names: ['--port', '"70000"'] },
  { id: 'port-zero', area: 'flags', args: ['--port', '0'], exit: 2, names: ['--port', '"0"'] },
  { id: 'port-protocol', area: 'flags', args: ['--port', '80/sctp'], exit: 2, names: ['--port', '80/sctp'] },
  { id: 'port-word', area: 'flags', args: ['-p', 'http'], exit: 2, names: ['--port', 'http'] },
  { id: 'user-three-parts', area: 'flags', args: ['--user', 'a:b:c'], exit: 2, names: ['--user', 'a:b:c'] },
  { id: 'user-colon-only', area: 'flags', args: ['--user', ':'], exit: 2, names: ['--user'] },
  { id: 'user-blank', area: 'flags', args: ['--user', 'my user'], exit: 2, names: ['--user', 'my user'] },
  { id: 'parallel-zero', area: 'flags', args: ['--parallel', '0'], exit: 2, names: ['--parallel', '"0"'] },
  { id: 'parallel-big', area: 'flags', args: ['--parallel', '65'], exit: 2, names: ['--parallel', '"65"'] },
  { id: 'parallel-word', area: 'flags', args: ['--parallel', 'many'], exit: 2, names: ['--parallel', 'many'] },
  { id: 'chunk-size-unit', area: 'flags', args: ['--chunk-size', '8X'], exit: 2, names: ['--chunk-size', '8X'] },
  { id: 'chunk-size-zero', area: 'flags', args: ['--chunk-size', '0'], exit: 2, names: ['--chunk-size'] },
  { id: 'index-url-no-host', area: 'flags', args: ['--index-url', 'https://'], exit: 2, names: ['--index-url'] },
  { id: 'index-url-token', area: 'flags', args: ['--index-url', `ftp://u:${T}@127.0.0.1/simple`], exit: 2, names: ['--index-url'] },
  { id: 'extra-index-url-bad', area: 'flags', args: ['--extra-index-url', 'nope'], exit: 2, names: ['--extra-index-url'] },
  { id: 'registry-mirror-bad', area: 'flags', args: ['--registry-mirror', 'nomirror'], exit: 2, names: ['--registry-mirror', 'nomirror'] },
  { id: 'workdir-relative', area: 'flags', args: ['--workdir', 'app'], exit: 2, names: ['--workdir', /absolute/] },
  { id: 'entrypoint-json', area: 'flags', args: ['--entrypoint', '["unterminated'], exit: 2, names: ['--entrypoint'] },
  { id: 'cmd-quote', area: 'flags', args: ['--cmd', "'open"], exit: 2, names: ['--cmd'] },
  { id: 'python-word', area: 'flags', args: ['--python', 'x'], drop: ['--base-image'], exit: 2, names: ['--python', '"x"'] },
  { id: 'quiet-verbose', area: 'flags', args: ['-q', '-v'], exit: 2, names: ['--quiet', '--verbose'] },
  { id: 'deps-both', area: 'flags', args: ['--include-deps', '--no-deps'], exit: 2, names: ['--include-deps', '--no-deps'] },
  { id: 'username-no-stdin', area: 'flags', args: ['--username', 'u'], exit: 2, names: ['--username', '--password-stdin'] },
  { id: 'password-stdin-no-user', area: 'flags', args: ['--password-stdin'], stdin: `${SECRETS.registry}\n`, exit: 2, names: ['--password-stdin', '--username'] },
  { id: 'password-stdin-empty', area: 'flags', args: ['--username', 'u', '--password-stdin'], stdin: '', exit: 2, names: ['--password-stdin'] },
  { id: 'writable-usr', area: 'flags', args: ['--writable', '/usr'], exit: 2, names: ['--writable', '/usr'] },
  { id: 'script-unknown', area: 'flags', args: ['--script', 'nosuch'], names: ['--script', 'nosuch'] },
  { id: 'env-file-missing', area: 'flags', args: ['--env-file', '{dir}/missing.env'], names: ['--env-file', '{dir}/missing.env'] },
  { id: 'env-file-bad-line', area: 'flags', files: { '../bad.env': `GOOD=1\nexport\nNOT AN ASSIGNMENT ${T}\n` }, args: ['--env-file', '{dir}/bad.env'], names: ['{dir}/bad.env'] },
  { id: 'source-date-epoch-word', area: 'flags', env: { SOURCE_DATE_EPOCH: 'yesterday' }, names: ['SOURCE_DATE_EPOCH', 'yesterday'] },
  { id: 'source-date-epoch-negative', area: 'flags', env: { SOURCE_DATE_EPOCH: '-1' }, names: ['SOURCE_DATE_EPOCH', '-1'] },
  { id: 'source-date-epoch-year-10000', area: 'flags', env: { SOURCE_DATE_EPOCH: '253402300800' }, names: ['SOURCE_DATE_EPOCH', '253402300800'] },
  { id: 'insecure-registry-url', area: 'flags', args: ['--insecure-registry', 'http://x/y'], exit: 2, names: ['--insecure-registry', 'http://x/y'] },
  { id: 'dockerfile-output', area: 'flags', argv: ['dockerfile', '--context', '{ctx}', '--output', '{out}'], exit: 2, names: ["'--output'", 'dockerfile --help'] },
  { id: 'dockerfile-two-platforms', area: 'flags', argv: ['dockerfile', '--context', '{ctx}', '--base-image', 'scratch', '--platform', 'linux/amd64,linux/arm64'], names: ['one platform', '2 were asked for', '--platform', '--file'] },
  { id: 'dockerfile-users-own', area: 'project', files: { Dockerfile: 'FROM python:3.12-slim\n' }, argv: ['dockerfile', '--context', '{ctx}'], names: ['{ctx}/Dockerfile', 'not written by pycontainer', '--file'] },
  { id: 'dockerfile-ignore-is-dir', area: 'project', files: { 'Dockerfile.dockerignore/x': 'y\n' }, argv: ['dockerfile', '--context', '{ctx}'], names: ['{ctx}/Dockerfile.dockerignore', 'not a regular file', '--file'] },
  { id: 'validate-no-arg', area: 'flags', argv: ['validate'], exit: 2, names: ['LAYOUT'] },
  { id: 'push-one-arg', area: 'flags', argv: ['push', '{dir}/x'], exit: 2, names: ['REF'] },
  { id: 'run-publish-no-host-port', area: 'flags', argv: ['run', '--context', '{ctx}', '-p', '8000'], exit: 2, names: ['--publish', '"8000"', 'HOST:CONTAINER'] },
  { id: 'run-publish-port-range', area: 'flags', argv: ['run', '--context', '{ctx}', '-p', '8080:70000'], exit: 2, names: ['--publish', '"8080:70000"', '1-65535'] },
  { id: 'run-engine-unknown', area: 'flags', argv: ['run', '--context', '{ctx}', '--engine', 'lxc'], exit: 2, names: ['--engine', '"lxc"', 'podman', 'docker'] },
  { id: 'run-env-engine-unknown', area: 'config', env: { PYCONTAINER_ENGINE: 'rkt' }, argv: ['run', '--context', '{ctx}'], names: ['PYCONTAINER_ENGINE', '"rkt"', 'podman', 'docker'] },
  { id: 'run-env-for-the-engine', area: 'flags', argv: ['run', '--context', '{ctx}', '-e', `DOCKER_HOST=tcp://${SECRETS.env}@x:2375`], exit: 2, names: ['--env', 'DOCKER_HOST', '--env-file'] },
  { id: 'run-env-bad-name', area: 'flags', argv: ['run', '--context', '{ctx}', '-e', `1X=${SECRETS.env}`], exit: 2, names: ['--env', '"1X"'] },
  { id: 'run-build-only-flag', area: 'flags', argv: ['run', '--context', '{ctx}', '--format', 'oci'], exit: 2, names: ['--format'] },
  { id: 'deploy-replicas-zero', area: 'flags', argv: [...DEPLOY, '-t', '127.0.0.1:1/x:1', '--replicas', '0'], exit: 2, names: ['--replicas', '"0"'] },
  { id: 'deploy-shards-word', area: 'flags', argv: [...DEPLOY, '-t', '127.0.0.1:1/x:1', '--shards', 'two'], exit: 2, names: ['--shards', '"two"'] },
  { id: 'deploy-two-shapes', area: 'flags', argv: [...DEPLOY, '-t', '127.0.0.1:1/x:1', '--replicas', '2', '--job-iterations', '2'], exit: 2, names: ['--job-iterations', '--replicas'] },
  { id: 'deploy-parallelism-alone', area: 'flags', argv: [...DEPLOY, '-t', '127.0.0.1:1/x:1', '--job-parallelism', '2'], exit: 2, names: ['--job-parallelism', '--job-iterations'] },
  { id: 'deploy-cpu-bad', area: 'flags', argv: [...DEPLOY, '-t', '127.0.0.1:1/x:1', '--cpu', 'lots'], exit: 2, names: ['--cpu', '"lots"'] },
  { id: 'deploy-dry-run', area: 'flags', argv: [...DEPLOY, '--dry-run'], exit: 2, names: ['--dry-run', 'deploy --help'] },
  { id: 'deploy-apply-json', area: 'flags', argv: [...DEPLOY, '--apply', '--json'], exit: 2, names: ['--apply', '--json'] },
  { id: 'deploy-no-registry-tag', area: 'flags', argv: DEPLOY, exit: 2, names: ['--tag', 'registry'] },
  { id: 'deploy-public-job', area: 'flags', argv: [...DEPLOY, '-t', '127.0.0.1:1/x:1', '--job-iterations', '2', '--public'], names: ['`public`', 'job'] },
  { id: 'deploy-apply-no-kubectl', area: 'flags', env: { PATH: '/nonexistent' }, argv: [...DEPLOY, '-t', '127.0.0.1:1/x:1', '--apply'], names: ['--apply', 'kubectl', 'PATH'] },
  { id: 'deploy-public-cli', area: 'flags', argv: [...DEPLOY, '-t', '127.0.0.1:1/x:1', '--public'], names: ['public', 'no port', '--port'] },

  // ---- bases --------------------------------------------------------------------
  { id: 'layout-missing', area: 'bases', args: ['--base-image', 'oci:{dir}/nope:1'], names: ['{dir}/nope'] },
  { id: 'layout-is-file', area: 'bases', files: { '../f': 'x\n' }, args: ['--base-image', 'oci:{dir}/f:1'], names: ['{dir}/f'] },
  { id: 'tag-missing', area: 'bases', base: true, args: ['--base-image', 'oci:{base}:nosuch'], names: ['"nosuch"', '{base}', /tags present: .*1/] },
  { id: 'wrong-platform', area: 'bases', base: true, args: ['--base-image', 'oci:{base}:1', '--platform', 'linux/arm64'], names: ['linux/arm64', 'linux/amd64'] },
  { id: 'platforms-one-not-offered', area: 'bases', base: true, args: ['--base-image', 'oci:{base}:1', '--platform', 'linux/amd64,linux/arm64'], names: ['linux/arm64', 'linux/amd64'] },
  { id: 'platform-all-scratch', area: 'bases', args: ['--platform', 'all'], exit: 2, names: ['--platform all', 'scratch', /no platform CPython wheels/] },
  { id: 'index-not-json', area: 'bases', base: write('index.json', '{not json'), args: ['--base-image', 'oci:{base}:1'], names: ['{base}/index.json'] },
  { id: 'index-missing', area: 'bases', base: remove('index.json'), args: ['--base-image', 'oci:{base}:1'], names: ['{base}'] },
  { id: 'index-manifests-not-array', area: 'bases', base: editIndex((i) => ({ ...i, manifests: 3 })), args: ['--base-image', 'oci:{base}:1'], names: ['{base}/index.json', 'expected a sequence'] },
  { id: 'manifest-missing', area: 'bases', base: remove('manifest'), args: ['--base-image', 'oci:{base}:1'], names: [/sha256:[0-9a-f]{64}/, /missing|not found|no such/i] },
  { id: 'manifest-corrupt', area: 'bases', base: flip('manifest'), args: ['--base-image', 'oci:{base}:1'], names: [/sha256:[0-9a-f]{64}/, /corrupt|digest/] },
  { id: 'manifest-not-json', area: 'bases', base: rewrite('manifest', () => 'not json'), args: ['--base-image', 'oci:{base}:1'], names: [/blobs\/sha256\/[0-9a-f]{64}: expected/] },
  { id: 'manifest-no-layers', area: 'bases', base: rewrite('manifest', (m) => ({ ...m, layers: 'x' })), args: ['--base-image', 'oci:{base}:1'], names: [/blobs\/sha256\/[0-9a-f]{64}: invalid type/] },
  { id: 'config-missing', area: 'bases', base: remove('config'), args: ['--base-image', 'oci:{base}:1'], names: [/sha256:[0-9a-f]{64}/] },
  { id: 'config-not-json', area: 'bases', base: rewrite('config', () => '[1, 2'), args: ['--base-image', 'oci:{base}:1'], names: [/blobs\/sha256\/[0-9a-f]{64}: invalid type/] },
  { id: 'config-diff-ids-short', area: 'bases', base: rewrite('config', (c) => ({ ...c, rootfs: { type: 'layers', diff_ids: [] } })), args: ['--base-image', 'oci:{base}:1'], names: ['diff_ids'] },
  { id: 'layer-missing', area: 'bases', base: remove('layer'), args: ['--base-image', 'oci:{base}:1'], names: [/sha256:[0-9a-f]{64}/, /missing/] },
  { id: 'layer-corrupt', area: 'bases', base: flip('layer'), args: ['--base-image', 'oci:{base}:1'], names: [/sha256:[0-9a-f]{64}/, /corrupt/] },
  { id: 'layer-truncated', area: 'bases', base: truncate('layer', 100), args: ['--base-image', 'oci:{base}:1'], names: [/sha256:[0-9a-f]{64}/] },
  { id: 'layer-not-gzip', area: 'bases', base: rewrite('layer', () => Buffer.from('plain text, not gzip')), args: ['--base-image', 'oci:{base}:1'], names: [/sha256:[0-9a-f]{64}/, /gzip/] },
  { id: 'dockerfile-local-base', area: 'bases', base: true, argv: ['dockerfile', '--context', '{ctx}', '--base-image', 'oci:{base}:1'], names: ['oci:{base}:1', "FROM cannot name", 'push it to a registry'] },
  { id: 'dockerfile-scratch', area: 'bases', argv: ['dockerfile', '--context', '{ctx}', '--base-image', 'scratch'], names: ['"scratch"', 'needs a shell', '--base-image'] },
  { id: 'ref-blank', area: 'bases', args: ['--base-image', 'Bad Ref'], exit: 2, names: ['--base-image', 'Bad Ref'] },
  { id: 'ref-bad-digest', area: 'bases', args: ['--base-image', 'python@sha256:zz'], exit: 2, names: ['--base-image', 'sha256:zz'] },
  { id: 'ref-oci-empty', area: 'bases', args: ['--base-image', 'oci:'], exit: 1, names: ['--base-image', 'oci:', 'not an OCI image layout'] },
  { id: 'registry-unreachable', area: 'bases', args: ['--base-image', '127.0.0.1:1/library/python:3.11-slim'], names: ['127.0.0.1:1/library/python:3.11-slim', /cannot reach 127\.0\.0\.1:1/] },

  // ---- --output layouts -------------------------------------------------------------
  { id: 'output-is-file', area: 'layouts', files: { '../out': 'not a dir\n' }, names: ['{out}'] },
  { id: 'output-foreign-dir', area: 'layouts', files: { '../out/keep.txt': 'precious\n', '../out/sub/more.txt': 'also\n' }, names: ['{out}', /not an OCI image layout/] },
  { id: 'output-only-blobs', area: 'layouts', files: { '../out/blobs/sha256/junk': 'junk\n' }, names: ['{out}'] },
  { id: 'output-index-not-json', area: 'layouts', output: write('index.json', '{not json'), names: ['{out}/index.json'] },
  { id: 'output-index-wrong-shape', area: 'layouts', output: editIndex((i) => ({ ...i, manifests: {} })), names: ['--output', '{out}/index.json', 'expected a sequence'] },
  { id: 'output-index-is-dir', area: 'layouts', output: write('index.json', null), names: ['{out}/index.json'] },
  { id: 'output-oci-layout-bad', area: 'layouts', output: write('oci-layout', '{"imageLayoutVersion": "9.9.9"}'), names: ['{out}/oci-layout', '9.9.9'] },
  { id: 'output-empty-flag', area: 'layouts', args: ['--output', ''], exit: 2, names: ['--output'] },
  { id: 'archive-output-is-dir', area: 'layouts', files: { '../out/keep.txt': 'precious\n' }, args: ['--format', 'oci-archive'], names: ['--output', '{out}', /is a directory/] },
  { id: 'archive-output-under-file', area: 'layouts', files: { '../a-file': 'x\n' }, args: ['--format', 'docker-archive', '--output', '{dir}/a-file/image.tar'], names: ['{dir}/a-file/image.tar', '{dir}/a-file is not a directory'] },
  { id: 'output-not-writable', area: 'layouts', args: ['--output', '/proc/pycontainer-catalog-out'], names: ['/proc/pycontainer-catalog-out', /cannot be written/] },
  { id: 'archive-output-not-writable', area: 'layouts', args: ['--format', 'docker-archive', '--output', '/proc/pycontainer-catalog.tar'], names: ['/proc/pycontainer-catalog.tar', /cannot be written/] },
  { id: 'output-dangling-link', area: 'layouts', files: { '../out': link('nowhere/deeper') }, names: ['{out}'] },

  // ---- push -------------------------------------------------------------------------
  { id: 'bad-reference', area: 'push', layout: true, argv: ['push', '{layout}:1', 'Bad Ref:1'], exit: 1, names: ['REF', 'Bad Ref:1', 'lowercase'] },
  { id: 'closed-port', area: 'push', layout: true, argv: ['push', '{layout}:1', '127.0.0.1:1/cat/app:1'], names: ['127.0.0.1:1'] },
  { id: 'wrong-password-env', area: 'push', registry: true, layout: true, argv: ['push', '{layout}:1', '{reg}/cat/app:1'], names: ['{reg}', /401|unauthori[sz]ed|denied|credentials/i] },
  { id: 'wrong-password-stdin', area: 'push', registry: true, layout: true, argv: ['push', '{layout}:1', '{reg}/cat/app:1', '--username', 'catalog', '--password-stdin'], stdin: `${SECRETS.url}\n`, names: ['{reg}', /401|unauthori[sz]ed|denied|credentials/i] },
  { id: 'build-push-wrong-password', area: 'push', registry: true, args: ['--push', '--tag', '{reg}/cat/built:1'], names: ['{reg}', /401|unauthori[sz]ed|denied|credentials/i], drop: ['--output'] },
  { id: 'build-push-output-wrong-password', area: 'push', registry: true, args: ['--push', '--tag', '{reg}/cat/built:2'], names: ['{reg}', /401|unauthori[sz]ed|denied|credentials/i] },
  { id: 'build-push-no-registry', area: 'push', args: ['--push', '--tag', 'app:1'], exit: 2, names: ['--tag', 'app:1'], drop: ['--output'] },
  { id: 'not-a-layout', area: 'push', argv: ['push', '{ctx}', '127.0.0.1:1/cat/app:1'], names: ['{ctx}'] },
  { id: 'tag-not-in-layout', area: 'push', layout: true, argv: ['push', '{layout}:nosuch', '127.0.0.1:1/cat/app:1'], names: ['nosuch'] },

  // ---- validate ---------------------------------------------------------------------
  { id: 'not-a-layout', area: 'validate', argv: ['validate', '{ctx}'], names: ['{ctx}', /not an OCI image layout/] },
  { id: 'missing-dir', area: 'validate', argv: ['validate', '{dir}/nope:1'], names: ['{dir}/nope'] },
  { id: 'index-not-json', area: 'validate', layout: write('index.json', '{not json'), argv: ['validate', '{layout}:1'], names: ['{layout}/index.json'] },
  { id: 'tag-missing', area: 'validate', layout: true, argv: ['validate', '{layout}:nosuch'], names: ['nosuch'] },
  { id: 'manifest-corrupt', area: 'validate', layout: flip('manifest'), argv: ['validate', '{layout}:1'], names: [/blob sha256:[0-9a-f]{64} is corrupt/] },
  { id: 'manifest-not-json', area: 'validate', layout: rewrite('manifest', () => '{'), argv: ['validate', '{layout}:1'], names: [/blobs\/sha256\/[0-9a-f]{64}: EOF/] },
  { id: 'config-missing', area: 'validate', layout: remove('config'), argv: ['validate', '{layout}:1'], names: [/sha256:[0-9a-f]{64}/, /missing/] },
  { id: 'config-not-json', area: 'validate', layout: rewrite('config', () => 'nope'), argv: ['validate', '{layout}:1'], names: [/blobs\/sha256\/[0-9a-f]{64}: expected/] },
  { id: 'layer-missing', area: 'validate', layout: remove('layer'), argv: ['validate', '{layout}:1'], names: [/sha256:[0-9a-f]{64}/, /missing/] },
  { id: 'layer-truncated', area: 'validate', layout: truncate('layer', 10), argv: ['validate', '{layout}:1'], names: [/layer 0 \(sha256:[0-9a-f]{64}\)/, /truncated|size/] },
  { id: 'layer-corrupt', area: 'validate', layout: flip('layer'), argv: ['validate', '{layout}:1'], names: [/layer 0 \(sha256:[0-9a-f]{64}\)/, /corrupt|does not match/] },
  { id: 'oci-layout-missing', area: 'validate', layout: remove('oci-layout'), argv: ['validate', '{layout}:1'], names: ['oci-layout'] },
];
