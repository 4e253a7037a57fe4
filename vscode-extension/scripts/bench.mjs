// Benchmark of the extension in a real VS Code (code-server + headless Chromium), over N runs
// (default 5), each in a fresh code-server profile:
//   open → squiggle   from Enter in Quick Open to the first RAY001 squiggle in the editor
//                     (cold: the window's first Python file, so it includes the extension's
//                     activation and the server's start; warm: a second file afterwards)
//   Ctrl+. → menu     from the key press to the quick-fix menu's first entry
// and the size of the .vsix. Needs what the e2e test needs (scripts/install-e2e-deps.sh, npm ci).
// Usage: node scripts/bench.mjs [--runs 5]   (RAYLINT_VSIX=path skips packaging)
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
    buildVsix,
    e2eEnv,
    goTo,
    log,
    openFile,
    prepareProfile,
    Session,
} from '../test/e2e/harness.mjs';
import { SOURCE } from '../test/e2e/run.mjs';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg >= 0 ? Number(process.argv[runsArg + 1]) : 5;

async function timedMenu(page) {
    await goTo(page, 11, 12);
    const rows = page.locator('.action-widget .monaco-list-row.action');
    const t0 = performance.now();
    await page.keyboard.press('Control+.');
    await rows.first().waitFor({ state: 'visible', timeout: 30000 });
    const ms = performance.now() - t0;
    await page.keyboard.press('Escape');
    await rows.first().waitFor({ state: 'hidden' });
    return ms;
}

function stats(values) {
    const sorted = [...values].sort((a, b) => a - b);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    const f = (x) => `${Math.round(x)}`.padStart(6);
    return `median ${f(median)} ms  mean ${f(mean)} ms  min ${f(sorted[0])} ms  max ${f(sorted[sorted.length - 1])} ms   runs: ${values.map((v) => Math.round(v)).join(', ')}`;
}

async function main() {
    const env = e2eEnv();
    const vsix = buildVsix();
    const measures = { coldSquiggle: [], coldMenu: [], warmSquiggle: [], warmMenu: [] };
    for (let run = 1; run <= RUNS; run++) {
        const dirs = prepareProfile(env, vsix);
        const ws = path.join(dirs.root, 'examples');
        fs.mkdirSync(ws);
        fs.writeFileSync(path.join(ws, 'first.py'), SOURCE);
        fs.writeFileSync(path.join(ws, 'second.py'), SOURCE);
        const session = new Session(env, dirs);
        try {
            const page = await session.open(ws);
            measures.coldSquiggle.push(await openFile(page, 'first.py', { timeSquiggle: true }));
            measures.coldMenu.push(await timedMenu(page));
            measures.warmSquiggle.push(await openFile(page, 'second.py', { timeSquiggle: true }));
            measures.warmMenu.push(await timedMenu(page));
            log(`run ${run}: ${Object.entries(measures).map(([k, v]) => `${k} ${Math.round(v[v.length - 1])} ms`).join(', ')}`);
        } finally {
            await session.close();
            session.removeFiles();
        }
    }
    const size = fs.statSync(vsix).size;
    console.log(`\nraylint VS Code extension benchmark (${RUNS} runs, code-server ${env.codeServerVersion}, headless Chromium)`);
    console.log(`open → squiggle, cold (activation + server start): ${stats(measures.coldSquiggle)}`);
    console.log(`open → squiggle, warm (server running):            ${stats(measures.warmSquiggle)}`);
    console.log(`Ctrl+. → menu, first file:                         ${stats(measures.coldMenu)}`);
    console.log(`Ctrl+. → menu, second file:                        ${stats(measures.warmMenu)}`);
    console.log(`.vsix size: ${(size / 1024 / 1024).toFixed(2)} MiB (${size} bytes)`);
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
