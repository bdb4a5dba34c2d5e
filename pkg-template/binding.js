// What the React and Vue bindings share: one owner of at most one live
// Socket, which survives the socket being replaced (new URL, StrictMode's
// throwaway mount, reconnect() after close()) without losing messages.
//
// Internal module: not in the package's exports map.
import { connect } from './index.js';
import { DEFAULTS } from './abi.js';

// Options that belong to the bindings, never passed on to connect().
const BINDING_KEYS = ['onMessage', 'onOpen', 'onClose', 'onError', 'onState'];

function connectOptions(options) {
  if (!options) return undefined;
  const out = {};
  for (const key of Object.keys(options)) {
    if (!BINDING_KEYS.includes(key)) out[key] = options[key];
  }
  return out;
}

// How many messages may wait for a socket that does not exist yet (connect()
// has not resolved): the socket's own queue bound, default the core's.
function queueLimit(options) {
  const queue = options?.queue;
  if (queue === false) return 0;
  const max = queue?.maxMessages;
  return typeof max === 'number' && max >= 0 ? max : DEFAULTS.queue.maxMessages;
}

// The facade's error shape (SteadyWsError with a code and the rejected data).
function refused(code, text, data) {
  const err = new Error(text);
  err.name = 'SteadyWsError';
  err.code = code;
  err.data = data;
  return err;
}

// Closes a socket the binding no longer wants and releases its wasm side at
// once (free() = close() + release; the browser finishes the closing
// handshake on its own). Never throws: this runs in effect cleanups.
function discard(sock) {
  try {
    if (typeof sock.free === 'function') sock.free();
    else sock.close(1000, '');
  } catch {
    // already released
  }
}

/**
 * `events` receives: state(state), message(data), socket(sock | null),
 * error(err), rejected(err) (connect() failed), open(ev), close(ev).
 * Every callback is optional.
 */
export class SocketOwner {
  constructor(events) {
    this.events = events;
    /**
     * Messages no socket holds: sent before the socket existed, or taken
     * back from a socket let go of. Once a socket exists it is the only
     * queue (its own, in the core).
     */
    this.pending = [];
    /** request() calls made before the socket existed: [data, options, ok, no]. */
    this.asks = [];
    this.sock = null;
    this.attempt = null;
    this.url = null;
    this.options = undefined;
    this.lastState = undefined;
  }

  /** Starts a socket for `url` (the previous one, if any, is replaced). */
  open(url, options) {
    this.release();
    this.url = url;
    this.options = options;
    if (url == null) {
      this.emit('state', 'closed');
      return;
    }
    const attempt = { cancelled: false, sock: null, offs: [] };
    this.attempt = attempt;
    this.emit('state', 'connecting');
    // Start one microtask later: React StrictMode mounts, unmounts and mounts
    // again synchronously, so the throwaway mount never creates a socket.
    queueMicrotask(() => {
      if (attempt.cancelled) return;
      let created;
      try {
        created = connect(url, connectOptions(options));
      } catch (err) {
        created = Promise.reject(err);
      }
      Promise.resolve(created).then(
        (sock) => this.adopt(attempt, sock),
        (err) => {
          if (attempt.cancelled) return;
          this.attempt = null;
          this.refuse(err);
          // A bad URL or option (TypeError): a programming error, reported
          // through onError, or on the console when there is none.
          this.emit('rejected', err);
          this.emit('state', 'closed');
        },
      );
    });
  }

  adopt(attempt, sock) {
    // The owner let go before connect() resolved: the socket it no longer
    // wants is closed as soon as it exists.
    if (attempt.cancelled) {
      discard(sock);
      return;
    }
    attempt.sock = sock;
    this.sock = sock;
    const on = (type, fn) => {
      const off = sock.on(type, fn);
      attempt.offs.push(typeof off === 'function' ? off : () => sock.off?.(type, fn));
    };
    on('state', (ev) => this.emit('state', ev?.state ?? sock.state));
    on('message', (data) => this.emit('message', data));
    on('open', (ev) => {
      this.flush();
      this.emit('open', ev);
    });
    on('close', (ev) => this.emit('close', ev));
    on('error', (err) => this.emit('error', err));
    this.emit('socket', sock);
    this.emit('state', sock.state);
    this.flush();
    for (const [data, opts, ok, no] of this.asks.splice(0)) sock.request(data, opts).then(ok, no);
  }

  /** sock.request(); before the socket exists, made as soon as it does. */
  request(data, opts) {
    if (this.sock) return this.sock.request(data, opts);
    if (!this.attempt) return Promise.reject(refused('CLOSED', 'socket is closed', data));
    return new Promise((ok, no) => this.asks.push([data, opts, ok, no]));
  }

  // Requests still waiting for a socket that will not come.
  refuse(err) {
    for (const [, , , no] of this.asks.splice(0)) no(err ?? refused('CLOSED', 'socket is closed'));
  }

  /** Hands messages sent before the socket existed over to it, in order. */
  flush() {
    const sock = this.sock;
    while (sock && this.pending.length > 0) {
      try {
        sock.send(this.pending[0]);
      } catch (err) {
        // Full: keep the rest for the next open, when the queue has drained.
        if (err?.code === 'QUEUE_FULL') return;
        // Anything else (unserialisable value...) is reported, not retried.
        this.pending.shift();
        this.emit('error', err);
        continue;
      }
      this.pending.shift();
    }
  }

  send(data) {
    const sock = this.sock;
    if (sock && this.pending.length === 0) return sock.send(data);
    // No socket yet (or older messages still waiting for it): keep order.
    const limit = queueLimit(this.options);
    if (limit === 0) throw refused('NOT_OPEN', 'not open and the queue is off', data);
    if (this.pending.length >= limit) throw refused('QUEUE_FULL', 'send queue is full', data);
    this.pending.push(data);
    return 'queued';
  }

  close(code = 1000, reason = '') {
    const sock = this.sock;
    const attempt = this.attempt;
    if (sock) return sock.close(code, reason);
    if (attempt) {
      // connect() has not resolved yet: cancel, the socket is closed on arrival.
      attempt.cancelled = true;
      this.attempt = null;
      this.refuse();
      this.emit('state', 'closed');
    }
    return Promise.resolve();
  }

  reconnect() {
    const sock = this.sock;
    if (sock && sock.state !== 'closed') {
      sock.reconnect();
      return;
    }
    // Closed for good (close() or retries exhausted): start a fresh socket.
    if (this.url != null && (sock || !this.attempt)) this.open(this.url, this.options);
  }

  /**
   * Lets go of the current socket. Messages it still holds are kept and go
   * to the next socket (a new URL must not lose what was sent to the old one).
   */
  release() {
    const attempt = this.attempt;
    this.attempt = null;
    if (!attempt) return;
    attempt.cancelled = true;
    const sock = attempt.sock;
    if (!sock) return this.refuse();
    // What the socket still holds goes to the next one, first.
    let unsent = [];
    try {
      unsent = sock.takeQueued();
    } catch {
      // a socket that cannot hand its queue back has nothing to hand
    }
    this.pending.unshift(...unsent);
    for (const off of attempt.offs) {
      try {
        off();
      } catch {
        // a throwing unsubscribe must not keep the old socket alive
      }
    }
    this.sock = null;
    discard(sock);
    this.emit('socket', null);
  }

  emit(type, value) {
    if (type === 'state') {
      if (value === this.lastState) return;
      this.lastState = value;
    }
    const fn = this.events[type];
    if (!fn) return;
    try {
      fn(value);
    } catch (err) {
      // A throwing app callback must not break the binding; surface it.
      queueMicrotask(() => {
        throw err;
      });
    }
  }
}
