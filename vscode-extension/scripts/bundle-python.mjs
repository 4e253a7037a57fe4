// Installs the raylint Python package (from the repo root) and its dependencies into
// bundled/libs, so the extension runs the server without a pip install by the user.
// The libraries are pure Python and must work on every Python raylint supports (3.10+), whatever
// Python builds the bundle: dependencies whose markers only hold on older versions
// (exceptiongroup for Python < 3.11...) are added too.
// Usage: node scripts/bundle-python.mjs [--python python3] [--source <repo root>]
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const extensionDir = path.resolve(here, '..');
const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : fallback;
};
const python = arg('--python', process.env.RAYLINT_BUNDLE_PYTHON || 'python3');
const source = path.resolve(arg('--source', path.join(extensionDir, '..')));
const libs = path.join(extensionDir, 'bundled', 'libs');

if (!fs.existsSync(path.join(source, 'pyproject.toml'))) {
    console.error(`bundle-python: no pyproject.toml in ${source}`);
    process.exit(1);
}

const run = (args) => {
    console.log(`$ ${python} ${args.join(' ')}`);
    execFileSync(python, args, { stdio: 'inherit' });
};

// Prints the requirements of the bundled distributions that hold on Python 3.10 but are not
// installed (pip only evaluated the markers for the Python that ran it).
const MISSING_FOR_OLDEST = `
import pathlib, sys
from email.parser import Parser
from pip._vendor.packaging.requirements import Requirement
from pip._vendor.packaging.utils import canonicalize_name
libs = pathlib.Path(sys.argv[1])
dists = list(libs.glob('*.dist-info'))
have = {canonicalize_name(d.name[:-len('.dist-info')].rsplit('-', 1)[0]) for d in dists}
env = {'python_version': '3.10', 'python_full_version': '3.10.0', 'extra': ''}
for d in dists:
    meta = Parser().parsestr((d / 'METADATA').read_text(encoding='utf-8'))
    for spec in meta.get_all('Requires-Dist') or []:
        req = Requirement(spec)
        if canonicalize_name(req.name) in have:
            continue
        if req.marker is None or req.marker.evaluate(env):
            have.add(canonicalize_name(req.name))
            print(f'{req.name}{req.specifier}')
`;

const wheels = fs.mkdtempSync(path.join(os.tmpdir(), 'raylint-wheel-'));
// setuptools builds in the source tree (build/, *.egg-info): build from a copy instead, so
// packaging the extension leaves the repo as it was.
const SKIP = new Set(['.git', 'node_modules', 'vscode-extension', 'build', 'dist', '.venv', '__pycache__',
    '.pytest_cache', '.hypothesis', '.mypy_cache', '.ruff_cache']);
const copy = path.join(wheels, 'src');
fs.cpSync(source, copy, {
    recursive: true,
    filter: (p) => p === source || (!SKIP.has(path.basename(p)) && !p.endsWith('.egg-info')),
});
try {
    // Build raylint's own wheel first, so the install below can ask for binary-only packages.
    run(['-m', 'pip', 'wheel', '--no-deps', '--quiet', '--wheel-dir', wheels, copy]);
    const wheel = fs.readdirSync(wheels).find((f) => f.endsWith('.whl'));
    if (!wheel) {
        throw new Error('pip wheel produced no wheel');
    }
    fs.rmSync(libs, { recursive: true, force: true });
    run([
        '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-compile',
        '--target', libs,
        '--python-version', '3.10', '--implementation', 'py', '--only-binary', ':all:',
        path.join(wheels, wheel),
    ]);
    // pip evaluates environment markers for the Python it runs on: add what 3.10 needs on top.
    for (let round = 0; ; round++) {
        const missing = execFileSync(python, ['-c', MISSING_FOR_OLDEST, libs], { encoding: 'utf8' })
            .split('\n')
            .filter(Boolean);
        if (missing.length === 0) {
            break;
        }
        if (round === 5) {
            throw new Error(`still missing after 5 rounds: ${missing.join(', ')}`);
        }
        // (for 3.10 and pure Python too: tomli's wheel for the running Python is compiled)
        run([
            '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-compile', '--no-deps',
            '--upgrade', '--target', libs, '--python-version', '3.10', '--implementation', 'py',
            '--only-binary', ':all:', ...missing,
        ]);
    }
} finally {
    fs.rmSync(wheels, { recursive: true, force: true });
}
// Console scripts and caches are not needed inside the extension.
fs.rmSync(path.join(libs, 'bin'), { recursive: true, force: true });
for (const entry of fs.readdirSync(libs, { recursive: true })) {
    if (path.basename(entry) === '__pycache__') {
        fs.rmSync(path.join(libs, entry), { recursive: true, force: true });
    }
}
// A compiled module is built for one Python and platform: the bundle must run on all of them.
const compiled = fs.readdirSync(libs, { recursive: true }).filter((f) => /\.(so|pyd|dylib)$/.test(f));
if (compiled.length > 0) {
    console.error(`bundle-python: compiled modules in bundled/libs (not pure Python): ${compiled.join(', ')}`);
    process.exit(1);
}
const installed = fs.readdirSync(libs).filter((f) => f.endsWith('.dist-info')).map((f) => f.replace(/\.dist-info$/, ''));
console.log(`bundle-python: ${libs}\n  ${installed.sort().join('\n  ')}`);
if (!installed.some((n) => n.startsWith('raylint-'))) {
    console.error('bundle-python: raylint itself is missing from bundled/libs');
    process.exit(1);
}
