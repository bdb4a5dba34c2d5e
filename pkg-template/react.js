// steadyws/react: useSocket(url, options) for React 18 and 19.
//
// The socket lives in an effect: created after mount, closed in the
// cleanup. Rendering (on the server too) creates nothing and never touches
// `window`, and StrictMode's mount-unmount-mount leaves one live socket.
import React from 'react';
import { SocketOwner } from './binding.js';

const { useEffect, useMemo, useRef, useState } = React;

/**
 * @param {string | URL | null | undefined} url  null/undefined: do not connect
 * @param {object} [options] connect() options, plus onMessage / onOpen /
 *   onClose / onError / onState callbacks (the latest ones are always used)
 */
// The key of every function URL: a new function (a new arrow each render)
// is not a new socket; the latest one makes the next attempt's URL.
const FN = '\0fn';

export function useSocket(url, options) {
  const key = url == null ? null : typeof url === 'function' ? FN : String(url);
  const urlFn = useRef(url);
  const [state, setState] = useState(key == null ? 'closed' : 'connecting');
  const [lastMessage, setLastMessage] = useState(undefined);
  const [socket, setSocket] = useState(null);

  const latest = useRef(options);
  useEffect(() => {
    latest.current = options;
    urlFn.current = url;
  });

  const owner = useRef(null);
  if (owner.current === null) {
    // Plain object, no side effects: safe to create during render.
    owner.current = new SocketOwner({
      state: (s) => {
        setState(s);
        latest.current?.onState?.(s);
      },
      message: (data) => {
        setLastMessage(() => data);
        latest.current?.onMessage?.(data);
      },
      socket: (s) => setSocket(() => s),
      open: (ev) => latest.current?.onOpen?.(ev),
      close: (ev) => latest.current?.onClose?.(ev),
      error: (err) => latest.current?.onError?.(err),
      rejected: (err) => {
        if (latest.current?.onError) latest.current.onError(err);
        else console.error('steadyws: connect() failed:', err);
      },
    });
  }

  useEffect(() => {
    const o = owner.current;
    o.open(key === FN ? (ctx) => urlFn.current(ctx) : key, latest.current);
    return () => {
      o.release();
      o.url = null;
    };
  }, [key]);

  const actions = useMemo(
    () => ({
      send: (data) => owner.current.send(data),
      request: (data, opts) => owner.current.request(data, opts),
      close: (code, reason) => owner.current.close(code, reason),
      reconnect: () => owner.current.reconnect(),
    }),
    [],
  );

  return useMemo(
    () => ({ state, lastMessage, socket, ...actions }),
    [state, lastMessage, socket, actions],
  );
}
