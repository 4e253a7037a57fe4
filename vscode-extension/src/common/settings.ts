// Reading raylint's settings. The pure functions (defaults, variable substitution, what an
// untrusted workspace may set, what the server receives) are unit tested; the functions at the
// bottom only read VS Code's configuration and hand it to them.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';

export const SECTION = 'raylint';

export type Severity = 'error' | 'warning' | 'information' | 'hint';
export type GeneratorStyle = 'streaming' | 'dynamic';
export type ImportStrategy = 'useBundled' | 'fromEnvironment';

/**
 * What the server reads (initializationOptions, workspace/configuration, didChangeConfiguration).
 * Only the settings the user set are sent: the rest come from `[tool.raylint]` in pyproject.toml
 * or the server's defaults (the same as this extension's declared defaults).
 */
export interface ServerSettings {
    enable?: boolean;
    severity?: Severity;
    exclude?: string[];
    /** Rule codes or prefixes to run, and to leave out (the server checks the codes). */
    select?: string[];
    ignore?: string[];
    /** Glob (relative to the folder, or a file name) → codes left out for the files it matches. */
    perFileIgnores?: Record<string, string[]>;
    generatorStyle?: GeneratorStyle;
    debounce?: number;
    /** The tasks are also called from outside the workspace: fixes that change callers are unsafe. */
    library?: boolean;
    /**
     * Interpreter whose environment jedi uses to resolve `ray`; '' for the server's own
     * environment. Sent whenever the extension knows it (always once the server is started), so
     * that it wins over anything a project file could say.
     */
    python?: string;
}

/** What the extension itself uses to start the server. */
export interface LaunchSettings {
    interpreter: string[];
    path: string[];
    importStrategy: ImportStrategy;
}

export const LAUNCH_DEFAULTS: Readonly<LaunchSettings> = Object.freeze({
    interpreter: [],
    path: [],
    importStrategy: 'useBundled',
});

/** Settings that choose what runs: a workspace may not set them unless trusted. */
export const RESTRICTED_KEYS: readonly (keyof LaunchSettings)[] = ['interpreter', 'path', 'importStrategy'];
/** Settings whose change needs a new server process (the rest go through didChangeConfiguration). */
export const RESTART_KEYS: readonly string[] = RESTRICTED_KEYS.map((k) => `${SECTION}.${k}`);

const SEVERITIES: readonly Severity[] = ['error', 'warning', 'information', 'hint'];
const GENERATOR_STYLES: readonly GeneratorStyle[] = ['streaming', 'dynamic'];
const IMPORT_STRATEGIES: readonly ImportStrategy[] = ['useBundled', 'fromEnvironment'];

/** The part of `WorkspaceConfiguration.inspect()` that matters here. */
export interface Inspected<T> {
    defaultValue?: T;
    globalValue?: T;
    workspaceValue?: T;
    workspaceFolderValue?: T;
}

/**
 * The value of a setting that the user set (undefined when only the default applies). In an
 * untrusted workspace, values from the workspace and its folders are ignored for the restricted
 * (launch) settings: only the user's own settings count.
 */
export function explicitValue<T>(inspected: Inspected<T> | undefined, restricted: boolean, trusted: boolean): T | undefined {
    if (!inspected) {
        return undefined;
    }
    if (restricted && !trusted) {
        return inspected.globalValue;
    }
    return inspected.workspaceFolderValue ?? inspected.workspaceValue ?? inspected.globalValue;
}

export interface VariableContext {
    workspaceFolder?: string;
    userHome?: string;
    env?: NodeJS.ProcessEnv;
}

/** Substitutes ${workspaceFolder}, ${userHome}, ${env:NAME} and a leading ~ in one setting value. */
export function resolveVariables(value: string, ctx: VariableContext): string {
    const home = ctx.userHome ?? os.homedir();
    let out = value;
    if (out === '~' || out.startsWith('~/') || out.startsWith('~\\')) {
        out = home + out.slice(1);
    }
    out = out.replace(/\$\{userHome\}/g, home);
    if (ctx.workspaceFolder !== undefined) {
        out = out.replace(/\$\{workspaceFolder\}/g, ctx.workspaceFolder);
    }
    out = out.replace(/\$\{env:([^}]+)\}/g, (_m, name: string) => (ctx.env ?? process.env)[name] ?? '');
    return out;
}

function stringArray(value: unknown): string[] {
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}


function isOneOf<T extends string>(value: unknown, allowed: readonly T[]): value is T {
    return typeof value === 'string' && (allowed as readonly string[]).includes(value);
}

/**
 * What the server is sent: the settings the user set, when valid (an invalid value is left out,
 * so the server's default or pyproject.toml applies), plus the interpreter for jedi.
 */
export function toServerSettings(raw: Record<string, unknown>, python: string | undefined): ServerSettings {
    const s: ServerSettings = {};
    if (typeof raw.enable === 'boolean') {
        s.enable = raw.enable;
    }
    if (isOneOf(raw.severity, SEVERITIES)) {
        s.severity = raw.severity;
    }
    if (Array.isArray(raw.exclude)) {
        s.exclude = stringArray(raw.exclude);
    }
    if (Array.isArray(raw.select)) {
        s.select = stringArray(raw.select);
    }
    if (Array.isArray(raw.ignore)) {
        s.ignore = stringArray(raw.ignore);
    }
    if (raw.perFileIgnores !== null && typeof raw.perFileIgnores === 'object' && !Array.isArray(raw.perFileIgnores)) {
        const table: Record<string, string[]> = {};
        for (const [glob, codes] of Object.entries(raw.perFileIgnores as Record<string, unknown>)) {
            if (Array.isArray(codes)) {
                table[glob] = stringArray(codes);
            }
        }
        s.perFileIgnores = table;
    }
    if (isOneOf(raw.generatorStyle, GENERATOR_STYLES)) {
        s.generatorStyle = raw.generatorStyle;
    }
    if (typeof raw.debounce === 'number' && Number.isFinite(raw.debounce) && raw.debounce >= 0) {
        s.debounce = raw.debounce;
    }
    if (typeof raw.library === 'boolean') {
        s.library = raw.library;
    }
    if (typeof python === 'string') {
        s.python = python;
    }
    return s;
}

/** Normalizes the launch settings, substituting variables in the interpreter and path arrays. */
export function toLaunchSettings(raw: Record<string, unknown>, ctx: VariableContext): LaunchSettings {
    const resolveAll = (v: unknown) => stringArray(v).map((s) => resolveVariables(s, ctx)).filter((s) => s.length > 0);
    return {
        interpreter: resolveAll(raw.interpreter),
        path: resolveAll(raw.path),
        importStrategy: isOneOf(raw.importStrategy, IMPORT_STRATEGIES) ? raw.importStrategy : LAUNCH_DEFAULTS.importStrategy,
    };
}

/** The path with symlinks resolved, as far as they exist (the path itself when it does not). */
function realPath(p: string): string {
    try {
        return fs.realpathSync.native(p);
    } catch {
        return path.resolve(p);
    }
}

/**
 * True when `file` is inside one of `folders` (used to refuse workspace binaries when untrusted),
 * as written or once symlinks are resolved: a link to a binary in the workspace, or a workspace
 * opened through a link, counts as inside.
 */
export function isInsideAny(file: string, folders: readonly string[]): boolean {
    const targets = [path.resolve(file), realPath(file)];
    return folders.some((folder) =>
        [path.resolve(folder), realPath(folder)].some((root) =>
            targets.some((target) => {
                const rel = path.relative(root, target);
                return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
            }),
        ),
    );
}

// ---- VS Code glue ---------------------------------------------------------------------------

const SERVER_KEYS: readonly string[] = [
    'enable', 'severity', 'exclude', 'select', 'ignore', 'perFileIgnores', 'generatorStyle', 'debounce', 'library',
];

function readRaw(scope: vscode.ConfigurationScope | undefined, keys: readonly string[], restricted: boolean) {
    const config = vscode.workspace.getConfiguration(SECTION, scope);
    const trusted = vscode.workspace.isTrusted;
    const raw: Record<string, unknown> = {};
    for (const key of keys) {
        raw[key] = explicitValue(config.inspect(key), restricted, trusted);
    }
    return raw;
}

/** The folder that settings and the server's interpreter are taken from. */
export function primaryWorkspaceFolder(): vscode.WorkspaceFolder | undefined {
    const active = vscode.window.activeTextEditor?.document.uri;
    const folder = active ? vscode.workspace.getWorkspaceFolder(active) : undefined;
    return folder ?? vscode.workspace.workspaceFolders?.[0];
}

export function getServerSettings(scope: vscode.ConfigurationScope | undefined, python: string | undefined): ServerSettings {
    return toServerSettings(readRaw(scope, SERVER_KEYS, false), python);
}

export function getLaunchSettings(folder: vscode.WorkspaceFolder | undefined): LaunchSettings {
    return toLaunchSettings(readRaw(folder?.uri, RESTRICTED_KEYS, true), {
        workspaceFolder: folder?.uri.fsPath,
    });
}

export function affectsRestart(e: vscode.ConfigurationChangeEvent): boolean {
    return RESTART_KEYS.some((key) => e.affectsConfiguration(key));
}

export function affectsServer(e: vscode.ConfigurationChangeEvent): boolean {
    return SERVER_KEYS.some((key) => e.affectsConfiguration(`${SECTION}.${key}`));
}
