// steadyws in plain Node, installed from the packed tarball into
// tests/e2e/node/: client.mjs runs under `node --experimental-websocket`
// (Node 20; Node 22+ has the global without the flag) against the dev
// server, bare.mjs under plain Node 20 (no global WebSocket). Each must end
// by itself, soon after its last step: a timer or socket the package left
// behind after close() would keep it alive.
//
//   node tests/e2e/node.mjs    (after scripts/test.d/69-e2e-node.sh installed it)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT, startServer, runChecks, serverStats } from './harness.mjs';

const dir = path.join(ROOT, 'tests/e2e/node');
assert.ok(existsSync(path.join(dir, 'node_modules/steadyws')), 'installed (run scripts/test.d/69-e2e-node.sh)');

/**
 * Runs a script in dir; resolves with its JSON lines by step, its exit, and
 * how long it lived after its last line (killed after `limit` ms: then
 * `code` is null and `signal` SIGKILL).
 */
function run(args, { limit = 15_000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let lastLine = Date.now();
    const killer = setTimeout(() => child.kill('SIGKILL'), limit);
    child.stdout.on('data', (d) => {
      out += d;
      lastLine = Date.now();
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      const steps = {};
      for (const line of out.split('\n').filter(Boolean)) {
        try {
          const o = JSON.parse(line);
          steps[o.step] = o;
        } catch {
          // not ours
        }
      }
      resolve({ code, signal, steps, lingered: Date.now() - lastLine, out, err });
    });
  });
}

const server = await startServer();
const client = `node-${process.pid}-${Date.now().toString(36)}`;
const counts = async (id) => {
  const { open = 0, peak = 0, total = 0 } = await serverStats(server, id);
  return { open, peak, total };
};

try {
  const [flagged, bare] = await Promise.all([
    run(['--experimental-websocket', 'client.mjs', server.url, client]),
    run(['bare.mjs', server.url, client]),
  ]);
  const show = (r) => `exit ${r.code} ${r.signal ?? ''}\n${r.out}\n${r.err}`;

  await runChecks('node', {
    'connect() with the global WebSocket: a JSON round trip, then close()': async () => {
      const s = flagged.steps.echo;
      assert.ok(s, show(flagged));
      assert.equal(s.first, 'queued');
      assert.deepEqual(s.got, [{ hello: 'node', n: 1 }]);
      assert.equal(s.state, 'closed');
      assert.deepEqual(await counts(`${client}-echo`), { open: 0, peak: 1, total: 1 });
    },
    'the wasm module loads from the package file (no fetch of a file: URL)': async () => {
      assert.ok(flagged.steps.done, show(flagged));
      assert.deepEqual(flagged.steps.done.fetchedFiles, []);
    },
    'a counting WebSocket subclass as the option is constructed once per connection, over a drop and reconnect': async () => {
      const s = flagged.steps.counting;
      assert.ok(s, show(flagged));
      assert.equal(s.atOpen, 1, 'one construction for the first connection');
      assert.equal(s.constructed, 2, 'one more for the reconnect');
      assert.equal(s.reconnects, 1);
      assert.deepEqual(s.got, [{ n: 2 }]);
      assert.deepEqual(await counts(`${client}-count`), { open: 0, peak: 1, total: 2 });
    },
    'a refused handshake is a failed attempt (error, backoff, retry); close() while connecting ends it': async () => {
      const s = flagged.steps.refused;
      assert.ok(s, show(flagged));
      assert.equal(s.state, 'closed');
      assert.deepEqual(s.errors, ['SOCKET_ERROR']);
      assert.ok(s.attempts >= 3, `attempts: ${s.attempts}`);
      assert.equal(flagged.steps.stall?.state, 'closed', show(flagged));
    },
    'a WebSocket option that is not a constructor is a TypeError naming it': async () => {
      const s = flagged.steps['bad-option'];
      assert.ok(s, show(flagged));
      assert.equal(s.threw, true);
      assert.equal(s.name, 'TypeError');
      assert.match(s.message, /WebSocket/);
    },
    'the process ends by itself after close(): nothing keeps Node alive': async () => {
      assert.equal(flagged.code, 0, show(flagged));
      assert.equal(flagged.err, '', 'nothing on stderr');
      assert.ok(flagged.lingered < 2_000, `ended ${flagged.lingered} ms after its last step`);
    },
    'with no global WebSocket and no option, connect() rejects with a TypeError saying what to pass': async () => {
      assert.equal(bare.steps.global?.type, 'undefined', show(bare));
      const s = bare.steps['no-option'];
      assert.equal(s.threw, true);
      assert.equal(s.name, 'TypeError');
      assert.match(s.message, /WebSocket/);
      assert.match(s.message, /option/);
    },
    'with no global WebSocket the option is used; the process ends by itself': async () => {
      const s = bare.steps.fake;
      assert.ok(s, show(bare));
      assert.deepEqual(s.made, [{ url: 'ws://127.0.0.1:9/x', protocols: ['chat'] }]);
      assert.equal(s.state, 'connecting');
      assert.equal(s.after, 'closed');
    },
    'a WebSocket that calls back from inside send() and close() (a test double) works: events after the call, in order': async () => {
      const s = bare.steps['at-once'];
      assert.ok(s, show(bare));
      assert.deepEqual(s.results, ['sent', 'sent']);
      assert.deepEqual(s.got, [{ a: 1 }, { b: 2 }]);
      assert.deepEqual(s.events, ['open', 'closing', 'close 4000 true', 'closed']);
      assert.ok(s.closedIn < 1_000, `close() resolved after ${s.closedIn} ms (not the closeTimeout)`);
    },
    'the ws package as the option: a JSON round trip with the dev server; the process ends by itself': async () => {
      const s = bare.steps.ws;
      assert.ok(s, show(bare));
      assert.deepEqual(s.got, { via: 'ws' });
      assert.equal(s.open, 'open');
      assert.equal(s.after, 'closed');
      assert.deepEqual(await counts(`${client}-ws`), { open: 0, peak: 1, total: 1 });
      assert.equal(bare.code, 0, show(bare));
      assert.equal(bare.err, '', 'nothing on stderr');
      assert.ok(bare.lingered < 2_000, `ended ${bare.lingered} ms after its last step`);
    },
  });
} finally {
  await server.stop();
}
