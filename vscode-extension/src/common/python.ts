// Which Python runs the raylint server, and whether it can. The choice and the check of the
// probe's answer are pure functions (unit tested); the rest talks to the Python extension's API
// and runs the interpreter once to probe it.
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { ImportStrategy, isInsideAny, LaunchSettings } from './settings';

export const MIN_PYTHON: readonly [number, number] = [3, 10];

export type InterpreterSource = 'raylint.path' | 'raylint.interpreter' | 'Python extension' | 'PATH';

/** What to run: `<argv> -m raylint server` (module) or `<argv> server` (executable). */
export interface LaunchTarget {
    kind: 'module' | 'executable';
    argv: string[];
    source: InterpreterSource;
    /**
     * Interpreter whose environment jedi should use (sent to the server as `python`). '' when
     * unknown (raylint.path): the server's own environment. It is always sent, so that nothing
     * in the workspace (a `python` in its pyproject.toml, for a raylint that still reads it) can
     * choose an interpreter; undefined only until the probe names the interpreter (module kind).
     */
    python?: string;
}

/** Why the server cannot start, and what the user can do about it. */
export interface LaunchProblem {
    reason: string;
    remedy: string;
}

export type Choice = { target: LaunchTarget; notes: string[] } | { problem: LaunchProblem; notes: string[] };

export interface ChoiceInputs {
    launch: LaunchSettings;
    /** The command of the interpreter the Python extension selected for the workspace, if any. */
    selected?: string[];
    trusted: boolean;
    workspaceFolders: readonly string[];
    platform: NodeJS.Platform;
}

export function defaultPython(platform: NodeJS.Platform): string {
    return platform === 'win32' ? 'python' : 'python3';
}

/**
 * Chooses the server's command: raylint.path, else raylint.interpreter, else the Python
 * extension's selection, else python3 from PATH. In an untrusted workspace the Python
 * extension's selection is never used (it may be an environment inside the workspace) and any
 * configured binary that lies inside a workspace folder is refused.
 */
export function chooseInterpreter(inputs: ChoiceInputs): Choice {
    const notes: string[] = [];
    const { launch, trusted } = inputs;
    const selected = inputs.selected?.filter((s) => s.length > 0);

    const insideWorkspace = (argv: string[]) =>
        !trusted && path.isAbsolute(argv[0]) && isInsideAny(argv[0], inputs.workspaceFolders);
    const refuse = (setting: string, argv: string[]): Choice => ({
        problem: {
            reason: `${setting} points at ${argv[0]}, inside this untrusted workspace; raylint does not run it.`,
            remedy: 'Trust the workspace (Workspaces: Manage Workspace Trust), or point the setting outside the workspace.',
        },
        notes,
    });

    let jediPython: string | undefined;
    if (launch.interpreter.length > 0) {
        jediPython = launch.interpreter[0];
    } else if (trusted && selected?.length) {
        jediPython = selected[0];
    }
    if (!trusted && selected?.length) {
        notes.push(`Workspace not trusted: ignoring the Python extension's interpreter ${selected[0]}.`);
    }

    if (launch.path.length > 0) {
        if (insideWorkspace(launch.path)) {
            return refuse('raylint.path', launch.path);
        }
        // raylint.interpreter is then only what jedi runs (to read its sys.path): it must not be
        // the workspace's either (a venv there runs the workspace's .pth files)
        if (launch.interpreter.length > 0 && insideWorkspace(launch.interpreter)) {
            return refuse('raylint.interpreter', launch.interpreter);
        }
        return {
            target: { kind: 'executable', argv: launch.path, source: 'raylint.path', python: jediPython ?? '' },
            notes,
        };
    }
    if (launch.interpreter.length > 0) {
        if (insideWorkspace(launch.interpreter)) {
            return refuse('raylint.interpreter', launch.interpreter);
        }
        return {
            target: { kind: 'module', argv: launch.interpreter, source: 'raylint.interpreter', python: jediPython },
            notes,
        };
    }
    if (trusted && selected?.length) {
        return { target: { kind: 'module', argv: selected, source: 'Python extension', python: selected[0] }, notes };
    }
    const fallback = defaultPython(inputs.platform);
    return { target: { kind: 'module', argv: [fallback], source: 'PATH', python: undefined }, notes };
}

// ---- Probing the interpreter --------------------------------------------------------------

/** Printed as one JSON line by the probed interpreter. */
export const PROBE_SCRIPT = [
    'import importlib.util, json, sys',
    "s = importlib.util.find_spec('raylint')",
    "print(json.dumps({'executable': sys.executable, 'version': list(sys.version_info[:3]), 'raylint': s.origin if s else None}))",
].join('\n');

export interface ProbeInfo {
    executable: string;
    version: number[];
    raylint: string | null;
}

export type ProbeOutcome = { info: ProbeInfo } | { error: string; notFound: boolean };

export function parseProbeOutput(stdout: string): ProbeInfo | undefined {
    const line = stdout
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l.startsWith('{'))
        .pop();
    if (!line) {
        return undefined;
    }
    try {
        const value = JSON.parse(line);
        if (typeof value.executable === 'string' && Array.isArray(value.version)) {
            return { executable: value.executable, version: value.version, raylint: value.raylint ?? null };
        }
    } catch {
        // fall through
    }
    return undefined;
}

const WHERE = 'select an interpreter with "Python: Select Interpreter" (Python extension) or set raylint.interpreter';

/** Turns the probe's outcome into a problem to report, or undefined when the server can start. */
export function assessProbe(
    target: LaunchTarget,
    strategy: ImportStrategy,
    outcome: ProbeOutcome,
    bundledLibs: string,
): LaunchProblem | undefined {
    const what = `${target.argv.join(' ')} (from ${target.source})`;
    if ('error' in outcome) {
        if (outcome.notFound) {
            return {
                reason: `No usable Python found: ${what} does not exist.`,
                remedy: `Install Python ${MIN_PYTHON.join('.')} or newer, or ${WHERE}.`,
            };
        }
        return {
            reason: `No usable Python found: ${what} failed to run: ${outcome.error}`,
            remedy: `Check that interpreter in a terminal, or ${WHERE}.`,
        };
    }
    const { info } = outcome;
    const [major = 0, minor = 0] = info.version;
    if (major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1])) {
        return {
            reason: `raylint needs Python ${MIN_PYTHON.join('.')} or newer; ${what} is Python ${info.version.join('.')}.`,
            remedy: `Install a newer Python, or ${WHERE}.`,
        };
    }
    if (!info.raylint) {
        if (strategy === 'fromEnvironment') {
            return {
                reason: `raylint is not installed in ${info.executable} (raylint.importStrategy is "fromEnvironment").`,
                remedy: `Install raylint into it from a clone of its repository ("${info.executable} -m pip install <path of the clone>"; raylint is not on PyPI), or set raylint.importStrategy to "useBundled".`,
            };
        }
        return {
            reason: `The bundled raylint libraries could not be imported from ${bundledLibs} by ${info.executable}.`,
            remedy: 'Reinstall the raylint extension, or set raylint.importStrategy to "fromEnvironment" with raylint installed.',
        };
    }
    return undefined;
}

/** Runs the interpreter once with the server's environment and reports what it found. */
export function probeInterpreter(argv: string[], env: NodeJS.ProcessEnv, cwd: string, timeoutMs = 20000): Promise<ProbeOutcome> {
    return new Promise((resolve) => {
        execFile(
            argv[0],
            [...argv.slice(1), '-c', PROBE_SCRIPT],
            { env, cwd, timeout: timeoutMs, windowsHide: true },
            (err, stdout, stderr) => {
                const info = parseProbeOutput(String(stdout));
                if (info && !err) {
                    resolve({ info });
                    return;
                }
                const e = err as (NodeJS.ErrnoException & { killed?: boolean }) | null;
                const notFound = e?.code === 'ENOENT';
                const detail = e?.killed
                    ? `timed out after ${timeoutMs} ms`
                    : (String(stderr).trim().split(/\r?\n/).pop() ?? '') || e?.message || 'no output';
                resolve({ error: detail, notFound });
            },
        );
    });
}

/** For raylint.path: the executable must exist when given as a path. */
export function checkExecutable(argv: string[]): LaunchProblem | undefined {
    const exe = argv[0];
    if ((path.isAbsolute(exe) || exe.includes('/')) && !fs.existsSync(exe)) {
        return {
            reason: `raylint.path points at ${exe}, which does not exist.`,
            remedy: 'Fix raylint.path, or clear it to run raylint with a Python interpreter.',
        };
    }
    return undefined;
}

// ---- The Python extension's API -----------------------------------------------------------

interface EnvironmentPath {
    readonly id: string;
    readonly path: string;
}
interface ResolvedEnvironment {
    readonly executable: { readonly uri: vscode.Uri | undefined };
}
interface EnvironmentsApi {
    getActiveEnvironmentPath(resource?: vscode.Uri | vscode.WorkspaceFolder): EnvironmentPath;
    resolveEnvironment(env: EnvironmentPath | string): Promise<ResolvedEnvironment | undefined>;
    readonly onDidChangeActiveEnvironmentPath: vscode.Event<unknown>;
}
interface PythonExtensionApi {
    environments?: EnvironmentsApi;
    settings?: {
        readonly onDidChangeExecutionDetails: vscode.Event<vscode.Uri | undefined>;
        getExecutionDetails(resource?: vscode.Uri): { execCommand: string[] | undefined };
    };
}

export const PYTHON_EXTENSION_ID = 'ms-python.python';

async function pythonApi(): Promise<PythonExtensionApi | undefined> {
    const extension = vscode.extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION_ID);
    if (!extension) {
        return undefined;
    }
    if (!extension.isActive) {
        await extension.activate();
    }
    return extension.exports;
}

/** The command of the interpreter the Python extension selected for `resource`, if any. */
export async function getSelectedInterpreter(resource?: vscode.Uri): Promise<string[] | undefined> {
    try {
        const api = await pythonApi();
        if (api?.environments) {
            const env = await api.environments.resolveEnvironment(api.environments.getActiveEnvironmentPath(resource));
            if (env?.executable.uri) {
                return [env.executable.uri.fsPath];
            }
        }
        const command = api?.settings?.getExecutionDetails(resource).execCommand;
        return command && command.length > 0 ? command : undefined;
    } catch {
        return undefined;
    }
}

/** Fires when the Python extension's selected interpreter changes. */
export async function onDidChangeSelectedInterpreter(listener: () => void): Promise<vscode.Disposable | undefined> {
    try {
        const api = await pythonApi();
        if (api?.environments) {
            return api.environments.onDidChangeActiveEnvironmentPath(() => listener());
        }
        if (api?.settings) {
            return api.settings.onDidChangeExecutionDetails(() => listener());
        }
    } catch {
        // No Python extension, or it failed to activate: python3 from PATH is used.
    }
    return undefined;
}
