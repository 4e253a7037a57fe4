// End-to-end test: the packaged .vsix in a fresh code-server, driven in headless Chromium.
//   1. RAY001 squiggles and Problems entries appear for the three shapes.
//   2. Ctrl+. offers the rewrite that applies at each shape (and the suppression).
//   3. Applying "Return the value directly" and "Use num_returns=" and saving (without save
//      participants) changes the file on disk exactly as the titles say; their squiggles go,
//      the third stays.
//   4. With "editor.codeActionsOnSave": {"source.fixAll.raylint": "explicit"} (set in the
//      workspace), Ctrl+S on another file fixes all of its problems.
//   5. The command "raylint: Fix All RAY001 Problems" fixes a third file.
//   6. The repository's own examples/ (copied, never edited in place) as the workspace:
//      examples/tasks.py shows a squiggle and a Problems entry for each RAY001 finding that
//      `python3 -m raylint check <copy> --format json` reports in it; Ctrl+. on the first one
//      with a safe preferred fix offers its rewrites; that preferred fix, applied and saved,
//      writes exactly what `raylint check --fix` writes for it (tasks.py and its caller in
//      main.py). Prints open → squiggle (cold) and Ctrl+. → menu for that file.
//   7. A Jupyter notebook (notebook.mjs): the squiggle in the task's cell, the quick fix applied
//      to it and to the caller's cell, the notebook saved with its outputs and metadata intact.
// One code-server (one profile: the .vsix installed once) and one Chromium serve every scenario:
// each opens its own workspace folder in a new window (a fresh browser context, so its own
// extension host and raylint server), with the user settings it needs written before.
// Exits non-zero on any failure. Prints "N passed, N failed".
// Environment: RAYLINT_VSIX (use this .vsix instead of packaging), RAYLINT_E2E_ARTIFACTS
// (folder for the screenshot and logs; default vscode-extension/test-results), RAYLINT_E2E_KEEP=1
// (keep the temp folders), RAYLINT_E2E_PYTHON (the interpreter that runs the raylint CLI for the
// examples/ checks; default python3, with the repository's server/ first on PYTHONPATH).
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
    buildVsix,
    chooseMenuItem,
    editorText,
    e2eEnv,
    EXTENSION_DIR,
    goTo,
    groupAlive,
    log,
    openFile,
    openQuickFixMenu,
    prepareProfile,
    problems,
    REPO_ROOT,
    Session,
    SQUIGGLE,
    squiggleCount,
    waitFor,
    waitForEditorText,
    writeUserSettings,
} from './harness.mjs';
import { makeNotebookWorkspace, notebookChecks } from './notebook.mjs';

const ARTIFACTS = path.resolve(process.env.RAYLINT_E2E_ARTIFACTS ?? path.join(EXTENSION_DIR, 'test-results'));
fs.mkdirSync(ARTIFACTS, { recursive: true });

// The three shapes of RAY001. Line numbers below refer to this text.
export const SOURCE = `import ray


@ray.remote
def make_one(x):
    return ray.put(x * 2)


@ray.remote
def make_pair(a, b):
    return ray.put(a), ray.put(b)


@ray.remote
def make_shards(xs):
    return [ray.put(x) for x in xs]


if __name__ == "__main__":
    ray.init()
    print(ray.get(ray.get(make_one.remote(21))))
`;
const LINE = { one: 6, pair: 11, shards: 16 };
const COLUMN = 12; // where `ray.put` starts on each return line

function makeWorkspace(root) {
    const ws = path.join(root, 'examples');
    fs.mkdirSync(ws, { recursive: true });
    fs.writeFileSync(path.join(ws, 'quickfix_demo.py'), SOURCE);
    fs.writeFileSync(path.join(ws, 'fixall_demo.py'), SOURCE);
    fs.writeFileSync(path.join(ws, 'command_demo.py'), SOURCE);
    fs.mkdirSync(path.join(ws, '.vscode'));
    fs.writeFileSync(
        path.join(ws, '.vscode', 'settings.json'),
        JSON.stringify({ 'editor.codeActionsOnSave': { 'source.fixAll.raylint': 'explicit' } }, null, 2),
    );
    return ws;
}

const results = [];
async function step(name, fn) {
    const t0 = performance.now();
    try {
        await fn();
        results.push({ name, ok: true });
        log(`PASS ${name} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (e) {
        results.push({ name, ok: false, error: e });
        log(`FAIL ${name}: ${e.stack ?? e}`);
        throw e;
    }
}

/**
 * Runs `body(page, ws)` in a new window of the shared code-server (`session`), on a workspace of
 * its own (`workspace(root)` in a folder of its own), with the user settings `userSettings` (on
 * top of the defaults; written before the window opens, which reads them), then closes the
 * window. Returns false when something failed (artifacts are saved then).
 */
async function inWindow(session, name, { userSettings, workspace = makeWorkspace } = {}, body) {
    const prefix = name.replace(/\W+/g, '-');
    writeUserSettings(session.dirs, userSettings);
    const root = path.join(session.dirs.root, `ws-${prefix}`);
    fs.mkdirSync(root, { recursive: true });
    const ws = workspace(root);
    let ok = true;
    try {
        const t0 = performance.now();
        const page = await session.openWindow(ws);
        log(`${name}: workbench loaded (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
        await body(page, ws);
    } catch (e) {
        ok = false;
        if (!results.some((r) => r.error === e)) {
            results.push({ name, ok: false, error: e });
            log(`FAIL ${name}: ${e.stack ?? e}`);
        }
        if (session.page) {
            await session.page.screenshot({ path: path.join(ARTIFACTS, `${prefix}-failure.png`) }).catch(() => undefined);
        }
        fs.writeFileSync(path.join(ARTIFACTS, `${prefix}-code-server.log`), session.readLog());
        fs.writeFileSync(path.join(ARTIFACTS, `${prefix}-raylint-output.log`), session.outputChannelLog());
        log(`artifacts in ${ARTIFACTS}`);
        log(`raylint output channel:\n${session.outputChannelLog()}`);
    } finally {
        await session.closeWindow();
    }
    return ok;
}

/**
 * One code-server (one profile, the .vsix installed once) and one Chromium for every scenario:
 * `scenarios(session)` opens a window per scenario (inWindow). Then everything is closed, and
 * no process of code-server's group may survive. Returns false when something failed.
 */
async function withCodeServer(env, vsix, scenarios) {
    const t0 = performance.now();
    const dirs = prepareProfile(env, vsix);
    const session = new Session(env, dirs);
    let ok = true;
    try {
        await session.start();
        log(`code-server and Chromium up, the .vsix installed (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
        ok = await scenarios(session);
    } catch (e) {
        ok = false;
        results.push({ name: 'code-server and Chromium start', ok: false, error: e });
        log(`FAIL code-server and Chromium start: ${e.stack ?? e}`);
        fs.writeFileSync(path.join(ARTIFACTS, 'start-code-server.log'), session.readLog());
        log(`artifacts in ${ARTIFACTS}`);
    } finally {
        const pgid = session.proc?.pid;
        await session.close();
        if (pgid && groupAlive(pgid)) {
            ok = false;
            results.push({ name: 'processes cleaned up', ok: false });
            log(`FAIL processes of code-server's group ${pgid} survived`);
        }
        if (!process.env.RAYLINT_E2E_KEEP) {
            session.removeFiles();
        } else {
            log(`kept ${dirs.root}`);
        }
    }
    return ok;
}

async function main() {
    const started = performance.now();
    const env = e2eEnv();
    const vsix = buildVsix();
    log(`vsix: ${vsix} (${(fs.statSync(vsix).size / 1e6).toFixed(2)} MB); code-server ${env.codeServerVersion}`);
    const ok = await withCodeServer(env, vsix, async (session) => {
        let ok = await inWindow(session, 'main', {}, async (page, ws) => {

            await step('RAY001 squiggles and Problems entries appear', async () => {
                await openFile(page, 'quickfix_demo.py');
                await waitFor(async () => (await squiggleCount(page)) >= 3, 'three RAY001 squiggles', 60000);
                const entries = await problems(page);
                const ray001 = entries.filter((e) => e.includes('RAY001'));
                assert.equal(ray001.length, 3, `Problems panel: ${JSON.stringify(entries)}`);
                for (const e of ray001) {
                    assert.match(e, /ray\.put/);
                    assert.match(e, /raylint/);
                }
                for (const [name, line] of Object.entries({ make_one: LINE.one, make_pair: LINE.pair, make_shards: LINE.shards })) {
                    assert.ok(
                        ray001.some((e) => e.includes(name) && e.includes(`[Ln ${line}, Col ${COLUMN}]`)),
                        `no Problems entry for ${name} at line ${line}: ${JSON.stringify(ray001)}`,
                    );
                }
                // Back to the editor.
                await page.keyboard.press('Control+Shift+M');
                await page.locator('.monaco-editor .view-lines').first().click();
            });

            await step('Ctrl+. offers the rewrites that apply at each shape', async () => {
                await goTo(page, LINE.one, COLUMN);
                let titles = await openQuickFixMenu(page);
                assert.ok(titles.some((t) => t.startsWith('Return the value directly')), JSON.stringify(titles));
                assert.ok(titles.some((t) => t.startsWith('Suppress RAY001 on this line')), JSON.stringify(titles));
                await page.keyboard.press('Escape');

                await goTo(page, LINE.shards, COLUMN);
                titles = await openQuickFixMenu(page);
                assert.ok(titles.some((t) => /^Make `make_shards` .*a generator task/.test(t)), JSON.stringify(titles));
                assert.ok(!titles.some((t) => t.startsWith('Use num_returns=')), `no fixed count for a comprehension: ${titles}`);
                await page.keyboard.press('Escape');

                await goTo(page, LINE.pair, COLUMN);
                titles = await openQuickFixMenu(page);
                assert.ok(titles.some((t) => t.startsWith('Use num_returns=2')), JSON.stringify(titles));
                assert.ok(titles.some((t) => /^Make `make_pair` .*a generator task/.test(t)), JSON.stringify(titles));
                await page.waitForTimeout(300); // let the menu finish its fade-in for the picture
                await page.screenshot({ path: path.join(ARTIFACTS, 'quickfix-menu-window.png') });
                await page.locator('.part.editor').screenshot({ path: path.join(ARTIFACTS, 'quickfix-menu.png') });
                log(`quick-fix menu at make_pair: ${JSON.stringify(titles)}`);
                await page.keyboard.press('Escape');
            });

            await step('applying quick fixes changes the file on disk and removes their squiggles', async () => {
                const file = path.join(ws, 'quickfix_demo.py');
                await goTo(page, LINE.one, COLUMN);
                await openQuickFixMenu(page);
                await chooseMenuItem(page, 'Return the value directly');
                await waitForEditorText(page, 'return x * 2');
                await goTo(page, LINE.pair, COLUMN);
                await openQuickFixMenu(page);
                await chooseMenuItem(page, 'Use num_returns=');
                await waitForEditorText(page, 'return a, b');
                // File: Save without Formatting (Ctrl+K S) runs no save participants, so the fix-all
                // on save configured for this workspace stays out of this step.
                await page.keyboard.press('Control+K');
                await page.keyboard.press('S');
                const expected = SOURCE.replace('return ray.put(x * 2)', 'return x * 2')
                    .replace('@ray.remote\ndef make_pair', '@ray.remote(num_returns=2)\ndef make_pair')
                    .replace('return ray.put(a), ray.put(b)', 'return a, b')
                    // the fix updates the caller too: its extra ray.get goes
                    .replace('print(ray.get(ray.get(make_one.remote(21))))', 'print(ray.get(make_one.remote(21)))');
                // (not just "changed": VS Code may have saved the file between the two fixes already,
                // which made this step flaky: 1 run in 3 read the file before Ctrl+K S had written it)
                await waitFor(() => fs.readFileSync(file, 'utf8').includes('return a, b'), 'the file to be saved with both fixes', 15000);
                assert.equal(fs.readFileSync(file, 'utf8'), expected);
                await waitFor(async () => (await squiggleCount(page)) === 1, 'only the make_shards squiggle to remain', 15000);
                const line = await squiggleLine(page);
                assert.equal(line, LINE.shards, 'the remaining squiggle is on make_shards');
            });

            await step('fix-all on save (editor.codeActionsOnSave: source.fixAll.raylint)', async () => {
                const file = path.join(ws, 'fixall_demo.py');
                await openFile(page, 'fixall_demo.py');
                await waitFor(async () => (await squiggleCount(page)) >= 3, 'three squiggles in fixall_demo.py', 30000);
                // An edit, so there is something to save: a comment at the end of the file.
                await page.keyboard.press('Control+End');
                await page.keyboard.type('# edited\n');
                await page.keyboard.press('Control+S');
                const text = await waitFor(
                    () => {
                        const t = fs.readFileSync(file, 'utf8');
                        return t.includes('# edited') && t;
                    },
                    'fixall_demo.py to be saved',
                    15000,
                );
                assertAllFixed(text);
                await waitFor(async () => (await squiggleCount(page)) === 0, 'no squiggles after fix-all', 15000);
                // Only quickfix_demo.py's make_shards problem (left on purpose above) remains.
                const entries = await problems(page);
                const ray001 = entries.filter((e) => e.includes('RAY001'));
                assert.equal(ray001.length, 1, `Problems panel: ${JSON.stringify(entries)}`);
                assert.match(ray001[0], /make_shards/);
                assert.ok(!entries.some((e) => e.includes('fixall_demo.py')), `Problems panel: ${JSON.stringify(entries)}`);
                assert.ok(entries.some((e) => e.includes('quickfix_demo.py')), `Problems panel: ${JSON.stringify(entries)}`);
                await page.keyboard.press('Control+Shift+M');
            });

            await step('the "raylint: Fix All RAY001 Problems" command', async () => {
                const file = path.join(ws, 'command_demo.py');
                await openFile(page, 'command_demo.py');
                await waitFor(async () => (await squiggleCount(page)) >= 3, 'three squiggles in command_demo.py', 30000);
                await page.keyboard.press('F1');
                const input = page.locator('.quick-input-widget input');
                await input.waitFor({ state: 'visible' });
                await input.fill('>raylint: Fix All RAY001');
                await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Fix All RAY001 Problems' }).first().waitFor();
                await page.keyboard.press('Enter');
                await waitForEditorText(page, 'return a, b');
                await waitFor(async () => (await squiggleCount(page)) === 0, 'no squiggles after the command', 15000);
                await page.keyboard.press('Control+K');
                await page.keyboard.press('S');
                const text = await waitFor(() => {
                    const t = fs.readFileSync(file, 'utf8');
                    return t !== SOURCE && t;
                }, 'command_demo.py to be saved', 15000);
                assertAllFixed(text);
            });
        });

        ok = (await inWindow(session, 'examples', { workspace: copyExamples }, examplesChecks)) && ok;
        ok = (await inWindow(session, 'notebook', { workspace: makeNotebookWorkspace }, (page, ws) => notebookChecks(page, ws, step))) && ok;

        ok =
            (await inWindow(
                session,
                'no usable Python',
                { userSettings: { 'raylint.interpreter': ['/nonexistent/bin/python3'] } },
                async (page) => {
                    await step('a clear message when no usable Python is found', async () => {
                        await openFile(page, 'quickfix_demo.py');
                        const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'raylint:' });
                        await toast.first().waitFor({ state: 'visible', timeout: 60000 });
                        const text = (await toast.first().innerText()).replace(/\s+/g, ' ');
                        assert.match(text, /No usable Python found: \/nonexistent\/bin\/python3 \(from raylint\.interpreter\) does not exist/);
                        assert.match(text, /raylint\.interpreter/);
                        assert.match(text, /Show Logs/);
                        assert.equal(await squiggleCount(page), 0);
                    });
                },
            )) && ok;
        return ok;
    });

    const passed = results.filter((r) => r.ok).length;
    const failedCount = results.length - passed;
    log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);
    console.log(`${passed} passed, ${failedCount} failed`);
    return !ok || failedCount > 0 || passed === 0 ? 1 : 0;
}

// ---- The repository's examples/ -------------------------------------------------------------

const EXAMPLES = path.join(REPO_ROOT, 'examples');

/** A fresh copy of the repository's examples/ (the real files; the originals are only read). */
function copyExamples(root) {
    const ws = path.join(root, 'examples');
    fs.cpSync(EXAMPLES, ws, {
        recursive: true,
        filter: (src) => !/(^|[\\/])(__pycache__|\.mypy_cache|\.pytest_cache)$/.test(src) && !src.endsWith('.pyc'),
    });
    return fs.realpathSync(ws);
}

/** The texts of the repository's examples/, to check at the end that nothing edited them. */
function readExamples() {
    return Object.fromEntries(
        fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.py')).sort().map((f) => [f, fs.readFileSync(path.join(EXAMPLES, f), 'utf8')]),
    );
}

/** Runs `python3 -m raylint ...` (the repository's server/ first on the path); returns the result. */
function raylintCli(args, cwd) {
    const python = process.env.RAYLINT_E2E_PYTHON ?? 'python3';
    const pythonPath = [path.join(REPO_ROOT, 'server'), process.env.PYTHONPATH].filter(Boolean).join(path.delimiter);
    const res = spawnSync(python, ['-m', 'raylint', ...args], {
        cwd,
        encoding: 'utf8',
        timeout: 120000,
        env: { ...process.env, PYTHONPATH: pythonPath },
    });
    if (res.error) {
        throw new Error(`${python} -m raylint ${args.join(' ')}: ${res.error.message}`);
    }
    return res;
}

/** `raylint check <folder> --format json`: its findings (with 1-based positions). */
function cliFindings(folder) {
    // Run from the folder's parent: `python -m` puts the working directory first on sys.path,
    // and the examples' own modules must not be importable by the CLI itself.
    const res = raylintCli(['check', folder, '--format', 'json'], path.dirname(folder));
    let report;
    try {
        report = JSON.parse(res.stdout);
    } catch {
        throw new Error(`raylint check --format json (exit ${res.status}) printed no JSON:\n${res.stdout}\n${res.stderr}`);
    }
    assert.ok(res.status === 0 || res.status === 1, `raylint check exited ${res.status}:\n${res.stderr}`);
    assert.deepEqual(report.errors ?? [], [], `raylint check reported errors: ${JSON.stringify(report.errors)}`);
    // The CLI writes paths relative to the folder it ran in: make them absolute here.
    const cwd = path.dirname(folder);
    for (const f of report.findings) {
        f.path = path.resolve(cwd, f.path);
        for (const r of f.related ?? []) r.path = path.resolve(cwd, r.path);
        for (const fix of f.fixes ?? []) {
            for (const e of fix.edits ?? []) e.path = path.resolve(cwd, e.path);
            for (const c of fix.call_sites ?? []) c.path = path.resolve(cwd, c.path);
        }
    }
    return report.findings;
}

/** Findings of `file` (an absolute path) among `findings`, in file order. */
function findingsIn(findings, file) {
    return findings
        .filter((f) => path.resolve(f.path) === file)
        .sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.column - b.range.start.column);
}

/** UTF-16 offset of a CLI position (1-based line; 1-based column counted in code points). */
function offsetOf(text, { line, column }) {
    const starts = [0];
    for (const m of text.matchAll(/\r\n|\r|\n/g)) {
        starts.push(m.index + m[0].length);
    }
    if (line - 1 >= starts.length) {
        return text.length;
    }
    const start = starts[line - 1];
    return start + Array.from(text.slice(start)).slice(0, column - 1).join('').length;
}

/**
 * The files after `edits` (CLI JSON edits; several files), the way the CLI applies a fix:
 * each file's distinct edits in position order, none overlapping. Returns {path: text}.
 */
function applyCliEdits(edits, read = (p) => fs.readFileSync(p, 'utf8')) {
    const byPath = new Map();
    for (const e of edits) {
        const p = path.resolve(e.path);
        const list = byPath.get(p) ?? [];
        if (!list.some((o) => JSON.stringify(o) === JSON.stringify(e))) {
            list.push(e);
        }
        byPath.set(p, list);
    }
    const out = {};
    for (const [p, list] of byPath) {
        const text = read(p);
        const spans = list
            .map((e) => ({ start: offsetOf(text, e.range.start), end: offsetOf(text, e.range.end), newText: e.new_text }))
            .sort((a, b) => a.start - b.start || a.end - b.end);
        let result = '';
        let cursor = 0;
        for (const s of spans) {
            assert.ok(s.start >= cursor, `overlapping edits in ${p}`);
            result += text.slice(cursor, s.start) + s.newText;
            cursor = s.end;
        }
        out[p] = result + text.slice(cursor);
    }
    return out;
}

/** A fix title without the "(N call sites to review)" the server may add once it has them. */
function baseTitle(title) {
    return title.replace(/ \(\d+ call sites? to review\)$/, '');
}

/** 1-based numbers of the lines with a squiggle among the editor's rendered lines. */
async function squiggleLines(page) {
    return page.evaluate((selector) => {
        const lines = new Set();
        for (const squiggle of document.querySelectorAll(selector)) {
            const editor = squiggle.closest('.monaco-editor');
            const top = squiggle.getBoundingClientRect().top;
            const number = [...(editor?.querySelectorAll('.margin-view-overlays .line-numbers') ?? [])].find(
                (n) => Math.abs(n.getBoundingClientRect().top - top) < 3,
            );
            if (number && /^\d+$/.test(number.textContent.trim())) {
                lines.add(Number(number.textContent.trim()));
            }
        }
        return [...lines].sort((a, b) => a - b);
    }, SQUIGGLE);
}

/**
 * Every entry of the Problems panel, scrolling through its (virtualized) list; the panel is
 * closed again afterwards.
 */
async function allProblems(page) {
    const panel = page.locator('.markers-panel');
    if (!(await panel.isVisible())) {
        await page.keyboard.press('Control+Shift+M');
    }
    await panel.waitFor({ state: 'visible' });
    // Sticky rows (the file, the entry whose related lines are at the top) repeat a row's
    // data-index and are there only when the list is scrolled: read the list's own rows.
    const rows = panel.locator('.monaco-list-row:not(.monaco-tree-sticky-row)');
    await rows.first().waitFor({ state: 'visible' });
    const box = await panel.locator('.monaco-list').first().boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    // The list keeps its scroll position from the last time the panel was open: start at the top.
    const firstRendered = () => rows.evaluateAll((els) => Math.min(...els.map((e) => Number(e.dataset.index))));
    for (let i = 0; i < 20 && (await firstRendered()) > 0; i++) {
        await page.mouse.wheel(0, -10000);
        await page.waitForTimeout(150);
    }
    const seen = new Map();
    for (let i = 0; i < 40; i++) {
        const before = seen.size;
        const found = await rows.evaluateAll((els) => els.map((e) => [Number(e.dataset.index), e.innerText]));
        for (const [index, text] of found) {
            seen.set(index, text.replace(/\u00a0/g, ' ').replace(/\s+/g, ' ').trim());
        }
        if (i > 0 && seen.size === before) {
            break;
        }
        await page.mouse.wheel(0, Math.max(100, box.height * 0.7));
        await page.waitForTimeout(150);
    }
    assert.ok(seen.has(0), `the Problems list was not read from its top: ${JSON.stringify([...seen.keys()])}`);
    await page.keyboard.press('Control+Shift+M');
    await panel.waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);
    await page.locator('.monaco-editor .view-lines').first().click();
    return [...seen.entries()].sort((a, b) => a[0] - b[0]).map(([, text]) => text);
}

/** Step 6: the repository's examples/ (a fresh copy) in the editor, against the CLI. */
async function examplesChecks(page, ws) {
    const originals = readExamples();
    const tasksPy = path.join(ws, 'tasks.py');
    const mainPy = path.join(ws, 'main.py');
    const before = findingsIn(cliFindings(ws), tasksPy);
    assert.ok(before.length > 0, 'the CLI reports no RAY001 finding in examples/tasks.py');
    assert.ok(before.every((f) => f.code === 'RAY001'), JSON.stringify(before.map((f) => f.code)));
    log(`examples/tasks.py: the CLI reports ${before.length} RAY001 findings: ${before.map((f) => `${f.task} (Ln ${f.range.start.line}, Col ${f.range.start.column})`).join(', ')}`);
    // The first finding whose preferred fix `raylint check --fix` applies (a safe one).
    const target = before.find((f) => f.fixes?.length && f.fixes[0].applicability === 'safe');
    assert.ok(target, 'no finding in examples/tasks.py has a safe preferred fix');
    const preferred = target.fixes[0];
    const at = target.range.start;

    await step('examples/tasks.py: a squiggle and a Problems entry for each finding the CLI reports', async () => {
        const ms = await openFile(page, 'tasks.py', { timeSquiggle: true });
        log(`examples/tasks.py: open → squiggle ${Math.round(ms)} ms (cold: extension activation + server start)`);
        for (const f of before) {
            const { line, column } = f.range.start;
            await goTo(page, line, column);
            await waitFor(async () => (await squiggleLines(page)).includes(line), `a squiggle on line ${line} (${f.task})`, 30000);
        }
        let ray001 = [];
        let entries = [];
        await waitFor(
            async () => {
                entries = await allProblems(page);
                ray001 = entries.filter((e) => e.includes('RAY001'));
                return ray001.length >= before.length;
            },
            `${before.length} RAY001 entries in the Problems panel`,
            30000,
            500,
        ).catch((e) => {
            throw new Error(`${e.message}: ${JSON.stringify(entries)}`);
        });
        assert.equal(ray001.length, before.length, `Problems panel: ${JSON.stringify(entries)}`);
        for (const f of before) {
            const { line, column } = f.range.start;
            assert.ok(
                ray001.some((e) => e.includes(f.task) && e.includes(`[Ln ${line}, Col ${column}]`)),
                `no Problems entry for ${f.task} at Ln ${line}, Col ${column}: ${JSON.stringify(ray001)}`,
            );
        }
    });

    await step(`examples/tasks.py: Ctrl+. on ${target.task} offers the CLI's rewrites`, async () => {
        await goTo(page, at.line, at.column);
        const rows = page.locator('.action-widget .monaco-list-row.action');
        const t0 = performance.now();
        const titles = await openQuickFixMenu(page);
        log(`examples/tasks.py: Ctrl+. → menu ${Math.round(performance.now() - t0)} ms`);
        log(`quick-fix menu at ${target.task}: ${JSON.stringify(titles)}`);
        for (const fix of target.fixes) {
            assert.ok(titles.some((t) => t.startsWith(baseTitle(fix.title))), `no "${fix.title}" in ${JSON.stringify(titles)}`);
        }
        await page.keyboard.press('Escape');
        await rows.first().waitFor({ state: 'hidden' });
    });

    await step(`examples/: the preferred fix of ${target.task}, saved, writes what raylint check --fix writes`, async () => {
        const original = { [tasksPy]: fs.readFileSync(tasksPy, 'utf8'), [mainPy]: fs.readFileSync(mainPy, 'utf8') };
        // What `raylint check --fix` writes for this one fix: its edits (as the CLI reports
        // them) applied the way --fix applies them. That way of applying is checked against a
        // real `raylint check --fix` over a scratch copy, with every finding's preferred fix.
        const expected = { ...original, ...applyCliEdits(preferred.edits) };
        assert.ok(Object.keys(expected).every((p) => p === tasksPy || p === mainPy), `the fix edits ${Object.keys(expected)}`);
        assert.notEqual(expected[tasksPy], original[tasksPy], 'the fix changes tasks.py');
        crossCheckFix(path.dirname(ws));
        const returnLine = original[tasksPy].split(/\r\n|\r|\n/)[at.line - 1].trim();

        await goTo(page, at.line, at.column);
        await openQuickFixMenu(page);
        await chooseMenuItem(page, baseTitle(preferred.title));
        await waitFor(async () => !(await editorText(page)).includes(returnLine), `the editor to lose "${returnLine}"`, 15000);
        await page.keyboard.press('Control+S');
        await waitFor(() => fs.readFileSync(tasksPy, 'utf8') !== original[tasksPy], 'tasks.py to be saved', 15000);
        // The fix also rewrites the call in main.py (not open): save it too, if VS Code has not.
        if (expected[mainPy] !== original[mainPy]) {
            await openFile(page, 'main.py');
            await page.keyboard.press('Control+S');
            await waitFor(() => fs.readFileSync(mainPy, 'utf8') !== original[mainPy], 'main.py to be saved', 15000);
        }
        assert.equal(fs.readFileSync(tasksPy, 'utf8'), expected[tasksPy], 'tasks.py on disk');
        assert.equal(fs.readFileSync(mainPy, 'utf8'), expected[mainPy], 'main.py on disk');
        for (const name of Object.keys(originals).filter((n) => n !== 'tasks.py' && n !== 'main.py')) {
            assert.equal(fs.readFileSync(path.join(ws, name), 'utf8'), originals[name], `${name} is not touched`);
        }

        const tasksText = fs.readFileSync(tasksPy, 'utf8');
        assert.ok(!tasksText.split(/\r\n|\r|\n/).some((l) => l.trim() === returnLine), `tasks.py still has "${returnLine}"`);
        const after = findingsIn(cliFindings(ws), tasksPy);
        assert.equal(after.length, before.length - 1, `findings in tasks.py after the fix: ${after.map((f) => f.task)}`);
        assert.ok(!after.some((f) => f.task === target.task), `${target.task} is still reported`);
        const parse = spawnSync(process.env.RAYLINT_E2E_PYTHON ?? 'python3', ['-c', 'import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])', mainPy], { encoding: 'utf8' });
        assert.equal(parse.status, 0, `main.py does not parse:\n${parse.stderr}`);
        assert.deepEqual(readExamples(), originals, "the repository's examples/ is unchanged");
    });
}

/**
 * Checks that applying the CLI's JSON edits (as applyCliEdits does) is what `raylint check
 * --fix` writes: over a scratch copy of examples/, every finding's preferred fix applied in
 * one go must give the files `--fix` writes into another copy.
 */
function crossCheckFix(root) {
    const scratch = fs.mkdtempSync(path.join(root, 'fix-check-'));
    try {
        const byHand = copyExamples(path.join(scratch, 'a'));
        const byCli = copyExamples(path.join(scratch, 'b'));
        const edits = cliFindings(byHand).flatMap((f) => (f.fixes?.[0]?.applicability === 'safe' ? f.fixes[0].edits : []));
        const fixed = applyCliEdits(edits);
        const res = raylintCli(['check', byCli, '--fix', '--quiet'], scratch);
        assert.ok(res.status === 0 || res.status === 1, `raylint check --fix exited ${res.status}:\n${res.stdout}\n${res.stderr}`);
        for (const name of fs.readdirSync(byCli).filter((f) => f.endsWith('.py'))) {
            const mine = fixed[path.join(byHand, name)] ?? fs.readFileSync(path.join(byHand, name), 'utf8');
            assert.equal(mine, fs.readFileSync(path.join(byCli, name), 'utf8'), `examples/${name}: the CLI's fix edits applied vs raylint check --fix`);
        }
    } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
    }
}

/** The file after the preferred fix of each shape (the generator rewrite for the comprehension). */
function assertAllFixed(text) {
    assert.ok(!text.includes('ray.put'), `ray.put left after fix-all:\n${text}`);
    assert.match(text, /def make_one\(x\):\n {4}return x \* 2\n/);
    assert.match(text, /@ray\.remote\(num_returns=2\)\ndef make_pair\(a, b\):\n {4}return a, b\n/);
    assert.match(text, /def make_shards\(xs\):\n(.*\n)*? +yield x\n/);
    assert.ok(text.includes('print(ray.get(make_one.remote(21)))'), 'the rest of the file is kept');
}

/** 1-based line of the (single) squiggle, from its position among the editor's view lines. */
async function squiggleLine(page) {
    return page.evaluate((selector) => {
        const squiggle = document.querySelector(selector);
        const editor = squiggle?.closest('.monaco-editor');
        if (!squiggle || !editor) {
            return -1;
        }
        const top = squiggle.getBoundingClientRect().top;
        const lines = [...editor.querySelectorAll('.view-lines .view-line')];
        const row = lines.find((l) => Math.abs(l.getBoundingClientRect().top - top) < 3);
        const lineHeight = lines[0] ? lines[0].getBoundingClientRect().height : 0;
        if (!row || !lineHeight) {
            return -1;
        }
        // View lines are absolutely positioned at (line - 1) * lineHeight from the top.
        return Math.round(parseFloat(row.style.top) / lineHeight) + 1;
    }, SQUIGGLE);
}

if (import.meta.url === `file://${process.argv[1]}`) {
    main().then(
        (code) => process.exit(code),
        (e) => {
            console.error(e);
            console.log('0 passed, 1 failed');
            process.exit(1);
        },
    );
}
