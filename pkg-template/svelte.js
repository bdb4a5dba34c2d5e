// steadyws/svelte: socketStore(url, options) for Svelte 4 and 5.
//
// A readable store (the Svelte store contract: `subscribe(run, invalidate)`
// calls `run` at once and returns the unsubscriber), so `$store` works in
// components and `derived()` / `get()` work anywhere. Svelte itself is
// never imported. The socket is created when the first subscriber arrives
// (one microtask later: a subscriber that leaves synchronously, as server-
// side rendering does, creates none) and closed with the last one.
import { SocketOwner } from './binding.js';

/**
 * @param {string | URL | null | undefined} url  null/undefined: do not connect
 * @param {object} [options] connect() options, plus onMessage / onOpen /
 *   onClose / onError / onState callbacks
 */
export function socketStore(url, options) {
  const key = url == null ? null : String(url);
  let value = { state: 'closed', lastMessage: undefined };
  // One entry per subscribe() call: the same function may subscribe twice.
  let subscribers = [];

  const set = (patch) => {
    value = { ...value, ...patch };
    // Like Svelte's own stores: every subscriber is invalidated before any
    // is run, so derived stores over several inputs update once.
    const now = subscribers;
    for (const s of now) s.invalidate?.();
    for (const s of now) if (subscribers.includes(s)) s.run(value);
  };

  const owner = new SocketOwner({
    state: (state) => {
      set({ state });
      options?.onState?.(state);
    },
    message: (lastMessage) => {
      set({ lastMessage });
      options?.onMessage?.(lastMessage);
    },
    open: (ev) => options?.onOpen?.(ev),
    close: (ev) => options?.onClose?.(ev),
    error: (err) => options?.onError?.(err),
    rejected: (err) => {
      if (options?.onError) options.onError(err);
      else console.error('steadyws: connect() failed:', err);
    },
  });

  const start = () => owner.open(key, options);
  const stop = () => {
    owner.release();
    owner.url = null;
    owner.emit('state', 'closed');
  };

  const store = {
    subscribe(run, invalidate) {
      if (typeof run !== 'function') throw new TypeError('steadyws: subscribe() needs a function');
      const s = { run, invalidate };
      // The first subscriber starts the socket ('connecting' before it runs).
      if (subscribers.length === 0) start();
      subscribers = [...subscribers, s];
      run(value);
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        subscribers = subscribers.filter((x) => x !== s);
        if (subscribers.length === 0) stop();
      };
    },
    send: (data) => owner.send(data),
    request: (data, opts) => owner.request(data, opts),
    close: (code, reason) => owner.close(code, reason),
    reconnect: () => {
      // With no subscriber there is nothing to reconnect (the next one connects).
      if (subscribers.length > 0) owner.reconnect();
    },
    /** The underlying Socket while one exists (null before the first subscriber's microtask and after the last left). */
    get socket() {
      return owner.sock;
    },
  };
  return store;
}
