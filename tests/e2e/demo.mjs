// The demo page (`npm start`) end to end: served by the dev server, driven in
// headless Chromium. It provokes faults through the page's own buttons and
// checks what the page shows: a half-open connection is detected by the
// heartbeat and replaced in time, and chat messages sent during an outage are
// queued and arrive at another tab in order afterwards. Screenshots at
// desktop and phone widths go to target/screenshots/.
//
// DEMO_URL=http://127.0.0.1:8080 runs it against an already running server.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT, startServer, launchBrowser, runChecks } from './harness.mjs';

// Short timers so every fault plays out in a second or two.
const T = { interval: 800, timeout: 600, minDelay: 200, maxDelay: 1000 };
const query = new URLSearchParams({ ...T, jitter: '0.2' });
const SHOTS = path.join(ROOT, 'target/screenshots');
mkdirSync(SHOTS, { recursive: true });
const run = Math.random().toString(36).slice(2, 7);

const server = process.env.DEMO_URL
  ? { url: process.env.DEMO_URL.replace(/\/$/, ''), stop: async () => {} }
  : await startServer();
const browser = await launchBrowser();

/** Opens the demo as chat user `name`; resolves once its socket is open. */
async function openDemo(name, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e));
  // Failed handshakes are the point of the demo; Chromium logs each one.
  page.on('console', (m) => {
    if (m.type() === 'error' && !/^WebSocket connection to .* failed/.test(m.text())) page.errors.push(new Error(m.text()));
  });
  await page.goto(`${server.url}/?${query}&name=${name}`);
  await waitState(page, 'open', 10_000);
  return page;
}

function waitState(page, state, timeout) {
  return page.waitForSelector(`[data-testid="state"][data-state="${state}"]`, { timeout });
}

const now = (page) => page.evaluate(() => performance.now());

/** The oldest event-log entry of `type` logged after page time `after`. */
async function waitLog(page, type, after, timeout) {
  const handle = await page.waitForFunction(([ty, t0]) => {
    const hits = [...document.querySelectorAll(`[data-testid="log"] li[data-type="${ty}"]`)]
      .filter((li) => Number(li.dataset.t) > t0);
    return hits.length ? { ...hits[hits.length - 1].dataset } : null;
  }, [type, after], { timeout, polling: 50 });
  const entry = await handle.jsonValue();
  entry.t = Number(entry.t);
  return entry;
}

async function chat(page, text) {
  await page.fill('[data-testid="chat-input"]', text);
  await page.press('[data-testid="chat-input"]', 'Enter');
}

const chatTexts = (page, from) => page.$$eval(
  `[data-testid="chat-list"] li[data-from="${from}"] .text`,
  (els) => els.map((e) => e.textContent),
);

let alice;
let bob;
try {
  await runChecks('demo', {
    'the page opens a socket to /chat and shows heartbeats with round-trip times': async () => {
      alice = await openDemo('alice');
      assert.match(await alice.textContent('#version'), /^\d+\.\d+\.\d+/);
      const pong = await waitLog(alice, 'pong', 0, T.interval * 3 + 2_000);
      assert.ok(Number(pong.rtt) >= 0, `pong without an rtt: ${JSON.stringify(pong)}`);
      await alice.waitForFunction(() => /^\d+ ms$/.test(document.getElementById('stat-lastRttMs').textContent));
    },

    'go silent: the heartbeat times out and the page is open again within interval + timeout + delay + 1 s': async () => {
      const clicked = await now(alice);
      await alice.click('[data-testid="fault-silent"]');
      const limit = T.interval + T.timeout + 1_000;
      const timeout = await waitLog(alice, 'heartbeat-timeout', clicked, limit + 2_000);
      assert.ok(timeout.t - clicked <= limit, `heartbeat timeout came ${Math.round(timeout.t - clicked)} ms after the click`);
      const retry = await waitLog(alice, 'reconnecting', clicked, T.maxDelay + 2_000);
      const delay = Number(retry.delay);
      assert.ok(delay >= 0 && delay <= T.maxDelay, `backoff delay ${delay}`);
      const open = await waitLog(alice, 'open', timeout.t, delay + 3_000);
      const total = open.t - clicked;
      const bound = T.interval + T.timeout + delay + 1_000;
      console.log(`report: demo go-silent: heartbeat timeout after ${Math.round(timeout.t - clicked)} ms, open again after ${Math.round(total)} ms (bound ${bound} ms, backoff ${delay} ms)`);
      assert.ok(total <= bound, `open again ${Math.round(total)} ms after the click, bound ${bound} ms`);
      await waitState(alice, 'open', 1_000);
    },

    'outage: chat messages sent meanwhile are queued and reach the other tab in order afterwards': async () => {
      bob = await openDemo('bob');
      await alice.fill('[data-testid="outage-secs"]', '2');
      const clicked = await now(alice);
      await alice.click('[data-testid="fault-outage"]');
      await alice.waitForSelector('[data-testid="state"]:not([data-state="open"])', { timeout: 3_000 });
      const texts = [1, 2, 3].map((i) => `queued ${i} (${run})`);
      for (const text of texts) await chat(alice, text);
      const sendResults = await alice.$$eval(
        '[data-testid="chat-list"] li[data-from="self"]',
        (els) => els.slice(-3).map((e) => e.dataset.send),
      );
      assert.deepEqual(sendResults, ['queued', 'queued', 'queued']);
      await alice.waitForFunction(() => Number(document.getElementById('stat-queued').textContent) >= 3, null, { timeout: 1_000 });
      assert.deepEqual((await chatTexts(bob, 'other')).filter((t) => t.includes(run)), [], 'bob got a message during the outage');

      const open = await waitLog(alice, 'open', clicked, 2_000 + T.maxDelay + 3_000);
      assert.ok(open.t - clicked >= 1_500, `reopened ${Math.round(open.t - clicked)} ms into a 2 s outage`);
      await bob.waitForFunction((r) => [...document.querySelectorAll('[data-testid="chat-list"] li[data-from="other"] .text')]
        .filter((e) => e.textContent.includes(r)).length >= 3, run, { timeout: 3_000 });
      assert.deepEqual((await chatTexts(bob, 'other')).filter((t) => t.includes(run)), texts);
      await alice.waitForFunction(() => [...document.querySelectorAll('[data-testid="chat-list"] li[data-from="self"]')]
        .slice(-3).every((li) => li.dataset.status === 'delivered'), null, { timeout: 2_000 });
      await alice.waitForFunction(() => document.getElementById('stat-queued').textContent === '0', null, { timeout: 1_000 });
      const reply = `hello from bob (${run})`;
      await chat(bob, reply);
      assert.equal(await bob.getAttribute('[data-testid="chat-list"] li[data-from="self"]:last-child', 'data-send'), 'sent');
      await alice.waitForFunction((r) => [...document.querySelectorAll('[data-testid="chat-list"] li[data-from="other"] .text')]
        .some((e) => e.textContent === r), reply, { timeout: 2_000 });
    },

    'a slider change reconnects with the new options and carries the queued messages over': async () => {
      await alice.fill('[data-testid="outage-secs"]', '2');
      const clicked = await now(alice);
      await alice.click('[data-testid="fault-outage"]');
      await alice.waitForSelector('[data-testid="state"]:not([data-state="open"])', { timeout: 3_000 });
      const texts = [1, 2].map((i) => `carried ${i} (${run})`);
      for (const text of texts) await chat(alice, text);
      await alice.$eval('[data-testid="opt-interval"]', (el) => {
        el.value = '1000';
        el.dispatchEvent(new Event('change', { bubbles: true }));
      });
      const swap = await waitLog(alice, 'options', clicked, 2_000);
      assert.match(await alice.textContent(`[data-testid="log"] li[data-t="${swap.t}"][data-type="options"]`), /carrying 2 queued/);
      assert.match(await alice.evaluate(() => location.search), /interval=1000/);
      await waitLog(alice, 'open', swap.t, 2_000 + T.maxDelay + 3_000);
      await bob.waitForFunction((r) => [...document.querySelectorAll('[data-testid="chat-list"] li[data-from="other"] .text')]
        .filter((e) => e.textContent.startsWith('carried') && e.textContent.includes(r)).length >= 2, run, { timeout: 3_000 });
      assert.deepEqual((await chatTexts(bob, 'other')).filter((t) => t.startsWith('carried') && t.includes(run)), texts);
    },

    'two quick slider changes leave exactly one connection open on the server': async () => {
      const before = await now(alice);
      await alice.$eval('[data-testid="opt-timeout"]', (el) => {
        for (const v of ['700', '800']) {
          el.value = v;
          el.dispatchEvent(new Event('change', { bubbles: true }));
        }
      });
      await alice.waitForFunction((t0) => [...document.querySelectorAll('[data-testid="log"] li[data-type="options"]')]
        .filter((li) => Number(li.dataset.t) > t0).length >= 2, before, { timeout: 3_000 });
      await waitState(alice, 'open', 3_000);
      await alice.waitForTimeout(300); // let the replaced sockets' closes reach the server
      const id = await alice.textContent('[data-testid="client-id"]');
      const stats = await (await fetch(`${server.url}/stats?client=${id}`)).json();
      assert.equal(stats.open, 1, `server-side connections of ${id}: ${JSON.stringify(stats)}`);
    },

    'close() is final until reconnect() opens a new socket': async () => {
      await bob.click('[data-testid="sock-close"]');
      await waitState(bob, 'closed', 3_000);
      await bob.click('[data-testid="sock-reconnect"]');
      await waitState(bob, 'open', 3_000);
    },

    'request(): the reply (or REQUEST_TIMEOUT) and its latency are logged': async () => {
      const t0 = await now(bob);
      await bob.click('[data-testid="sock-request"]');
      const entry = await waitLog(bob, 'request', t0, 5_000);
      assert.ok(entry.code === 'ok' || entry.code === 'REQUEST_TIMEOUT', JSON.stringify(entry));
      assert.ok(Number(entry.ms) >= 0);
    },

    'protocol mode: the log and timeline show init, then the ack, then open; a message typed meanwhile flushes after': async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e));
      await page.goto(`${server.url}/?${query}&name=pat&mode=proto`);
      const init = await waitLog(page, 'init', 0, 10_000);
      await chat(page, 'typed before the ack');
      const ack = await waitLog(page, 'ack', 0, 10_000);
      const open = await waitLog(page, 'open', 0, 10_000);
      assert.ok(init.t <= ack.t && ack.t <= open.t, 'init, ack, open in that order');
      await waitState(page, 'open', 5_000);
      await page.waitForFunction(() => (window.steadywsDemo?.socket?.stats?.queued ?? 1) === 0, null, { timeout: 5_000 });
      const kinds = await page.evaluate(() => window.steadywsDemo?.timeline?.events?.map((e) => e.kind) ?? null);
      if (kinds) assert.ok(kinds.includes('init') && kinds.includes('ack'), kinds.join());
      assert.deepEqual(errors, []);
      await context.close();
    },
    'token auth mode: a fresh token per attempt, reconnecting through the server\'s 4001': async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e));
      await page.goto(`${server.url}/?${query}&name=tok&mode=auth`);
      await waitState(page, 'open', 10_000);
      await waitLog(page, 'token', 0, 5_000);
      assert.deepEqual(errors, []);
      await context.close();
    },
    'share across tabs: two tabs of one context, one owner; closing it hands over': async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const errors = [];
      const tab = async (name) => {
        const page = await context.newPage();
        page.on('pageerror', (e) => errors.push(e));
        await page.goto(`${server.url}/?${query}&name=${name}&shared=1`);
        await waitState(page, 'open', 10_000);
        return page;
      };
      const share = (page, text) => page.waitForFunction((t) => document.querySelector('[data-testid="share"]')?.textContent === t, text, { timeout: 5_000, polling: 50 });
      const first = await tab('s1');
      await share(first, 'this tab owns the connection · 1 tab');
      const second = await tab('s2');
      await share(second, 'relayed by another tab · 2 tabs');
      await share(first, 'this tab owns the connection · 2 tabs');
      await first.close();
      await share(second, 'this tab owns the connection · 1 tab');
      await waitState(second, 'open', 10_000);
      await waitLog(second, 'shared', 0, 1_000);
      assert.deepEqual(errors, []);
      await context.close();
    },
    'screenshots at desktop (1280x800) and phone (390x844) widths': async () => {
      // Something on the timeline at the right edge: a close from the server.
      await waitState(alice, 'open', 5_000);
      await alice.selectOption('[data-testid="close-code"]', '4000');
      const closed = await now(alice);
      await alice.click('[data-testid="fault-close"]');
      await waitLog(alice, 'open', closed, 4_000);
      await alice.waitForTimeout(300);
      await alice.screenshot({ path: path.join(SHOTS, 'demo-desktop.png') });
      // The same page, with its history, at phone width.
      await alice.setViewportSize({ width: 390, height: 844 });
      await alice.evaluate(() => window.scrollTo(0, 0));
      await alice.waitForTimeout(200);
      await alice.screenshot({ path: path.join(SHOTS, 'demo-phone.png') });
      await alice.screenshot({ path: path.join(SHOTS, 'demo-phone-full.png'), fullPage: true });
      const overflow = await alice.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the phone layout scrolls sideways by ${overflow}px`);
    },

    'no errors on the pages': async () => {
      assert.deepEqual(alice.errors, []);
      assert.deepEqual(bob.errors, []);
    },
  });
} finally {
  await browser.close();
  await server.stop();
}
