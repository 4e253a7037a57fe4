// Starting, restarting and talking to the raylint language server. `buildServerCommand` (the
// command line and environment) is pure and unit tested; `ServerManager` wires it to
// vscode-languageclient.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { LanguageClient, LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';
import {
    assessProbe,
    checkExecutable,
    chooseInterpreter,
    getSelectedInterpreter,
    LaunchProblem,
    LaunchTarget,
    probeInterpreter,
} from './python';
import {
    getLaunchSettings,
    getServerSettings,
    ImportStrategy,
    primaryWorkspaceFolder,
    SECTION,
    ServerSettings,
} from './settings';

export const SERVER_ID = 'raylint';
export const SERVER_NAME = 'raylint';
export const FIX_ALL_KIND = 'source.fixAll.raylint';

// Python files, untitled Python editors, and the Python cells of Jupyter notebooks: with the
// cells selected, vscode-languageclient syncs each notebook through notebookDocument/* (the
// server analyses its code cells as one module) and asks for code actions on the cells.
export const DOCUMENT_SELECTOR = [
    { scheme: 'file', language: 'python' },
    { scheme: 'untitled', language: 'python' },
    { notebook: 'jupyter-notebook', language: 'python' },
];

export interface ServerCommand {
    command: string;
    args: string[];
    cwd: string;
    env: NodeJS.ProcessEnv;
}

export function bundledLibsPath(extensionPath: string): string {
    return path.join(extensionPath, 'bundled', 'libs');
}

/**
 * The server's command line and environment.
 * - module: `<interpreter...> -m raylint server`; with useBundled, PYTHONPATH starts with the
 *   extension's bundled/libs so the bundled raylint (and pygls, jedi...) win, while the
 *   interpreter's own site-packages (the user's Ray) stay importable after them.
 * - executable (raylint.path): `<path...> server`, environment untouched.
 * The working directory is the extension's folder, never the workspace: `python -m` puts the
 * working directory first on sys.path, and a workspace must not be able to shadow modules.
 */
export function buildServerCommand(
    target: LaunchTarget,
    strategy: ImportStrategy,
    extensionPath: string,
    baseEnv: NodeJS.ProcessEnv,
): ServerCommand {
    const env: NodeJS.ProcessEnv = { ...baseEnv };
    const [command, ...rest] = target.argv;
    let args: string[];
    if (target.kind === 'executable') {
        args = [...rest, 'server'];
    } else {
        args = [...rest, '-m', 'raylint', 'server'];
        if (strategy === 'useBundled') {
            const existing = baseEnv.PYTHONPATH;
            env.PYTHONPATH = existing ? `${bundledLibsPath(extensionPath)}${path.delimiter}${existing}` : bundledLibsPath(extensionPath);
        }
    }
    // Unbuffered stderr so the server's log reaches the output channel as it is written.
    env.PYTHONUNBUFFERED = '1';
    return { command, args, cwd: extensionPath, env };
}

/** Quotes a command line for the log, so it can be pasted into a shell. */
export function formatCommand(command: string, args: string[]): string {
    return [command, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

export class ServerManager implements vscode.Disposable {
    private client: LanguageClient | undefined;
    private python: string | undefined;
    private queue: Promise<unknown> = Promise.resolve();
    private disposed = false;

    constructor(
        private readonly extensionPath: string,
        private readonly channel: vscode.LogOutputChannel,
    ) {}

    /** Stops the running server (if any) and starts a new one. Calls are serialized. */
    restart(reason: string): Promise<void> {
        const next = this.queue.then(() => this.doRestart(reason));
        this.queue = next.catch(() => undefined);
        return next;
    }

    /** Sends the current settings to the running server (workspace/didChangeConfiguration). */
    async pushSettings(): Promise<void> {
        const client = this.client;
        if (client?.isRunning()) {
            const settings = this.serverSettings(primaryWorkspaceFolder()?.uri);
            this.channel.info(`Settings changed: ${JSON.stringify(settings)}`);
            await client.sendNotification('workspace/didChangeConfiguration', { settings: { [SECTION]: settings } });
        }
    }

    /** Applies the server's `source.fixAll.raylint` action to the active editor's document. */
    async fixAll(): Promise<boolean> {
        const editor = vscode.window.activeTextEditor;
        if (!editor || editor.document.languageId !== 'python') {
            void vscode.window.showInformationMessage('raylint: open a Python file to fix its RAY001 problems.');
            return false;
        }
        const document = editor.document;
        const range = new vscode.Range(0, 0, document.lineCount, 0);
        const actions =
            (await vscode.commands.executeCommand<vscode.CodeAction[]>(
                'vscode.executeCodeActionProvider',
                document.uri,
                range,
                FIX_ALL_KIND,
                1,
            )) ?? [];
        const kind = vscode.CodeActionKind.Source.append('fixAll').append('raylint');
        const action = actions.find((a) => a.kind && kind.contains(a.kind));
        if (!action || (!action.edit && !action.command)) {
            void vscode.window.showInformationMessage('raylint: no RAY001 problems to fix in this file.');
            return false;
        }
        if (action.edit) {
            await vscode.workspace.applyEdit(action.edit);
        }
        if (action.command) {
            await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
        }
        return true;
    }

    async stop(): Promise<void> {
        const client = this.client;
        this.client = undefined;
        if (client) {
            try {
                await client.stop(2000);
            } catch (e) {
                this.channel.warn(`Stopping the server: ${String(e)}`);
            }
            await client.dispose(2000).catch(() => undefined);
        }
    }

    dispose(): void {
        this.disposed = true;
        void this.stop();
    }

    private serverSettings(scope: vscode.Uri | undefined): ServerSettings {
        return getServerSettings(scope, this.python);
    }

    private async doRestart(reason: string): Promise<void> {
        if (this.disposed) {
            return;
        }
        this.channel.info(`Starting the server (${reason}).`);
        await this.stop();

        const folder = primaryWorkspaceFolder();
        const trusted = vscode.workspace.isTrusted;
        const launch = getLaunchSettings(folder);
        const selected =
            launch.path.length === 0 && launch.interpreter.length === 0
                ? await getSelectedInterpreter(folder?.uri)
                : undefined;
        const choice = chooseInterpreter({
            launch,
            selected,
            trusted,
            workspaceFolders: (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath),
            platform: process.platform,
        });
        choice.notes.forEach((n) => this.channel.info(n));
        if ('problem' in choice) {
            return this.report(choice.problem);
        }
        const { target } = choice;
        const libs = bundledLibsPath(this.extensionPath);
        if (target.kind === 'module' && launch.importStrategy === 'useBundled' && !fs.existsSync(libs)) {
            return this.report({
                reason: `This copy of the extension has no bundled libraries (${libs} is missing).`,
                remedy: 'Reinstall the raylint extension, or set raylint.importStrategy to "fromEnvironment".',
            });
        }
        const cmd = buildServerCommand(target, launch.importStrategy, this.extensionPath, process.env);
        this.channel.info(
            `Interpreter from ${target.source}; import strategy ${launch.importStrategy}; trusted workspace: ${trusted}.`,
        );

        if (target.kind === 'module') {
            const outcome = await probeInterpreter(target.argv, cmd.env, cmd.cwd);
            if ('info' in outcome) {
                this.channel.info(
                    `Python ${outcome.info.version.join('.')} at ${outcome.info.executable}; raylint from ${outcome.info.raylint}`,
                );
                // jedi resolves `ray` in the environment of the interpreter that runs the server
                // unless told otherwise: pass the resolved executable.
                this.python = target.python ?? outcome.info.executable;
            }
            const problem = assessProbe(target, launch.importStrategy, outcome, libs);
            if (problem) {
                return this.report(problem);
            }
        } else {
            this.python = target.python;
            const problem = checkExecutable(target.argv);
            if (problem) {
                return this.report(problem);
            }
        }

        this.channel.info(`Server command: ${formatCommand(cmd.command, cmd.args)} (cwd ${cmd.cwd})`);
        const { LanguageClient, RevealOutputChannelOn } = await import('vscode-languageclient/node');
        const serverOptions: ServerOptions = {
            command: cmd.command,
            args: cmd.args,
            options: { cwd: cmd.cwd, env: cmd.env },
        };
        const clientOptions: LanguageClientOptions = {
            documentSelector: DOCUMENT_SELECTOR,
            outputChannel: this.channel,
            revealOutputChannelOn: RevealOutputChannelOn.Never,
            initializationOptions: this.serverSettings(folder?.uri),
            initializationFailedHandler: (error) => {
                this.channel.error(`Initialization failed: ${String(error)}`);
                return false;
            },
            middleware: {
                workspace: {
                    configuration: async (params, token, next) => {
                        const result = await next(params, token);
                        if (!Array.isArray(result)) {
                            return result;
                        }
                        return params.items.map((item, i) =>
                            item.section === SECTION
                                ? this.serverSettings(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : folder?.uri)
                                : result[i],
                        );
                    },
                },
            },
        };
        const client = new LanguageClient(SERVER_ID, SERVER_NAME, serverOptions, clientOptions);
        this.client = client;
        try {
            await client.start();
            this.channel.info('Server running.');
        } catch (e) {
            if (this.client === client) {
                this.client = undefined;
            }
            await client.dispose(2000).catch(() => undefined);
            const message = e instanceof Error ? e.message : String(e);
            return this.report({
                reason: `The raylint server (${formatCommand(cmd.command, cmd.args)}) could not start: ${message}`,
                remedy: 'The output channel "raylint" has the server\'s error output.',
            });
        }
    }

    private report(problem: LaunchProblem): void {
        this.channel.error(`${problem.reason} ${problem.remedy}`);
        const actions = ['Show Logs', 'Open Settings'];
        if (vscode.extensions.getExtension('ms-python.python')) {
            actions.push('Select Interpreter');
        }
        void vscode.window.showErrorMessage(`raylint: ${problem.reason} ${problem.remedy}`, ...actions).then((choice) => {
            if (choice === 'Show Logs') {
                this.channel.show();
            } else if (choice === 'Open Settings') {
                void vscode.commands.executeCommand('workbench.action.openSettings', SECTION);
            } else if (choice === 'Select Interpreter') {
                void vscode.commands.executeCommand('python.setInterpreter');
            }
        });
    }
}
