// End-to-end test of a Jupyter notebook (issue 12): the packaged .vsix in a fresh code-server
// (its built-in ipynb extension opens .ipynb files in the notebook editor), driven in headless
// Chromium:
//   1. a real .ipynb (a markdown cell, a cell with `%pip`, the task's cell, a caller's cell, with
//      outputs and execution counts) shows the RAY001 squiggle in the task's cell and a Problems
//      entry at the cell-relative line;
//   2. Ctrl+. on the squiggle offers "Return the value directly"; applying it rewrites the task's
//      cell and the caller in the other cell; the squiggle goes;
//   3. Ctrl+S saves the notebook: on disk, the two cells' sources are fixed and everything else
//      (outputs, execution counts, metadata, the other cells) is as it was.
// Exits non-zero on any failure; prints "N passed, N failed". Environment as run.mjs
// (RAYLINT_VSIX, RAYLINT_E2E_ARTIFACTS, RAYLINT_E2E_KEEP). run.mjs runs these checks in a session of
// their own (`notebookChecks`); `node test/e2e/notebook.mjs` runs them alone.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
    buildVsix,
    chooseMenuItem,
    e2eEnv,
    EXTENSION_DIR,
    groupAlive,
    log,
    openQuickFixMenu,
    prepareProfile,
    problems,
    Session,
    SQUIGGLE,
    squiggleCount,
    waitFor,
} from './harness.mjs';

const ARTIFACTS = path.resolve(process.env.RAYLINT_E2E_ARTIFACTS ?? path.join(EXTENSION_DIR, 'test-results'));
fs.mkdirSync(ARTIFACTS, { recursive: true });

const output = (text) => [{ name: 'stdout', output_type: 'stream', text: [text] }];
export const NOTEBOOK = {
    cells: [
        { cell_type: 'markdown', id: 'intro', metadata: {}, source: ['# Loading data\n', 'A task per file.'] },
        { cell_type: 'code', execution_count: 1, id: 'setup', metadata: { tags: ['setup'] }, outputs: output('Requirement already satisfied: ray\n'), source: ['%pip install ray\n', 'import ray'] },
        {
            cell_type: 'code', execution_count: 2, id: 'task', metadata: {}, outputs: [],
            source: ['@ray.remote\n', 'def load(path):\n', '    data = path.upper()\n', '    return ray.put(data)'],
        },
        {
            cell_type: 'code', execution_count: 3, id: 'caller', metadata: { collapsed: false },
            outputs: [{ data: { 'text/plain': ["'A.CSV'"] }, execution_count: 3, metadata: {}, output_type: 'execute_result' }],
            source: ['ray.get(ray.get(load.remote("a.csv")))'],
        },
    ],
    metadata: {
        kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' },
        language_info: { name: 'python', version: '3.11.7' },
    },
    nbformat: 4,
    nbformat_minor: 5,
};

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

/** The text of every cell editor of the notebook, in order. */
async function cellTexts(page) {
    const texts = await page.locator('.notebook-editor .cell-editor-container .monaco-editor .view-lines').allInnerTexts();
    return texts.map((t) => t.replace(/\u00a0/g, ' '));
}

const ORIGINAL = JSON.stringify(NOTEBOOK, null, 1) + '\n';

/** The workspace of the notebook session: one notebook, `load.ipynb`. */
export function makeNotebookWorkspace(root) {
    const ws = path.join(root, 'nbws');
    fs.mkdirSync(ws, { recursive: true });
    fs.writeFileSync(path.join(ws, 'load.ipynb'), ORIGINAL);
    return ws;
}

/** The notebook checks, as steps (`step(name, fn)` records each), in a session of `ws`. */
export async function notebookChecks(page, ws, step) {
    const file = path.join(ws, 'load.ipynb');
    const original = ORIGINAL;
    await step('a RAY001 squiggle in the task cell and its Problems entry', async () => {
        await page.keyboard.press('Control+P');
        const input = page.locator('.quick-input-widget input');
        await input.waitFor({ state: 'visible' });
        await input.fill('load.ipynb');
        await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'load.ipynb' }).first().waitFor();
        await page.keyboard.press('Enter');
        await page.locator('.notebook-editor').first().waitFor({ timeout: 60000 });
        await waitFor(async () => (await cellTexts(page)).some((t) => t.includes('def load')), 'the cells to render', 60000);
        await page.locator(`.notebook-editor ${SQUIGGLE}`).first().waitFor({ state: 'visible', timeout: 90000 });
        assert.equal(await squiggleCount(page), 1, 'one squiggle');
        const entries = await problems(page);
        const ray001 = entries.filter((e) => e.includes('RAY001'));
        assert.equal(ray001.length, 1, `Problems panel: ${JSON.stringify(entries)}`);
        // the cell-relative position: line 4, column 12 of the task's cell
        assert.ok(ray001[0].includes('[Ln 4, Col 12]'), `Problems entry: ${ray001[0]}`);
        await page.keyboard.press('Control+Shift+M');
        await page.screenshot({ path: path.join(ARTIFACTS, 'notebook-squiggle.png') });
    });

    await step('the quick fix rewrites the task cell and the caller cell', async () => {
        const squiggle = page.locator(`.notebook-editor ${SQUIGGLE}`).first();
        const box = await squiggle.boundingBox();
        assert.ok(box, 'the squiggle has a box');
        await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
        await page.waitForTimeout(300);
        const titles = await openQuickFixMenu(page);
        assert.ok(titles.some((t) => t.startsWith('Return the value directly')), JSON.stringify(titles));
        assert.ok(titles.some((t) => t.startsWith('Suppress RAY001 on this line')), JSON.stringify(titles));
        await page.screenshot({ path: path.join(ARTIFACTS, 'notebook-quickfix-menu.png') });
        await chooseMenuItem(page, 'Return the value directly');
        await waitFor(
            async () => {
                const texts = await cellTexts(page);
                return texts.some((t) => t.includes('return data')) && texts.some((t) => t.includes('ray.get(load.remote("a.csv"))') && !t.includes('ray.get(ray.get('));
            },
            'the task cell and the caller cell to be rewritten',
            15000,
        );
        await waitFor(async () => (await squiggleCount(page)) === 0, 'the squiggle to go', 15000);
    });

    await step('the saved notebook has the fixed cells and everything else intact', async () => {
        await page.keyboard.press('Control+S');
        await waitFor(() => fs.readFileSync(file, 'utf8') !== original, 'the notebook to be saved', 15000);
        const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
        const source = (cell) => (Array.isArray(cell.source) ? cell.source.join('') : cell.source);
        assert.equal(source(saved.cells[2]), '@ray.remote\ndef load(path):\n    data = path.upper()\n    return data');
        assert.equal(source(saved.cells[3]), 'ray.get(load.remote("a.csv"))');
        for (const [i, cell] of saved.cells.entries()) {
            const before = NOTEBOOK.cells[i];
            assert.equal(cell.cell_type, before.cell_type);
            if (i < 2) {
                assert.equal(source(cell), source(before), `cell ${i} is unchanged`);
            }
            if (before.cell_type === 'code') {
                assert.deepEqual(cell.outputs, before.outputs, `cell ${i}'s outputs`);
                // VS Code's ipynb extension clears the execution count of a cell whose text
                // changes (as Jupyter does when it is edited by hand): the cells not edited keep theirs
                const edited = i >= 2;
                assert.ok(
                    cell.execution_count === before.execution_count || (edited && cell.execution_count === null),
                    `cell ${i}'s execution count: ${cell.execution_count}`,
                );
            }
            assert.deepEqual(cell.metadata, before.metadata, `cell ${i}'s metadata`);
        }
        assert.deepEqual(saved.metadata, NOTEBOOK.metadata, "the notebook's metadata");
    });
}

async function main() {
    const env = e2eEnv();
    const vsix = buildVsix();
    const dirs = prepareProfile(env, vsix);
    const ws = makeNotebookWorkspace(dirs.root);
    const session = new Session(env, dirs);
    let failed = false;
    try {
        const page = await session.open(ws);
        log('workbench loaded');
        await notebookChecks(page, ws, step);
    } catch (e) {
        failed = true;
        if (!results.some((r) => r.error === e)) {
            results.push({ name: 'notebook session', ok: false, error: e });
            log(`FAIL notebook session: ${e.stack ?? e}`);
        }
        if (session.page) {
            await session.page.screenshot({ path: path.join(ARTIFACTS, 'notebook-failure.png') }).catch(() => undefined);
        }
        fs.writeFileSync(path.join(ARTIFACTS, 'notebook-code-server.log'), session.readLog());
        fs.writeFileSync(path.join(ARTIFACTS, 'notebook-raylint-output.log'), session.outputChannelLog());
        log(`raylint output channel:\n${session.outputChannelLog()}`);
    } finally {
        const pgid = session.proc?.pid;
        await session.close();
        if (pgid && groupAlive(pgid)) {
            failed = true;
            results.push({ name: 'processes cleaned up', ok: false });
            log(`FAIL processes of code-server's group ${pgid} survived`);
        }
        if (!process.env.RAYLINT_E2E_KEEP) {
            session.removeFiles();
        } else {
            log(`kept ${dirs.root}`);
        }
    }
    const passed = results.filter((r) => r.ok).length;
    console.log(`${passed} passed, ${results.length - passed} failed`);
    return failed || passed < 3 ? 1 : 0;
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
