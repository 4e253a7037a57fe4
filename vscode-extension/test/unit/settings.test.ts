import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import { beforeEach, describe, it } from 'node:test';
import {
    explicitValue,
    getLaunchSettings,
    getServerSettings,
    isInsideAny,
    resolveVariables,
    toLaunchSettings,
    toServerSettings,
} from '../../src/common/settings';
import { stub } from './vscode-stub';

describe('toServerSettings', () => {
    it('sends nothing the user did not set, so pyproject.toml and server defaults apply', () => {
        assert.deepEqual(toServerSettings({}, undefined), {});
        assert.deepEqual(toServerSettings({ severity: undefined }, '/usr/bin/python3'), { python: '/usr/bin/python3' });
    });

    it("sends an empty python (the server's own environment) rather than nothing", () => {
        // so that no `python` in a project file can apply, even for a raylint that reads it
        assert.deepEqual(toServerSettings({}, ''), { python: '' });
    });

    it('passes valid values and the interpreter through', () => {
        const s = toServerSettings(
            { enable: false, severity: 'hint', exclude: ['build/**'], generatorStyle: 'dynamic', debounce: 0, library: true },
            '/venv/bin/python',
        );
        assert.deepEqual(s, {
            enable: false,
            severity: 'hint',
            exclude: ['build/**'],
            generatorStyle: 'dynamic',
            debounce: 0,
            library: true,
            python: '/venv/bin/python',
        });
    });

    it('passes rule selection through', () => {
        const s = toServerSettings(
            { select: ['RAY00', 7], ignore: ['RAY002'], perFileIgnores: { 'tests/**': ['RAY005', null], bad: 'RAY001' } },
            undefined,
        );
        assert.deepEqual(s, { select: ['RAY00'], ignore: ['RAY002'], perFileIgnores: { 'tests/**': ['RAY005'] } });
        assert.deepEqual(toServerSettings({ perFileIgnores: ['x'] }, undefined), {});
    });

    it('leaves out invalid values', () => {
        const s = toServerSettings(
            { enable: 'yes', severity: 'fatal', exclude: ['a', 3, null, 'b'], generatorStyle: 'x', debounce: -5, library: 'true' },
            undefined,
        );
        assert.deepEqual(s, { exclude: ['a', 'b'] });
        assert.deepEqual(toServerSettings({ debounce: Number.NaN }, undefined), {});
    });
});

describe('explicitValue', () => {
    const all = { defaultValue: 'd', globalValue: 'g', workspaceValue: 'w', workspaceFolderValue: 'f' };
    it('prefers folder, then workspace, then user; the default is not a value the user set', () => {
        assert.equal(explicitValue(all, true, true), 'f');
        assert.equal(explicitValue({ ...all, workspaceFolderValue: undefined }, true, true), 'w');
        assert.equal(explicitValue({ defaultValue: 'd', globalValue: 'g' }, true, true), 'g');
        assert.equal(explicitValue({ defaultValue: 'd' }, true, true), undefined);
        assert.equal(explicitValue(undefined, true, true), undefined);
    });
    it('ignores workspace values of restricted settings in an untrusted workspace', () => {
        assert.equal(explicitValue(all, true, false), 'g');
        assert.equal(explicitValue({ defaultValue: 'd', workspaceValue: 'w' }, true, false), undefined);
    });
    it('keeps workspace values of other settings in an untrusted workspace', () => {
        assert.equal(explicitValue(all, false, false), 'f');
    });
});

describe('resolveVariables', () => {
    const ctx = { workspaceFolder: '/ws', userHome: '/home/u', env: { VENV: '/opt/venv' } };
    it('substitutes the supported variables', () => {
        assert.equal(resolveVariables('${workspaceFolder}/.venv/bin/python', ctx), '/ws/.venv/bin/python');
        assert.equal(resolveVariables('~/bin/python', ctx), '/home/u/bin/python');
        assert.equal(resolveVariables('${userHome}/py', ctx), '/home/u/py');
        assert.equal(resolveVariables('${env:VENV}/bin/python', ctx), '/opt/venv/bin/python');
        assert.equal(resolveVariables('${env:MISSING}x', ctx), 'x');
    });
    it('leaves other text alone', () => {
        assert.equal(resolveVariables('a~b', ctx), 'a~b');
        assert.equal(resolveVariables('${workspaceFolder}', { userHome: '/h' }), '${workspaceFolder}');
        assert.equal(resolveVariables('~', { userHome: os.homedir() }), os.homedir());
    });
});

describe('toLaunchSettings', () => {
    it('resolves variables, drops empty entries and validates the strategy', () => {
        const s = toLaunchSettings(
            { interpreter: ['${workspaceFolder}/py', '', '-X', 'dev'], path: 'not-an-array', importStrategy: 'pip' },
            { workspaceFolder: '/ws' },
        );
        assert.deepEqual(s, { interpreter: ['/ws/py', '-X', 'dev'], path: [], importStrategy: 'useBundled' });
        assert.equal(toLaunchSettings({ importStrategy: 'fromEnvironment' }, {}).importStrategy, 'fromEnvironment');
    });
});

describe('isInsideAny', () => {
    it('tells files inside a folder from files beside it', () => {
        assert.equal(isInsideAny('/ws/.venv/bin/python', ['/other', '/ws']), true);
        assert.equal(isInsideAny('/ws', ['/ws']), true);
        assert.equal(isInsideAny('/ws2/bin/python', ['/ws']), false);
        assert.equal(isInsideAny('/ws/../usr/bin/python', ['/ws']), false);
        assert.equal(isInsideAny('/usr/bin/python3', []), false);
    });
});

describe('reading VS Code configuration', () => {
    beforeEach(() => stub.reset());
    const folder = { uri: { fsPath: '/ws', toString: () => 'file:///ws' }, name: 'ws', index: 0 };

    it('uses the workspace interpreter when trusted, and only the user one when not', () => {
        stub.config.set('raylint.interpreter', {
            defaultValue: [],
            globalValue: ['/usr/bin/python3'],
            workspaceValue: ['${workspaceFolder}/.venv/bin/python'],
        });
        stub.config.set('raylint.importStrategy', { defaultValue: 'useBundled', workspaceValue: 'fromEnvironment' });
        stub.trusted = true;
        assert.deepEqual(getLaunchSettings(folder as never), {
            interpreter: ['/ws/.venv/bin/python'],
            path: [],
            importStrategy: 'fromEnvironment',
        });
        stub.trusted = false;
        assert.deepEqual(getLaunchSettings(folder as never), {
            interpreter: ['/usr/bin/python3'],
            path: [],
            importStrategy: 'useBundled',
        });
    });

    it('reads the server settings with the interpreter for jedi', () => {
        stub.config.set('raylint.severity', { defaultValue: 'warning', workspaceValue: 'error' });
        stub.config.set('raylint.exclude', { defaultValue: [], globalValue: ['gen/**'] });
        stub.trusted = false;
        stub.config.set('raylint.debounce', { defaultValue: 200 });
        const s = getServerSettings(undefined, '/usr/bin/python3');
        assert.deepEqual(s, { severity: 'error', exclude: ['gen/**'], python: '/usr/bin/python3' });
    });

    it('reads the library setting', () => {
        stub.config.set('raylint.library', { defaultValue: false, workspaceFolderValue: true });
        assert.deepEqual(getServerSettings(undefined, undefined), { library: true });
    });
});
