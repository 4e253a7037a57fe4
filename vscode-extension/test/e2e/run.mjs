// End-to-end test: the packaged .vsix in a fresh code-server, driven in headless Chromium.
//   1. RAY001 squiggles and Problems entries appear for the three shapes.
//   2. Ctrl+. offers the rewrite that applies at each shape (and the suppression).
//   3. Applying "Return the value directly" and "Use num_returns=" and saving (without save
//      participants) changes the file on disk exactly as the titles say; their squiggles go,
//      the third stays.
//   4. With "editor.codeActionsOnSave": {"source.fixAll.raylint": "explicit"} (set in the
//      workspace), Ctrl+S on another file fixes all of its problems.
//   5. The command "raylint: Fix All RAY001 Problems" fixes a third file.
// Exits non-zero on any failure. Prints "N passed, N failed".
// Environment: RAYLINT_VSIX (use this .vsix instead of packaging), RAYLINT_E2E_ARTIFACTS
// (folder for the screenshot and logs; default vscode-extension/test-results), RAYLINT_E2E_KEEP=1
// (keep the temp folders).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
    buildVsix,
    chooseMenuItem,
    e2eEnv,
    EXTENSION_DIR,
    goTo,
    groupAlive,
    log,
    openFile,
    openQuickFixMenu,
    prepareProfile,
    problems,
    Session,
    SQUIGGLE,
    squiggleCount,
    waitFor,
    waitForEditorText,
} from './harness.mjs';

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
 * Runs `body(page, ws)` in a fresh code-server profile with the .vsix installed, then closes
 * everything. Returns false when something failed (artifacts are saved then).
 */
async function withSession(env, vsix, name, { userSettings } = {}, body) {
    const dirs = prepareProfile(env, vsix, { userSettings });
    const ws = makeWorkspace(dirs.root);
    const session = new Session(env, dirs);
    let ok = true;
    try {
        const page = await session.open(ws);
        log(`${name}: workbench loaded`);
        await body(page, ws);
    } catch (e) {
        ok = false;
        if (!results.some((r) => r.error === e)) {
            results.push({ name, ok: false, error: e });
            log(`FAIL ${name}: ${e.stack ?? e}`);
        }
        const prefix = name.replace(/\W+/g, '-');
        if (session.page) {
            await session.page.screenshot({ path: path.join(ARTIFACTS, `${prefix}-failure.png`) }).catch(() => undefined);
        }
        fs.writeFileSync(path.join(ARTIFACTS, `${prefix}-code-server.log`), session.readLog());
        fs.writeFileSync(path.join(ARTIFACTS, `${prefix}-raylint-output.log`), session.outputChannelLog());
        log(`artifacts in ${ARTIFACTS}`);
        log(`raylint output channel:\n${session.outputChannelLog()}`);
    } finally {
        const pgid = session.proc?.pid;
        await session.close();
        if (pgid && groupAlive(pgid)) {
            ok = false;
            results.push({ name: `${name}: processes cleaned up`, ok: false });
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
    let ok = await withSession(env, vsix, 'main', {}, async (page, ws) => {

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
            await waitFor(() => fs.readFileSync(file, 'utf8') !== SOURCE, 'the file to be saved', 15000);
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

    ok =
        (await withSession(
            env,
            vsix,
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

    const passed = results.filter((r) => r.ok).length;
    const failedCount = results.length - passed;
    log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);
    console.log(`${passed} passed, ${failedCount} failed`);
    return !ok || failedCount > 0 || passed === 0 ? 1 : 0;
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
