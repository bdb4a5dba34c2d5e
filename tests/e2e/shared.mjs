// `shared`: three pages of one browser context share one connection to the
// dev server (Web Locks elect the owner, BroadcastChannel relays), against
// /rpc, which answers requests and echoes everything else. The server's
// /stats?client=ID counts the connections (open, peak, total).
import assert from 'node:assert/strict';
import { startServer, launchBrowser, runChecks, serverStats, serverControl, until } from './harness.mjs';

const server = await startServer();
const browser = await launchBrowser();
const pageErrors = [];

/** A page of `ctx` with a shared socket on `url` in `window.sock`. */
async function open(ctx, url, name = 'feed', extra = {}) {
  const page = await ctx.newPage();
  page.on('pageerror', (e) => pageErrors.push(e));
  page.on('console', (m) => m.type() === 'warning' && (page.warnings ??= []).push(m.text()));
  await page.goto(`${server.url}/`);
  await page.evaluate(async ({ url, name, extra }) => {
    const { connect } = await import('/pkg/index.js');
    window.msgs = [];
    window.states = [];
    window.sock = await connect(url, { json: true, shared: name, reconnect: { minDelay: 50, maxDelay: 200 }, ...extra });
    window.sock.on('message', (m) => window.msgs.push(m));
    window.sock.on('state', (s) => window.states.push(s.state));
  }, { url, name, extra });
  return page;
}

const state = (page) => page.evaluate(() => window.sock.state);
const msgs = (page) => page.evaluate(() => window.msgs);
const openAll = (pages) => until('every page open', () => Promise.all(pages.map(state)), (s) => s.every((x) => x === 'open'));

/** Every page got every message of `want` (by `key`), in any order. */
async function allGot(pages, key, want) {
  for (const page of pages) {
    await until(`${want.length} messages in every page`, async () => (await msgs(page)).filter((m) => m[key] !== undefined).map((m) => m[key]), (got) => want.every((w) => got.includes(w)), 5_000);
  }
}

try {
  await runChecks('shared', {
    'three pages: one server connection; every page gets every echo; each request its own reply': async () => {
      const client = `shared-${Date.now()}`;
      const url = `${server.wsUrl}/rpc?client=${client}`;
      const ctx = await browser.newContext();
      const pages = [await open(ctx, url)];
      await openAll(pages);
      pages.push(await open(ctx, url), await open(ctx, url));
      await openAll(pages);
      await until('3 tabs counted', () => Promise.all(pages.map((p) => p.evaluate(() => window.sock.stats.tabs))), (t) => t.every((n) => n === 3));
      assert.deepEqual(await Promise.all(pages.map((p) => p.evaluate(() => window.sock.stats.owner))), [true, false, false]);
      let stats = await serverStats(server, client);
      assert.equal(stats.total, 1, JSON.stringify(stats));
      assert.equal(stats.peak, 1);
      // Each page sends; every page sees every echo.
      await Promise.all(pages.map((p, i) => p.evaluate((i) => {
        for (let n = 0; n < 5; n++) window.sock.send({ echo: `${i}.${n}` });
      }, i)));
      await allGot(pages, 'echo', pages.flatMap((_, i) => [0, 1, 2, 3, 4].map((n) => `${i}.${n}`)));
      // Per-page order of what each page sent.
      const seen = (await msgs(pages[2])).filter((m) => m.echo?.startsWith('1.')).map((m) => m.echo);
      assert.deepEqual(seen, ['1.0', '1.1', '1.2', '1.3', '1.4']);
      // A request from each page gets its own reply, and no page sees a reply as a message.
      const replies = await Promise.all(pages.map((p, i) => p.evaluate((i) => window.sock.request({ op: 'add', a: i, b: 100, delay: 30 * (3 - i) }), i)));
      assert.deepEqual(replies.map((r) => r.result), [100, 101, 102]);
      assert.equal(new Set(replies.map((r) => r.id)).size, 3, 'ids unique across tabs');
      for (const p of pages) assert.ok((await msgs(p)).every((m) => m.result === undefined), 'a reply was delivered as a message');
      stats = await serverStats(server, client);
      assert.equal(stats.total, 1);

      // The owner (the first page) goes: the others take over at once.
      await pages[0].close();
      const during = pages.slice(1).map((p, i) => p.evaluate((i) => {
        for (let n = 0; n < 10; n++) setTimeout(() => window.sock.send({ handover: `${i}.${n}` }), n * 15);
      }, i));
      await Promise.all(during);
      const rest = pages.slice(1);
      await openAll(rest);
      await allGot(rest, 'handover', rest.flatMap((_, i) => Array.from({ length: 10 }, (_, n) => `${i}.${n}`)));
      await until('two tabs counted', () => Promise.all(rest.map((p) => p.evaluate(() => window.sock.stats.tabs))), (t) => t.every((n) => n === 2));
      stats = await until('the first connection closed', () => serverStats(server, client), (s) => s.open === 1);
      assert.equal(stats.total, 2, JSON.stringify(stats));
      console.log(`report: shared: owner page closed -> a new owner; server total ${stats.total}, peak ${stats.peak}`);
      const owners = await Promise.all(rest.map((p) => p.evaluate(() => window.sock.stats.owner)));
      assert.equal(owners.filter(Boolean).length, 1, `one owner: ${owners}`);
      const r = await rest[0].evaluate(() => window.sock.request({ op: 'add', a: 1, b: 1 }));
      assert.equal(r.result, 2);

      // Down to one page, whose close() ends the connection.
      await rest[1].close();
      await openAll([rest[0]]);
      await rest[0].evaluate(() => window.sock.send({ echo: 'last' }));
      await allGot([rest[0]], 'echo', ['last']);
      await rest[0].evaluate(() => window.sock.close());
      assert.equal(await state(rest[0]), 'closed');
      stats = await until('no connection left', () => serverStats(server, client), (s) => s.open === 0);
      assert.ok(stats.total <= 3, JSON.stringify(stats));
      await ctx.close();
    },

    'close() in a page that does not own detaches only that page': async () => {
      const client = `shared-detach-${Date.now()}`;
      const url = `${server.wsUrl}/rpc?client=${client}`;
      const ctx = await browser.newContext();
      const a = await open(ctx, url, 'detach');
      await openAll([a]);
      const b = await open(ctx, url, 'detach');
      await openAll([a, b]);
      const r = await b.evaluate(async () => {
        const pending = window.sock.request({ op: 'never' }).catch((e) => e.code);
        await window.sock.close();
        return { state: window.sock.state, pending: await pending };
      });
      assert.deepEqual(r, { state: 'closed', pending: 'CLOSED' });
      await until('one tab', () => a.evaluate(() => window.sock.stats.tabs), (n) => n === 1);
      assert.equal(await state(a), 'open');
      await a.evaluate(() => window.sock.send({ echo: 'still' }));
      await allGot([a], 'echo', ['still']);
      const stats = await serverStats(server, client);
      assert.deepEqual([stats.total, stats.open], [1, 1]);
      await a.evaluate(() => window.sock.close());
      await ctx.close();
    },

    'the owner calling close() hands over; messages queued in a follower meanwhile are not lost': async () => {
      const client = `shared-handover-${Date.now()}`;
      const url = `${server.wsUrl}/rpc?client=${client}`;
      const ctx = await browser.newContext();
      const a = await open(ctx, url, 'handover');
      await openAll([a]);
      const b = await open(ctx, url, 'handover');
      await openAll([a, b]);
      await a.evaluate(() => window.sock.close());
      await b.evaluate(() => { for (let n = 0; n < 20; n++) window.sock.send({ echo: `b${n}` }); });
      await allGot([b], 'echo', Array.from({ length: 20 }, (_, n) => `b${n}`));
      const got = (await msgs(b)).filter((m) => m.echo?.startsWith('b')).map((m) => m.echo);
      assert.deepEqual(got, Array.from({ length: 20 }, (_, n) => `b${n}`), 'once each, in order');
      assert.ok((await b.evaluate(() => window.states)).includes('connecting'), 'b saw the new connection connect');
      const stats = await until('one connection open', () => serverStats(server, client), (s) => s.open === 1);
      assert.equal(stats.total, 2);
      assert.equal(stats.peak, 1, 'the next owner connected before the first connection closed');
      await b.evaluate(() => window.sock.close());
      await ctx.close();
    },

    'a frozen owner hands the connection over, keeps what its app sends meanwhile, and joins again when it resumes (and sends it)': async () => {
      const client = `shared-freeze-${Date.now()}`;
      const url = `${server.wsUrl}/rpc?client=${client}`;
      const ctx = await browser.newContext();
      const a = await open(ctx, url, 'freeze');
      await openAll([a]);
      const b = await open(ctx, url, 'freeze');
      await openAll([a, b]);
      // Headless Chromium does not freeze a visible page (CDP's
      // setWebLifecycleState fires nothing here), so the page gets the
      // events the browser sends before freezing and after resuming.
      await a.evaluate(() => document.dispatchEvent(new Event('freeze')));
      // b takes over: a second connection, and the first one closes.
      let stats = await until('b connected anew', () => serverStats(server, client), (s) => s.total === 2 && s.open === 1);
      await openAll([b]);
      await b.evaluate(() => window.sock.send({ echo: 'while a sleeps' }));
      await allGot([b], 'echo', ['while a sleeps']);
      assert.equal(await state(a), 'connecting');
      // What a's app sends while frozen (a later pagehide handler, say) is
      // kept, not dropped: 'queued', and sent once it is back.
      assert.equal(await a.evaluate(() => window.sock.send({ echo: 'sent while frozen' })), 'queued');
      await a.evaluate(() => document.dispatchEvent(new Event('resume')));
      await openAll([a]);
      await allGot([a, b], 'echo', ['sent while frozen']);
      await until('two tabs again', () => Promise.all([a, b].map((p) => p.evaluate(() => window.sock.stats.tabs))), (t) => t.every((n) => n === 2));
      await a.evaluate(() => window.sock.send({ echo: 'a is back' }));
      await allGot([a, b], 'echo', ['a is back']);
      // Now a follows: a request of its pending when it freezes fails
      // CONNECTION_LOST (as the owner's do), and aborting its signal
      // afterwards finds nothing to do (no page error).
      const lost = await a.evaluate(async () => {
        const ac = new AbortController();
        const p = window.sock.request({ op: 'never' }, { signal: ac.signal }).catch((e) => e.code);
        document.dispatchEvent(new Event('freeze'));
        const code = await p;
        ac.abort();
        await new Promise((r) => setTimeout(r, 50));
        document.dispatchEvent(new Event('resume'));
        return code;
      });
      assert.equal(lost, 'CONNECTION_LOST');
      await openAll([a]);
      stats = await serverStats(server, client);
      assert.deepEqual([stats.total, stats.open], [2, 1], JSON.stringify(stats));
      await a.evaluate(() => window.sock.close());
      await b.evaluate(() => window.sock.close());
      await ctx.close();
    },

    'different options under one name: the owner\'s apply, the other page warns once': async () => {
      const client = `shared-opts-${Date.now()}`;
      const ctx = await browser.newContext();
      const a = await open(ctx, `${server.wsUrl}/rpc?client=${client}`, 'opts');
      await openAll([a]);
      const b = await open(ctx, `${server.wsUrl}/rpc?client=${client}&other=1`, 'opts');
      await openAll([b]);
      await until('a warning', async () => b.warnings ?? [], (w) => w.length === 1);
      assert.match(b.warnings[0], /options apply/);
      assert.equal((await serverStats(server, client)).total, 1);
      await b.evaluate(() => window.sock.close());
      await a.evaluate(() => window.sock.close());
      await ctx.close();
    },

    'init runs once per connection, in the owner; what a follower sends before the ack follows it': async () => {
      const client = `shared-init-${Date.now()}`;
      const url = `${server.wsUrl}/proto?delay=300&client=${client}`;
      const ctx = await browser.newContext();
      const page = async () => {
        const p = await ctx.newPage();
        p.on('pageerror', (e) => pageErrors.push(e));
        await p.goto(`${server.url}/`);
        await p.evaluate(async (url) => {
          const { connect } = await import('/pkg/index.js');
          window.msgs = [];
          window.inits = 0;
          window.closes = [];
          window.sock = await connect(url, {
            json: true,
            shared: 'init',
            heartbeat: false,
            init: { message: () => { window.inits++; return { type: 'init' }; }, ack: (m) => m.type === 'ack', timeout: 3000 },
          });
          window.sock.on('message', (m) => window.msgs.push(m));
          window.sock.on('close', (e) => window.closes.push(e.code));
        }, url);
        return p;
      };
      const a = await page();
      const b = await page();
      // Sent by the follower while the owner still waits for the ack.
      await b.evaluate(() => { for (let n = 0; n < 5; n++) window.sock.send({ n }); });
      await openAll([a, b]);
      await until('five echoes in both', () => Promise.all([a, b].map((p) => p.evaluate(() => window.msgs.filter((m) => m.n !== undefined).length))), (c) => c.every((n) => n === 5));
      const [ia, ib] = await Promise.all([a, b].map((p) => p.evaluate(() => window.inits)));
      assert.deepEqual([ia, ib], [1, 0], 'init ran in the owner only, once');
      assert.deepEqual(await Promise.all([a, b].map((p) => p.evaluate(() => window.closes))), [[], []], 'the server closed (4400: a message before the init)');
      assert.equal((await serverStats(server, client)).total, 1);
      await a.evaluate(() => window.sock.close());
      await b.evaluate(() => window.sock.close());
      await ctx.close();
    },

    'when the shared connection ends for good, every page ends with it (no takeover)': async () => {
      const client = `shared-end-${Date.now()}`;
      const url = `${server.wsUrl}/rpc?client=${client}`;
      const ctx = await browser.newContext();
      const a = await open(ctx, url, 'end', { reconnect: false });
      await openAll([a]);
      const b = await open(ctx, url, 'end', { reconnect: false });
      await openAll([a, b]);
      await serverControl(server, client, 'drop');
      await until('both closed', () => Promise.all([a, b].map(state)), (s) => s.every((x) => x === 'closed'));
      await new Promise((r) => setTimeout(r, 300));
      const stats = await serverStats(server, client);
      assert.deepEqual([stats.total, stats.open], [1, 0], JSON.stringify(stats));
      await ctx.close();
    },

    'a page that hears another protocol version works unshared': async () => {
      const client = `shared-version-${Date.now()}`;
      const url = `${server.wsUrl}/rpc?client=${client}`;
      const ctx = await browser.newContext();
      const a = await open(ctx, url, 'version');
      await openAll([a]);
      const b = await open(ctx, url, 'version');
      await openAll([a, b]);
      // A newer steadyws in a third page, under the same name.
      const c = await ctx.newPage();
      await c.goto(`${server.url}/`);
      await c.evaluate(() => new BroadcastChannel('steadyws:version').postMessage({ v: 99, k: 0, from: 1, to: -1 }));
      // b (not the owner) connects alone; a keeps the shared connection.
      await until('b on its own connection', () => serverStats(server, client), (s) => s.total === 2 && s.open === 2);
      await openAll([a, b]);
      assert.deepEqual(await Promise.all([a, b].map((p) => p.evaluate(() => window.sock.stats.owner))), [true, true]);
      await b.evaluate(() => window.sock.send({ echo: 'alone' }));
      await allGot([b], 'echo', ['alone']);
      assert.ok(!(await msgs(a)).some((m) => m.echo === 'alone'), 'b still relayed through a');
      await a.evaluate(() => window.sock.close());
      await b.evaluate(() => window.sock.close());
      await ctx.close();
    },

    'without Web Locks a page works unshared': async () => {
      const client = `shared-nolocks-${Date.now()}`;
      const ctx = await browser.newContext();
      const page = await ctx.newPage();
      await page.goto(`${server.url}/`);
      const r = await page.evaluate(async (url) => {
        Object.defineProperty(navigator, 'locks', { value: undefined });
        const { connect } = await import('/pkg/index.js');
        const s = await connect(url, { json: true, shared: true });
        await new Promise((ok) => s.on('open', ok));
        const reply = await s.request({ op: 'add', a: 2, b: 3 });
        const tabs = s.stats.tabs;
        await s.close();
        return { result: reply.result, tabs };
      }, `${server.wsUrl}/rpc?client=${client}`);
      assert.deepEqual(r, { result: 5, tabs: 1 });
      await ctx.close();
    },

    'shared needs a name with a function url; a bad value is a TypeError': async () => {
      const ctx = await browser.newContext();
      const page = await ctx.newPage();
      await page.goto(`${server.url}/`);
      const r = await page.evaluate(async () => {
        const { connect } = await import('/pkg/index.js');
        const msg = (p) => p.then(() => 'resolved', (e) => `${e.name}: ${e.message}`);
        return [
          await msg(connect(() => 'ws://127.0.0.1:1/', { shared: true })),
          await msg(connect('ws://127.0.0.1:1/', { shared: 3 })),
          await msg(connect('ws://127.0.0.1:1/', { shared: '' })),
        ];
      });
      assert.match(r[0], /^TypeError: steadyws: shared must be a name/);
      assert.match(r[1], /^TypeError: steadyws: shared must be a boolean or a non-empty string/);
      assert.match(r[2], /^TypeError: steadyws: shared must be a boolean or a non-empty string/);
      await ctx.close();
    },
  });
  assert.deepEqual(pageErrors.map(String), [], 'uncaught errors in the pages');
} finally {
  await browser.close();
  await server.stop();
}
