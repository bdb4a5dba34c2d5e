// npm run bench:browser — the SDK against a raw browser WebSocket in one page
// of headless Chromium, both talking to the dev server's /echo. The cases and
// the method are in bench/bench.js, the page side.
//
// Why no Playwright here: a DevTools client with the Network domain enabled
// (Playwright enables it on every page) makes Chromium report each WebSocket
// frame to it. Measured here, that tripled the cost of a 16 B round trip
// (about 50 µs to 150 µs, most of it in the browser process and on the DevTools
// pipe) and amplified small differences between the two sides: the benchmark
// measured the instrumentation. Users run without it, so Chromium is started
// directly with no DevTools client at all; the page prints its result to
// the console, which Chromium logs to stderr.
//
// Env: BENCH_RUNS (default 9), BENCH_CASES=text,bin (substring filter),
// BENCH_CONTROL=1 (raw against raw: the method's own noise on this machine).
// Prints `browser <case> steadyws/raw = <ratio>` per case.
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, CHROMIUM, CHROMIUM_ARGS, startServer } from './harness.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const CASES = process.env.BENCH_CASES ?? '';
const CONTROL = process.env.BENCH_CONTROL === '1';
const TIMEOUT_MS = 20 * 60_000;

if (!existsSync(path.join(ROOT, 'target/site/pkg/index.js')) || !existsSync(path.join(ROOT, 'target/release/steadyws'))) {
  execFileSync('bash', [path.join(ROOT, 'scripts/build.sh')], { stdio: 'inherit' });
}

// The page and the built package, served from their own root.
const root = path.join(ROOT, 'target/bench');
rmSync(root, { recursive: true, force: true });
cpSync(path.join(ROOT, 'tests/e2e/bench'), root, { recursive: true });
cpSync(path.join(ROOT, 'target/site/pkg'), path.join(root, 'pkg'), { recursive: true });

const server = await startServer({ root });
const profile = mkdtempSync(path.join(tmpdir(), 'steadyws-bench-'));
let chrome;
try {
  const query = new URLSearchParams({ runs: String(RUNS), cases: CASES, control: CONTROL ? '1' : '0' });
  chrome = spawn(CHROMIUM, [
    ...CHROMIUM_ARGS, `--user-data-dir=${profile}`, '--enable-logging=stderr', '--v=0',
    `${server.url}/index.html?${query}`,
  ], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  const result = await pageResult(chrome, TIMEOUT_MS);
  report(result);
} finally {
  if (chrome) await stop(chrome);
  await server.stop();
  rmSync(profile, { recursive: true, force: true, maxRetries: 5 });
}

// Stops Chromium and its helpers (its process group), and waits for it.
function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise((done) => child.once('exit', done));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    child.kill();
  }
  return Promise.race([exited, new Promise((done) => setTimeout(done, 5000))]);
}

// Waits for the page's `STEADYWS-BENCH` console line in Chromium's log.
function pageResult(child, ms) {
  return new Promise((resolve, reject) => {
    let log = '';
    const fail = (why) => {
      clearTimeout(timer);
      reject(new Error(`${why}\n--- last Chromium log lines ---\n${log.split('\n').slice(-15).join('\n')}`));
    };
    const timer = setTimeout(() => fail(`no result within ${ms / 1000} s`), ms);
    child.on('exit', (code) => fail(`Chromium exited (${code}) before the page reported`));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      log = (log + chunk).slice(-100_000);
      // Console lines look like: [..:INFO:CONSOLE:N] "<text>", source: <url> (N)
      const err = /"STEADYWS-BENCH-ERROR ([^]*?)", source:/.exec(log) ?? /"(Uncaught [^"]*)", source:/.exec(log);
      if (err) return fail(`the benchmark page failed: ${err[1]}`);
      const ok = /"STEADYWS-BENCH (\{.*\})", source:/.exec(log);
      if (ok) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve(JSON.parse(ok[1]));
      }
    });
  });
}

function report({ runs, control, rows, sendCost }) {
  const side = control ? 'raw (control)' : 'steadyws';
  const label = control ? 'raw/raw (control)' : 'steadyws/raw';
  console.log(`${runs} runs; round-trip messages/s against /echo over all chunks; ratio: median of ${rows[0]?.pairs} paired-chunk ratios, with their quartiles`);
  console.log(`${'case'.padEnd(26)} ${'raw'.padStart(10)} ${side.padStart(10)}  ratio  quartiles`);
  for (const r of rows) {
    console.log(`${r.name.padEnd(26)} ${r.raw.toFixed(0).padStart(10)} ${r.sdk.toFixed(0).padStart(10)}  ${r.ratio.toFixed(3)}  ${r.iqr.map((x) => x.toFixed(3)).join('-')}`);
  }
  console.log(`send() alone, µs per 16 B message: raw ${sendCost.raw.toFixed(2)}, steadyws ${sendCost.sdk.toFixed(2)}`);
  for (const r of rows) console.log(`browser ${r.name} ${label} = ${r.ratio.toFixed(3)}`);
}
