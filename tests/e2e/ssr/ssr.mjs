// Plain Node, no DOM: the packed steadyws (installed here from the tarball)
// imports cleanly, and server-side rendering with steadyws/react,
// steadyws/vue and steadyws/svelte creates no socket: a global WebSocket stub counts
// constructions, and the dev server's /stats sees no handshake.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startServer, runChecks } from '../harness.mjs';

// Node's fetch cannot read file: URLs, which is how the wasm-pack glue finds
// its .wasm. Serve them, so that a binding which wrongly called connect() on
// the server would really get as far as constructing a WebSocket.
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const href = input instanceof URL ? input.href : typeof input === 'string' ? input : input?.url;
  if (href?.startsWith('file:')) {
    return Promise.resolve(
      new Response(readFileSync(fileURLToPath(href)), { headers: { 'content-type': 'application/wasm' } }),
    );
  }
  return realFetch(input, init);
};

// Counts every WebSocket anybody constructs in this process.
let constructed = 0;
globalThis.WebSocket = class CountingWebSocket {
  constructor(url) {
    constructed += 1;
    throw new Error(`SSR must not open a WebSocket (${url})`);
  }
};

// Records steadyws code reading `window` or `document` (Vue and React
// themselves may probe them; only the package's own files count here).
const touched = [];
for (const name of ['window', 'document']) {
  Object.defineProperty(globalThis, name, {
    configurable: true,
    get() {
      const stack = new Error().stack ?? '';
      if (stack.includes('/node_modules/steadyws/')) touched.push({ name, stack });
      return undefined;
    },
  });
}

const here = path.dirname(fileURLToPath(import.meta.url));
const settle = () => new Promise((r) => setTimeout(r, 300));

const server = await startServer();
const stats = async (client) => (await fetch(`${server.url}/stats?client=${client}`)).json();

try {
  await runChecks('ssr', {
    'the installed package.json: exports map, optional peers, ESM, no side effects, every target shipped': async () => {
      const pkgPath = createRequire(import.meta.url).resolve('steadyws/package.json');
      const dir = path.dirname(pkgPath);
      const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
      assert.equal(pkg.name, 'steadyws');
      assert.equal(pkg.type, 'module');
      assert.equal(pkg.sideEffects, false);
      assert.ok(pkg.license && pkg.engines?.node, 'license and engines');
      for (const entry of ['.', './react', './vue', './svelte']) {
        const e = pkg.exports[entry];
        assert.deepEqual(Object.keys(e), ['types', 'default'], `${entry}: types first, then default`);
      }
      const targets = Object.values(pkg.exports).flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e)));
      for (const t of targets) assert.ok(existsSync(path.join(dir, t)), `${t} is in the tarball`);
      for (const f of ['README.md', 'CHANGELOG.md', 'LICENSE-MIT', 'LICENSE-APACHE', 'steadyws_bg_glue_bg.wasm']) {
        assert.ok(existsSync(path.join(dir, f)), `${f} is in the tarball`);
      }
      for (const peer of ['react', 'vue']) {
        assert.ok(pkg.peerDependencies?.[peer], `${peer} is a peer dependency`);
        assert.equal(pkg.peerDependenciesMeta?.[peer]?.optional, true, `${peer} is optional`);
      }
      assert.equal(pkg.dependencies, undefined, 'no runtime dependencies');
    },
    "import('steadyws'), 'steadyws/react', 'steadyws/vue' and 'steadyws/svelte' work in Node and read no browser global": async () => {
      const core = await import('steadyws');
      const react = await import('steadyws/react');
      const vue = await import('steadyws/vue');
      const svelte = await import('steadyws/svelte');
      assert.equal(typeof core.connect, 'function');
      assert.equal(typeof react.useSocket, 'function');
      assert.equal(typeof vue.useSocket, 'function');
      assert.equal(typeof svelte.socketStore, 'function');
      assert.deepEqual(touched, [], 'no window/document access at import');
      assert.equal(constructed, 0);
    },
    'react-dom/server renderToString of a component using useSocket creates no socket and reads no window': async () => {
      const { createElement: h, StrictMode } = (await import('react')).default;
      const { renderToString } = await import('react-dom/server');
      const { useSocket } = await import('steadyws/react');
      const client = `ssr-react-${process.pid}`;
      let result;
      function Feed({ url }) {
        result = useSocket(url, { json: true });
        return h('p', { id: 'state' }, result.state);
      }
      const html = renderToString(h(StrictMode, null, h(Feed, { url: `${server.wsUrl}/echo?client=${client}` })));
      assert.match(html, /<p id="state">connecting<\/p>/, html);
      assert.equal(result.socket, null);
      assert.equal(result.lastMessage, undefined);
      // send() during render is held, not lost and not a socket.
      assert.equal(result.send({ hello: 'server' }), 'queued');
      const off = renderToString(h(Feed, { url: null }));
      assert.match(off, /<p id="state">closed<\/p>/, off);
      await settle();
      assert.equal(constructed, 0, 'no WebSocket constructed');
      assert.deepEqual(touched.map((t) => t.name), [], 'steadyws/react read no browser global');
      assert.equal((await stats(client)).total ?? 0, 0, '/stats saw no handshake');
    },
    'vue/server-renderer renderToString of a component using useSocket creates no socket': async () => {
      const { createSSRApp, h, ref, effectScope } = await import('vue');
      const { renderToString } = await import('vue/server-renderer');
      const { useSocket } = await import('steadyws/vue');
      const client = `ssr-vue-${process.pid}`;
      let result;
      const app = createSSRApp({
        setup() {
          const url = ref(`${server.wsUrl}/echo?client=${client}`);
          result = useSocket(url, { json: true });
          return () => h('p', { id: 'state' }, result.state.value);
        },
      });
      const html = await renderToString(app);
      assert.match(html, /<p id="state">connecting<\/p>/, html);
      assert.equal(result.socket.value, null);
      assert.equal(result.send({ hello: 'server' }), 'queued');
      // Outside a component too (a bare effect scope on the server).
      const scope = effectScope();
      const bare = scope.run(() => useSocket(() => `${server.wsUrl}/echo?client=${client}`));
      assert.equal(bare.socket.value, null);
      scope.stop();
      assert.equal(bare.state.value, 'closed', 'disposing the scope settles the state');
      await settle();
      assert.equal(constructed, 0, 'no WebSocket constructed');
      assert.equal((await stats(client)).total ?? 0, 0, '/stats saw no handshake');
    },
    'svelte/server render of a component using socketStore creates no socket and reads no window': async () => {
      const { compile } = await import('svelte/compiler');
      const { render } = await import('svelte/server');
      const client = `ssr-svelte-${process.pid}`;
      const touchedBefore = touched.length; // steadyws/vue probes window (see above)
      const source = `<script>
  import { socketStore } from 'steadyws/svelte';
  let { url } = $props();
  const feed = socketStore(url, { json: true });
</script>
<p id="state">{$feed.state}</p>
<p id="last">{$feed.lastMessage === undefined ? 'none' : 'some'}</p>`;
      const { js } = compile(source, { generate: 'server', filename: 'Feed.svelte' });
      // Next to this project's node_modules, so that its imports resolve.
      const out = path.join(here, 'node_modules/.steadyws-ssr/Feed.js');
      mkdirSync(path.dirname(out), { recursive: true });
      writeFileSync(out, js.code);
      const { default: Feed } = await import(pathToFileURL(out));
      const { body } = render(Feed, { props: { url: `${server.wsUrl}/echo?client=${client}` } });
      assert.match(body, /<p id="state">connecting<\/p>/, body);
      assert.match(body, /<p id="last">none<\/p>/, body);
      const off = render(Feed, { props: { url: null } }).body;
      assert.match(off, /<p id="state">closed<\/p>/, off);
      await settle();
      assert.equal(constructed, 0, 'no WebSocket constructed');
      const read = touched.slice(touchedBefore);
      assert.deepEqual(read.map((t) => t.name), [], `steadyws/svelte read no browser global: ${read.map((t) => t.stack).join('\n')}`);
      assert.equal((await stats(client)).total ?? 0, 0, '/stats saw no handshake');
    },
    // The checks above could not fail if nothing here could ever construct a
    // socket: connect() itself, in this same process, does.
    'control: connect() in this process reaches the WebSocket stub': async () => {
      const { connect } = await import('steadyws');
      // The facade listens for page events (online/offline/visibility) on
      // globalThis, which in Node 20 is no EventTarget.
      globalThis.addEventListener ??= () => {};
      globalThis.removeEventListener ??= () => {};
      const before = constructed;
      const sock = await connect(`${server.wsUrl}/echo?client=ssr-control`, { reconnect: false });
      await settle();
      assert.ok(constructed > before, `connect() constructed a WebSocket (${constructed - before})`);
      sock.free();
      assert.equal(sock.state, 'closed');
    },
  });
} finally {
  await server.stop();
}
