// steadyws/vue: useSocket(url, options) for Vue 3.3+.
//
// Returns refs (state, data, socket) and actions (send, close, reconnect).
// `url` may be a string, a ref or a getter: a new value replaces the socket
// (messages still waiting in the old one are carried over). The socket is
// closed when the owning effect scope (component, effectScope()) is
// disposed. During server-side rendering nothing is created.
import { getCurrentScope, onScopeDispose, shallowRef, toValue, watch } from 'vue';
import { SocketOwner } from './binding.js';

// No socket during SSR: setup() and immediate watchers run on the server too.
const FN = '\0fn';
const inBrowser = () => typeof window !== 'undefined' && typeof document !== 'undefined';

/**
 * @param {string | URL | null | undefined | import('vue').Ref | (() => any)} url
 * @param {object} [options] connect() options, plus onMessage / onOpen /
 *   onClose / onError / onState callbacks
 */
export function useSocket(url, options) {
  // Same first value on the server and in the browser (hydration matches).
  const first = typeof url === 'function' && url.length > 0 ? url : toValue(url);
  const state = shallowRef(first == null ? 'closed' : 'connecting');
  const data = shallowRef(undefined);
  const socket = shallowRef(null);

  const owner = new SocketOwner({
    state: (s) => {
      state.value = s;
      options?.onState?.(s);
    },
    message: (d) => {
      data.value = d;
      options?.onMessage?.(d);
    },
    socket: (s) => {
      socket.value = s;
    },
    open: (ev) => options?.onOpen?.(ev),
    close: (ev) => options?.onClose?.(ev),
    error: (err) => options?.onError?.(err),
    rejected: (err) => {
      if (options?.onError) options.onError(err);
      else console.error('steadyws: connect() failed:', err);
    },
  });

  // A function URL (taking `{ attempt }`, or the value of a ref/getter)
  // keeps one socket: the latest function makes each attempt's URL.
  let urlFn = null;
  const source = () => {
    let u = typeof url === 'function' && url.length > 0 ? url : toValue(url);
    if (typeof u === 'function') {
      urlFn = u;
      return FN;
    }
    return u == null ? null : String(u);
  };
  let disposed = false;
  let stopWatch = () => {};
  if (inBrowser()) {
    stopWatch = watch(
      source,
      (u) => {
        if (!disposed) owner.open(u === FN ? (ctx) => urlFn(ctx) : u, options);
      },
      { immediate: true },
    );
  }

  const dispose = () => {
    if (disposed) return;
    disposed = true;
    stopWatch();
    owner.release();
    owner.url = null;
    state.value = 'closed';
  };
  if (getCurrentScope()) onScopeDispose(dispose);

  return {
    state,
    data,
    socket,
    send: (value) => owner.send(value),
    request: (value, opts) => owner.request(value, opts),
    close: (code, reason) => owner.close(code, reason),
    reconnect: () => {
      if (!disposed) owner.reconnect();
    },
  };
}
