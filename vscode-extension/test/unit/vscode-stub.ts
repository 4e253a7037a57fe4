// A minimal stand-in for the `vscode` module, so the extension's modules load under node's test
// runner. Loaded with `node --require`; tests change `stub` to set configuration and trust.
import Module = require('module');

type Inspect = { defaultValue?: unknown; globalValue?: unknown; workspaceValue?: unknown; workspaceFolderValue?: unknown };

export const stub = {
    trusted: true,
    /** Keyed by full setting name, e.g. "raylint.interpreter". */
    config: new Map<string, Inspect>(),
    workspaceFolders: [] as { uri: { fsPath: string; toString(): string }; name: string; index: number }[],
    reset(): void {
        this.trusted = true;
        this.config.clear();
        this.workspaceFolders = [];
    },
};

class Uri {
    constructor(public readonly fsPath: string) {}
    static file(p: string): Uri {
        return new Uri(p);
    }
    static parse(s: string): Uri {
        return new Uri(s.replace(/^file:\/\//, ''));
    }
    toString(): string {
        return `file://${this.fsPath}`;
    }
}

class EventEmitter<T> {
    private listeners: ((e: T) => void)[] = [];
    event = (l: (e: T) => void) => {
        this.listeners.push(l);
        return { dispose: () => undefined };
    };
    fire(e: T): void {
        this.listeners.forEach((l) => l(e));
    }
    dispose(): void {}
}

const vscode = {
    Uri,
    EventEmitter,
    workspace: {
        get isTrusted() {
            return stub.trusted;
        },
        get workspaceFolders() {
            return stub.workspaceFolders;
        },
        getWorkspaceFolder: () => stub.workspaceFolders[0],
        getConfiguration(section: string) {
            return {
                inspect: (key: string) => stub.config.get(`${section}.${key}`),
                get: (key: string, fallback?: unknown) => {
                    const i = stub.config.get(`${section}.${key}`);
                    return i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue ?? i?.defaultValue ?? fallback;
                },
            };
        },
    },
    window: { activeTextEditor: undefined },
    extensions: { getExtension: () => undefined },
};

// Anything else the modules touch at load time resolves to an inert class.
const proxy = new Proxy(vscode as Record<string, unknown>, {
    get: (target, key: string) => (key in target ? target[key] : class {}),
});

const mod = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
const load = mod._load;
mod._load = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? proxy : load.call(this, request, ...rest);
};
