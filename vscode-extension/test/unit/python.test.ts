import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
    assessProbe,
    ChoiceInputs,
    chooseInterpreter,
    LaunchTarget,
    parseProbeOutput,
    probeInterpreter,
} from '../../src/common/python';

const base: ChoiceInputs = {
    launch: { interpreter: [], path: [], importStrategy: 'useBundled' },
    selected: undefined,
    trusted: true,
    workspaceFolders: ['/ws'],
    platform: 'linux',
};
const launch = (l: Partial<ChoiceInputs['launch']>) => ({ ...base.launch, ...l });

function target(inputs: ChoiceInputs): LaunchTarget {
    const choice = chooseInterpreter(inputs);
    assert.ok('target' in choice, `expected a target, got ${JSON.stringify(choice)}`);
    return choice.target;
}

describe('chooseInterpreter', () => {
    it('falls back to python3 from PATH (python on Windows)', () => {
        assert.deepEqual(target(base), { kind: 'module', argv: ['python3'], source: 'PATH', python: undefined });
        assert.deepEqual(target({ ...base, platform: 'win32' }).argv, ['python']);
    });

    it("uses the Python extension's interpreter in a trusted workspace", () => {
        const t = target({ ...base, selected: ['/ws/.venv/bin/python'] });
        assert.deepEqual(t, {
            kind: 'module',
            argv: ['/ws/.venv/bin/python'],
            source: 'Python extension',
            python: '/ws/.venv/bin/python',
        });
    });

    it('raylint.interpreter overrides the Python extension', () => {
        const t = target({ ...base, launch: launch({ interpreter: ['/opt/py/bin/python', '-X', 'utf8'] }), selected: ['/x'] });
        assert.equal(t.source, 'raylint.interpreter');
        assert.deepEqual(t.argv, ['/opt/py/bin/python', '-X', 'utf8']);
        assert.equal(t.python, '/opt/py/bin/python');
    });

    it('raylint.path overrides everything and keeps the selected interpreter for jedi', () => {
        const t = target({
            ...base,
            launch: launch({ path: ['/usr/local/bin/raylint'], interpreter: ['/opt/py/bin/python'] }),
            selected: ['/x'],
        });
        assert.deepEqual(t, {
            kind: 'executable',
            argv: ['/usr/local/bin/raylint'],
            source: 'raylint.path',
            python: '/opt/py/bin/python',
        });
        const t2 = target({ ...base, launch: launch({ path: ['/usr/local/bin/raylint'] }), selected: ['/venv/bin/python'] });
        assert.equal(t2.python, '/venv/bin/python');
    });

    it("never runs the Python extension's interpreter in an untrusted workspace", () => {
        const choice = chooseInterpreter({ ...base, trusted: false, selected: ['/ws/.venv/bin/python'] });
        assert.ok('target' in choice);
        assert.deepEqual(choice.target.argv, ['python3']);
        assert.equal(choice.target.python, undefined);
        assert.match(choice.notes.join('\n'), /not trusted/);
    });

    it('refuses a configured binary inside an untrusted workspace', () => {
        for (const l of [launch({ interpreter: ['/ws/.venv/bin/python'] }), launch({ path: ['/ws/tools/raylint'] })]) {
            const choice = chooseInterpreter({ ...base, trusted: false, launch: l });
            assert.ok('problem' in choice, JSON.stringify(choice));
            assert.match(choice.problem.reason, /untrusted workspace/);
            assert.match(choice.problem.remedy, /Trust/);
        }
        // ...but runs one outside the workspace, and the same one once trusted.
        assert.equal(target({ ...base, trusted: false, launch: launch({ interpreter: ['/usr/bin/python3'] }) }).source, 'raylint.interpreter');
        assert.equal(target({ ...base, launch: launch({ interpreter: ['/ws/.venv/bin/python'] }) }).source, 'raylint.interpreter');
    });
});

describe('chooseInterpreter: the interpreter jedi runs is never left to the workspace', () => {
    it('with raylint.path and no raylint.interpreter, names the server\'s own environment', () => {
        // Without a `python` from the editor, a raylint that reads pyproject.toml would run the
        // interpreter that the workspace names there: '' says "the server's own environment".
        for (const trusted of [false, true]) {
            const t = target({ ...base, trusted, launch: launch({ path: ['/usr/local/bin/raylint'] }) });
            assert.equal(t.kind, 'executable');
            assert.equal(t.python, '', `trusted: ${trusted}`);
        }
    });

    it("in an untrusted workspace, neither the Python extension's choice nor a workspace binary reaches jedi", () => {
        const t = target({
            ...base,
            trusted: false,
            launch: launch({ path: ['/usr/local/bin/raylint'] }),
            selected: ['/ws/.venv/bin/python'],
        });
        assert.equal(t.python, '');
        for (const l of [
            launch({ path: ['/usr/local/bin/raylint'], interpreter: ['/ws/.venv/bin/python'] }),
            launch({ interpreter: ['/ws/.venv/bin/python'] }),
        ]) {
            assert.ok('problem' in chooseInterpreter({ ...base, trusted: false, launch: l }), JSON.stringify(l));
        }
    });

    it('refuses, when untrusted, a configured binary that is a link into the workspace', () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), 'raylint-trust-'));
        try {
            const ws = path.join(root, 'ws');
            fs.mkdirSync(path.join(ws, 'bin'), { recursive: true });
            fs.writeFileSync(path.join(ws, 'bin', 'python'), '#!/bin/sh\n', { mode: 0o755 });
            fs.mkdirSync(path.join(root, 'home'));
            fs.symlinkSync(path.join(ws, 'bin', 'python'), path.join(root, 'home', 'python'));
            fs.symlinkSync(ws, path.join(root, 'ws-link'));
            const inputs = (interpreter: string, folder: string): ChoiceInputs => ({
                ...base,
                trusted: false,
                launch: launch({ interpreter: [interpreter] }),
                workspaceFolders: [folder],
            });
            // a link outside the workspace that points into it
            assert.ok('problem' in chooseInterpreter(inputs(path.join(root, 'home', 'python'), ws)));
            // the workspace opened through a link, the binary named by its real path
            assert.ok('problem' in chooseInterpreter(inputs(path.join(ws, 'bin', 'python'), path.join(root, 'ws-link'))));
            // the same, trusted: allowed
            assert.ok('target' in chooseInterpreter({ ...inputs(path.join(root, 'home', 'python'), ws), trusted: true }));
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });
});

describe('parseProbeOutput', () => {
    it('reads the last JSON line, ignoring noise', () => {
        const out = 'pyenv: noise\n{"executable": "/usr/bin/python3", "version": [3, 11, 7], "raylint": null}\n';
        assert.deepEqual(parseProbeOutput(out), { executable: '/usr/bin/python3', version: [3, 11, 7], raylint: null });
    });
    it('rejects anything else', () => {
        assert.equal(parseProbeOutput(''), undefined);
        assert.equal(parseProbeOutput('{not json'), undefined);
        assert.equal(parseProbeOutput('{"version": [3]}'), undefined);
    });
});

describe('assessProbe', () => {
    const t: LaunchTarget = { kind: 'module', argv: ['python3'], source: 'PATH' };
    const info = (version: number[], raylint: string | null) => ({ info: { executable: '/usr/bin/python3', version, raylint } });

    it('explains a missing interpreter and what to do', () => {
        const p = assessProbe(t, 'useBundled', { error: 'spawn python3 ENOENT', notFound: true }, '/ext/bundled/libs');
        assert.ok(p);
        assert.match(p.reason, /No usable Python found: python3 \(from PATH\) does not exist/);
        assert.match(p.remedy, /raylint\.interpreter/);
        assert.match(p.remedy, /Select Interpreter/);
    });
    it('explains an interpreter that fails to run', () => {
        const p = assessProbe(t, 'useBundled', { error: 'Segmentation fault', notFound: false }, '/l');
        assert.match(p?.reason ?? '', /failed to run: Segmentation fault/);
    });
    it('rejects Python older than 3.10', () => {
        const p = assessProbe(t, 'useBundled', info([3, 9, 18], '/l/raylint/__init__.py'), '/l');
        assert.match(p?.reason ?? '', /needs Python 3\.10 or newer; python3 \(from PATH\) is Python 3\.9\.18/);
        assert.equal(assessProbe(t, 'useBundled', info([3, 10, 0], '/l/raylint/__init__.py'), '/l'), undefined);
        assert.equal(assessProbe(t, 'useBundled', info([4, 0, 0], '/l/raylint/__init__.py'), '/l'), undefined);
    });
    it('tells how to install raylint for fromEnvironment', () => {
        const p = assessProbe(t, 'fromEnvironment', info([3, 12, 1], null), '/l');
        assert.match(p?.reason ?? '', /not installed in \/usr\/bin\/python3/);
        assert.match(p?.remedy ?? '', /-m pip install <path of the clone>/); // raylint is not on PyPI (issue 12)
        assert.doesNotMatch(p?.remedy ?? '', /pip install raylint/);
        assert.match(p?.remedy ?? '', /useBundled/);
    });
    it('reports unusable bundled libraries', () => {
        const p = assessProbe(t, 'useBundled', info([3, 12, 1], null), '/ext/bundled/libs');
        assert.match(p?.reason ?? '', /bundled raylint libraries could not be imported from \/ext\/bundled\/libs/);
    });
});

describe('probeInterpreter (runs python3)', () => {
    it('finds the version and where raylint would be imported from', async () => {
        const libs = fs.mkdtempSync(path.join(os.tmpdir(), 'raylint-probe-'));
        try {
            fs.mkdirSync(path.join(libs, 'raylint'));
            fs.writeFileSync(path.join(libs, 'raylint', '__init__.py'), '');
            const outcome = await probeInterpreter(['python3'], { ...process.env, PYTHONPATH: libs }, os.tmpdir());
            assert.ok('info' in outcome, JSON.stringify(outcome));
            assert.ok(outcome.info.version[0] >= 3);
            assert.equal(outcome.info.raylint, path.join(libs, 'raylint', '__init__.py'));
        } finally {
            fs.rmSync(libs, { recursive: true, force: true });
        }
    });
    it('reports an interpreter that does not exist', async () => {
        const outcome = await probeInterpreter(['/nonexistent/python3'], process.env, os.tmpdir());
        assert.deepEqual('error' in outcome && outcome.notFound, true);
    });
    it('reports an interpreter that fails', async () => {
        const outcome = await probeInterpreter(['python3', '-c', 'import sys; sys.exit(3)', '--'], process.env, os.tmpdir());
        assert.ok('error' in outcome);
        assert.equal(outcome.notFound, false);
    });
});
