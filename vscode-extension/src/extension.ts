// Wiring only: settings, interpreter and server logic live in src/common/.
import * as vscode from 'vscode';
import { onDidChangeSelectedInterpreter } from './common/python';
import { ServerManager, SERVER_NAME } from './common/server';
import { affectsRestart, affectsServer } from './common/settings';

let manager: ServerManager | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
    const channel = vscode.window.createOutputChannel(SERVER_NAME, { log: true });
    manager = new ServerManager(context.extensionPath, channel);
    const m = manager;
    context.subscriptions.push(
        channel,
        m,
        vscode.commands.registerCommand('raylint.restart', () => m.restart('raylint.restart')),
        vscode.commands.registerCommand('raylint.showLogs', () => channel.show()),
        vscode.commands.registerCommand('raylint.fixAll', () => m.fixAll()),
        vscode.workspace.onDidChangeConfiguration(async (e) => {
            if (affectsRestart(e)) {
                await m.restart('launch settings changed');
            } else if (affectsServer(e)) {
                await m.pushSettings();
            }
        }),
        vscode.workspace.onDidGrantWorkspaceTrust(() => m.restart('workspace trusted')),
        vscode.workspace.onDidChangeWorkspaceFolders(() => m.restart('workspace folders changed')),
    );
    channel.info(`raylint extension ${context.extension.packageJSON.version} activated.`);
    await m.restart('activation');
    const sub = await onDidChangeSelectedInterpreter(() => void m.restart('Python interpreter changed'));
    if (sub) {
        context.subscriptions.push(sub);
    }
}

export async function deactivate(): Promise<void> {
    await manager?.stop();
    manager = undefined;
}
