// Drives a real VS Code (code-server) in headless Chromium for the end-to-end test and the
// benchmark. Everything it starts is killed by `Session.close()` (and on exit/signals):
// code-server runs in its own process group, which is killed as a whole.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { createRequire } from 'node:module';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const EXTENSION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const REPO_ROOT = path.resolve(EXTENSION_DIR, '..');
export const EXTENSION_ID = 'raylint.raylint';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function log(...args) {
    const t = ((performance.now() / 1000)).toFixed(1).padStart(6);
    console.log(`[e2e ${t}s]`, ...args);
}

/** The cached code-server/Node 24/playwright-core install, or a clear error. */
export function e2eEnv() {
    const script = path.join(EXTENSION_DIR, 'scripts', 'install-e2e-deps.sh');
    const res = spawnSync('bash', [script, '--check'], { encoding: 'utf8' });
    if (res.status !== 0) {
        throw new Error(`end-to-end dependencies are missing:\n${res.stderr.trim()}`);
    }
    const dir = res.stdout.trim().split('\n').pop();
    return JSON.parse(fs.readFileSync(path.join(dir, 'env.json'), 'utf8'));
}

/** Packages the extension (npm run package) unless RAYLINT_VSIX names a .vsix to use. */
export function buildVsix() {
    if (process.env.RAYLINT_VSIX) {
        return path.resolve(process.env.RAYLINT_VSIX);
    }
    if (!fs.existsSync(path.join(EXTENSION_DIR, 'node_modules', '.bin', 'vsce'))) {
        throw new Error(`${EXTENSION_DIR}/node_modules is missing: run "npm ci" in vscode-extension first`);
    }
    log('packaging the extension (npm run package)');
    const res = spawnSync('npm', ['run', 'package'], { cwd: EXTENSION_DIR, encoding: 'utf8' });
    if (res.status !== 0) {
        throw new Error(`npm run package failed:\n${res.stdout}\n${res.stderr}`);
    }
    const vsix = path.join(EXTENSION_DIR, 'dist', 'raylint.vsix');
    if (!fs.existsSync(vsix)) {
        throw new Error(`npm run package did not produce ${vsix}`);
    }
    return vsix;
}

function freePort() {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.once('error', reject);
        srv.listen(0, '127.0.0.1', () => {
            const { port } = srv.address();
            srv.close(() => resolve(port));
        });
    });
}

function get(url) {
    return new Promise((resolve) => {
        const req = http.get(url, (res) => {
            res.resume();
            resolve(res.statusCode);
        });
        req.on('error', () => resolve(0));
        req.setTimeout(2000, () => {
            req.destroy();
            resolve(0);
        });
    });
}

const live = new Set();
function killAll() {
    for (const s of live) {
        s.killNow();
    }
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
        killAll();
        process.exit(130);
    });
}

/** Installs the .vsix into a fresh code-server profile. Returns the session's folders. */
export function prepareProfile(env, vsix, { userSettings = {} } = {}) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'raylint-e2e-'));
    const dirs = {
        root,
        userData: path.join(root, 'user-data'),
        extensions: path.join(root, 'extensions'),
        config: path.join(root, 'config.yaml'),
        xdg: path.join(root, 'xdg'),
    };
    for (const d of [dirs.userData, dirs.extensions, dirs.xdg]) {
        fs.mkdirSync(d, { recursive: true });
    }
    fs.writeFileSync(dirs.config, 'auth: none\ncert: false\n');
    writeUserSettings(dirs, userSettings);
    const res = spawnSync(
        env.node,
        [env.codeServer, '--install-extension', vsix, '--extensions-dir', dirs.extensions, '--user-data-dir', dirs.userData,
            '--config', dirs.config],
        { env: childEnv(env, dirs), encoding: 'utf8', timeout: 120000 },
    );
    const installed = fs.readdirSync(dirs.extensions).filter((d) => d.startsWith(EXTENSION_ID));
    if (res.status !== 0 || installed.length === 0) {
        throw new Error(`code-server --install-extension failed (${res.status}):\n${res.stdout}\n${res.stderr}`);
    }
    dirs.installedExtension = path.join(dirs.extensions, installed[0]);
    return dirs;
}

/**
 * Writes the profile's user settings (the defaults the tests need, then `userSettings`). A window
 * opened afterwards reads them: one code-server can serve scenarios with different user settings.
 */
export function writeUserSettings(dirs, userSettings = {}) {
    fs.mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
    fs.writeFileSync(
        path.join(dirs.userData, 'User', 'settings.json'),
        JSON.stringify(
            {
                'files.hotExit': 'off',
                'workbench.startupEditor': 'none',
                'workbench.tips.enabled': false,
                'workbench.enableExperiments': false,
                'telemetry.telemetryLevel': 'off',
                'extensions.autoUpdate': false,
                'extensions.autoCheckUpdates': false,
                'update.mode': 'none',
                'security.workspace.trust.enabled': false,
                'editor.minimap.enabled': false,
                'window.restoreWindows': 'none',
                'chat.disableAIFeatures': true,
                'workbench.secondarySideBar.defaultVisibility': 'hidden',
                ...userSettings,
            },
            null,
            2,
        ),
    );
}

function childEnv(env, dirs) {
    return {
        ...process.env,
        PATH: `${path.dirname(env.node)}${path.delimiter}${process.env.PATH}`,
        XDG_CONFIG_HOME: path.join(dirs.xdg, 'config'),
        XDG_DATA_HOME: path.join(dirs.xdg, 'data'),
        XDG_CACHE_HOME: path.join(dirs.xdg, 'cache'),
        XDG_STATE_HOME: path.join(dirs.xdg, 'state'),
        // The extension host must not be pointed at the extension's own dev tree.
        NODE_OPTIONS: '',
    };
}

export class Session {
    constructor(env, dirs) {
        this.env = env;
        this.dirs = dirs;
        this.proc = undefined;
        this.browser = undefined;
        this.page = undefined;
        this.logFile = path.join(dirs.root, 'code-server.log');
    }

    /** Starts code-server (own process group) and opens `folder` in headless Chromium. */
    async open(folder) {
        await this.start();
        return this.openWindow(folder);
    }

    /** Starts code-server (own process group) and headless Chromium, with no window open yet. */
    async start() {
        const port = await freePort();
        this.url = `http://127.0.0.1:${port}`;
        const out = fs.openSync(this.logFile, 'a');
        this.proc = spawn(
            this.env.node,
            [this.env.codeServer, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--user-data-dir', this.dirs.userData,
                '--extensions-dir', this.dirs.extensions, '--config', this.dirs.config, '--disable-telemetry',
                '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override'],
            { env: childEnv(this.env, this.dirs), detached: true, stdio: ['ignore', out, out] },
        );
        fs.closeSync(out);
        live.add(this);
        const deadline = Date.now() + 60000;
        while ((await get(`${this.url}/healthz`)) !== 200) {
            if (this.proc.exitCode !== null || Date.now() > deadline) {
                throw new Error(`code-server did not come up; log:\n${this.readLog()}`);
            }
            await sleep(200);
        }
        const require = createRequire(path.join(this.env.playwrightCore, 'package.json'));
        const { chromium } = require(this.env.playwrightCore);
        this.browser = await chromium.launch({
            executablePath: this.env.chromium,
            headless: true,
            args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
                '--disable-component-update', '--disable-sync', '--no-first-run'],
        });
    }

    /**
     * Opens `folder` in a new VS Code window (a fresh browser context: its own extension host,
     * and so its own raylint server), after closing the window opened before, if any.
     */
    async openWindow(folder) {
        await this.closeWindow();
        this.context = await this.browser.newContext({ viewport: { width: 1400, height: 900 } });
        this.page = await this.context.newPage();
        this.page.setDefaultTimeout(30000);
        await this.page.goto(`${this.url}/?folder=${encodeURIComponent(folder)}`);
        await this.page.waitForSelector('.monaco-workbench .part.editor', { timeout: 60000 });
        // The explorer shows the folder once the window has loaded its workspace.
        await this.page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60000 });
        return this.page;
    }

    /** Closes the window openWindow opened (code-server and the browser keep running). */
    async closeWindow() {
        const context = this.context;
        this.context = undefined;
        this.page = undefined;
        await context?.close().catch(() => undefined);
    }

    readLog() {
        try {
            return fs.readFileSync(this.logFile, 'utf8');
        } catch {
            return '';
        }
    }

    /** The extension host's log of our output channel ("raylint"), for failure reports. */
    outputChannelLog() {
        const logs = path.join(this.dirs.userData, 'logs');
        const found = [];
        const walk = (d) => {
            for (const e of fs.existsSync(d) ? fs.readdirSync(d, { withFileTypes: true }) : []) {
                const p = path.join(d, e.name);
                if (e.isDirectory()) {
                    walk(p);
                } else if (/raylint/i.test(e.name) && e.name.endsWith('.log')) {
                    found.push(p);
                }
            }
        };
        walk(logs);
        return found.map((f) => `--- ${f}\n${fs.readFileSync(f, 'utf8')}`).join('\n');
    }

    killNow() {
        if (this.proc && this.proc.exitCode === null) {
            try {
                process.kill(-this.proc.pid, 'SIGKILL');
            } catch {
                // already gone
            }
        }
        live.delete(this);
    }

    async close() {
        try {
            await this.browser?.close();
        } catch {
            // the browser may already be gone
        }
        if (this.proc && this.proc.exitCode === null) {
            const pgid = this.proc.pid;
            try {
                process.kill(-pgid, 'SIGTERM');
            } catch {
                // already gone
            }
            const deadline = Date.now() + 5000;
            while (Date.now() < deadline && groupAlive(pgid)) {
                await sleep(100);
            }
            if (groupAlive(pgid)) {
                try {
                    process.kill(-pgid, 'SIGKILL');
                } catch {
                    // already gone
                }
            }
        }
        live.delete(this);
    }

    removeFiles() {
        fs.rmSync(this.dirs.root, { recursive: true, force: true });
    }
}

/** True while any process of the group is alive (the raylint server included). */
export function groupAlive(pgid) {
    try {
        process.kill(-pgid, 0);
        return true;
    } catch {
        return false;
    }
}

/** Process ids of processes whose command line contains `needle` (for leak checks). */
export function pidsMatching(needle) {
    const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
    return out
        .split('\n')
        .filter((l) => l.includes(needle))
        .map((l) => Number(l.trim().split(/\s+/)[0]));
}

// ---- Editor actions ---------------------------------------------------------------------

export const SQUIGGLE = '.monaco-editor .squiggly-warning';

/**
 * Opens a file through Quick Open (Ctrl+P) and waits for its editor tab. With
 * `{ timeSquiggle: true }` it also waits for the first RAY001 squiggle and returns the ms
 * from Enter to it (what the benchmark and the e2e report as open → squiggle).
 */
export async function openFile(page, name, { timeSquiggle = false } = {}) {
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(name);
    // Wait for the file to be listed before accepting it.
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first().waitFor();
    const t0 = performance.now();
    await page.keyboard.press('Enter');
    await page.locator(`.tab.active[aria-label*="${name}"]`).first().waitFor();
    let ms;
    if (timeSquiggle) {
        await page.locator(SQUIGGLE).first().waitFor({ state: 'visible', timeout: 60000 });
        ms = performance.now() - t0;
    }
    await page.locator('.monaco-editor .view-lines').first().waitFor();
    return ms;
}

/** Puts the cursor at line:column (1-based) with Go to Line (Quick Open with ":"). */
export async function goTo(page, line, column) {
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`:${line}:${column}`);
    await page.keyboard.press('Enter');
    await input.waitFor({ state: 'hidden' });
    await page.locator('.part.statusbar', { hasText: `Ln ${line}, Col ${column}` }).waitFor();
    await page.locator('.monaco-editor.focused').first().waitFor();
    // Focus comes back to the editor asynchronously after Quick Open closes; a key pressed in
    // that moment (Ctrl+.) can be lost. Not counted in any measurement.
    await page.waitForTimeout(300);
}

/** Ctrl+. and the titles of the quick-fix menu's entries. */
export async function openQuickFixMenu(page, attempts = 3) {
    const rows = page.locator('.action-widget .monaco-list-row.action');
    for (let i = 1; ; i++) {
        await page.keyboard.press('Control+.');
        try {
            await rows.first().waitFor({ state: 'visible', timeout: 10000 });
            return menuTitles(page);
        } catch (e) {
            if (i >= attempts) {
                throw e;
            }
            log(`quick-fix menu did not open (attempt ${i}); retrying`);
            await page.keyboard.press('Escape');
        }
    }
}

export async function menuTitles(page) {
    const texts = await page.locator('.action-widget .monaco-list-row.action').allInnerTexts();
    return texts.map((t) => t.replace(/\u00a0/g, ' ').trim()).filter(Boolean);
}

export async function chooseMenuItem(page, startsWith) {
    const titles = await menuTitles(page);
    const index = titles.findIndex((t) => t.startsWith(startsWith));
    if (index < 0) {
        throw new Error(`no quick fix starting with "${startsWith}" in ${JSON.stringify(titles)}`);
    }
    await page.locator('.action-widget .monaco-list-row.action').nth(index).click();
    await page.locator('.action-widget .monaco-list-row.action').first().waitFor({ state: 'hidden' });
}

export async function waitFor(predicate, what, timeoutMs = 30000, intervalMs = 100) {
    const deadline = Date.now() + timeoutMs;
    let last;
    while (Date.now() < deadline) {
        last = await predicate();
        if (last) {
            return last;
        }
        await sleep(intervalMs);
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** The text of the active editor's visible lines (all of a short file). */
export async function editorText(page) {
    const text = await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().innerText();
    return text.replace(/\u00a0/g, ' ');
}

/** Waits until the editor shows `needle` (an applied edit reaches the buffer asynchronously). */
export async function waitForEditorText(page, needle, timeoutMs = 15000) {
    await waitFor(async () => (await editorText(page)).includes(needle), `the editor to show ${JSON.stringify(needle)}`, timeoutMs);
}

export async function squiggleCount(page) {
    return page.locator(SQUIGGLE).count();
}

/** Entries of the Problems panel (Ctrl+Shift+M), as text. */
export async function problems(page) {
    await page.keyboard.press('Control+Shift+M');
    const panel = page.locator('.markers-panel');
    await panel.waitFor({ state: 'visible' });
    const rows = panel.locator('.monaco-list-row');
    return (await rows.allInnerTexts()).map((t) => t.replace(/\u00a0/g, ' ').replace(/\s+/g, ' ').trim());
}
