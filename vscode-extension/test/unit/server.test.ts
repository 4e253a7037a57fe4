import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { LaunchTarget } from '../../src/common/python';
import { buildServerCommand, bundledLibsPath, DOCUMENT_SELECTOR, formatCommand } from '../../src/common/server';

const moduleTarget: LaunchTarget = { kind: 'module', argv: ['/usr/bin/python3'], source: 'PATH' };

describe('buildServerCommand', () => {
    it('runs `-m raylint server` with bundled/libs first on PYTHONPATH', () => {
        const base = { PATH: '/usr/bin', PYTHONPATH: '/user/lib' };
        const cmd = buildServerCommand(moduleTarget, 'useBundled', '/ext', base);
        assert.equal(cmd.command, '/usr/bin/python3');
        assert.deepEqual(cmd.args, ['-m', 'raylint', 'server']);
        assert.equal(cmd.env.PYTHONPATH, `/ext/bundled/libs${path.delimiter}/user/lib`);
        assert.equal(cmd.env.PATH, '/usr/bin');
        assert.equal(cmd.cwd, '/ext', 'never the workspace: python -m puts the cwd on sys.path');
        assert.deepEqual(base, { PATH: '/usr/bin', PYTHONPATH: '/user/lib' }, 'the base environment is not modified');
        assert.equal(buildServerCommand(moduleTarget, 'useBundled', '/ext', {}).env.PYTHONPATH, '/ext/bundled/libs');
    });

    it('leaves the environment as is for fromEnvironment', () => {
        const cmd = buildServerCommand(moduleTarget, 'fromEnvironment', '/ext', { PYTHONPATH: '/user/lib' });
        assert.deepEqual(cmd.args, ['-m', 'raylint', 'server']);
        assert.equal(cmd.env.PYTHONPATH, '/user/lib');
        assert.equal(buildServerCommand(moduleTarget, 'fromEnvironment', '/ext', {}).env.PYTHONPATH, undefined);
    });

    it('keeps interpreter arguments before -m', () => {
        const t: LaunchTarget = { kind: 'module', argv: ['conda', 'run', '-n', 'ray', 'python'], source: 'Python extension' };
        const cmd = buildServerCommand(t, 'useBundled', '/ext', {});
        assert.equal(cmd.command, 'conda');
        assert.deepEqual(cmd.args, ['run', '-n', 'ray', 'python', '-m', 'raylint', 'server']);
    });

    it('runs `<path> server` for raylint.path, without bundled libraries', () => {
        const t: LaunchTarget = { kind: 'executable', argv: ['/opt/raylint/bin/raylint', '--verbose'], source: 'raylint.path' };
        const cmd = buildServerCommand(t, 'useBundled', '/ext', { PYTHONPATH: '/user/lib' });
        assert.equal(cmd.command, '/opt/raylint/bin/raylint');
        assert.deepEqual(cmd.args, ['--verbose', 'server']);
        assert.equal(cmd.env.PYTHONPATH, '/user/lib');
    });

    it('starts the bundled raylint, not one from the working directory or the workspace', () => {
        // A fake extension folder whose bundled raylint reports how it was started.
        const ext = fs.mkdtempSync(path.join(os.tmpdir(), 'raylint-ext-'));
        const other = fs.mkdtempSync(path.join(os.tmpdir(), 'raylint-other-'));
        try {
            const pkg = path.join(bundledLibsPath(ext), 'raylint');
            fs.mkdirSync(pkg, { recursive: true });
            fs.writeFileSync(path.join(pkg, '__init__.py'), '');
            fs.writeFileSync(
                path.join(pkg, '__main__.py'),
                'import json, os, sys\nprint(json.dumps({"file": __file__, "argv": sys.argv[1:], "cwd": os.getcwd()}))\n',
            );
            // A decoy on the user's PYTHONPATH must lose against the bundled copy.
            fs.mkdirSync(path.join(other, 'raylint'));
            fs.writeFileSync(path.join(other, 'raylint', '__init__.py'), '');
            fs.writeFileSync(path.join(other, 'raylint', '__main__.py'), 'print("decoy")\n');

            const cmd = buildServerCommand({ kind: 'module', argv: ['python3'], source: 'PATH' }, 'useBundled', ext, {
                ...process.env,
                PYTHONPATH: other,
            });
            const out = execFileSync(cmd.command, cmd.args, { cwd: cmd.cwd, env: cmd.env, encoding: 'utf8' });
            const report = JSON.parse(out);
            assert.equal(report.file, path.join(pkg, '__main__.py'));
            assert.deepEqual(report.argv, ['server']);
            assert.equal(fs.realpathSync(report.cwd), fs.realpathSync(ext));
        } finally {
            fs.rmSync(ext, { recursive: true, force: true });
            fs.rmSync(other, { recursive: true, force: true });
        }
    });
});

describe('formatCommand', () => {
    it('quotes what a shell would split', () => {
        assert.equal(formatCommand('/usr/bin/python3', ['-m', 'raylint', 'server']), '/usr/bin/python3 -m raylint server');
        assert.equal(formatCommand('/My Apps/py', ["it's"]), `'/My Apps/py' 'it'\\''s'`);
    });
});

describe('the document selector', () => {
    it('has Python files, untitled Python and the Python cells of Jupyter notebooks', () => {
        assert.deepEqual(DOCUMENT_SELECTOR, [
            { scheme: 'file', language: 'python' },
            { scheme: 'untitled', language: 'python' },
            { notebook: 'jupyter-notebook', language: 'python' },
        ]);
    });

    it('activates on a notebook (a workspace of notebooks only, too)', () => {
        const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
        assert.ok(manifest.activationEvents.includes('onNotebook:jupyter-notebook'));
        assert.ok(manifest.activationEvents.includes('workspaceContains:**/*.ipynb'));
    });
});
