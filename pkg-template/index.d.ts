// Type declarations of the steadyws facade (index.js).

/** Binary data as it can be sent. */
export type BinaryData = ArrayBuffer | ArrayBufferView | Blob;

/** What a message handler receives without `json` (text or binary frame). */
export type RawMessage = string | ArrayBuffer | Blob;

/** The public connection state. `'reconnecting'` = waiting out a backoff delay. */
export type SocketState = 'connecting' | 'open' | 'closing' | 'closed' | 'reconnecting';

export interface HeartbeatOptions<In = unknown> {
  /** ms of silence before a ping is sent (default 10000). */
  interval?: number;
  /** ms to wait for any message after the ping (default 10000). */
  timeout?: number;
  /** The ping: a string (text frame), an object (JSON text) or bytes (default 'ping'). */
  ping?: string | Uint8Array | object;
  /**
   * What counts as the reply (not delivered as 'message'): a string compared
   * with the raw text frame (before JSON parsing), or a predicate given the
   * message as 'message' would receive it (default 'pong').
   */
  pong?: string | ((msg: In | RawMessage) => boolean);
}

export interface ReconnectOptions {
  /** ms before the first retry (default 1000). */
  minDelay?: number;
  /** Cap of the delay in ms (default 30000). */
  maxDelay?: number;
  /** Growth of the delay per failed attempt (default 2). */
  factor?: number;
  /** 0 = no jitter, 1 = full jitter (default 0.5). */
  jitter?: number;
  /** Attempts before giving up with error RETRIES_EXHAUSTED (default Infinity). */
  maxRetries?: number;
  /** ms open before the backoff resets (default 5000). */
  stableAfter?: number;
  /** Server close codes that end the socket for good (error FATAL_CLOSE); default 1002, 1003, 1007, 1008, 1009, 1010. */
  fatalCodes?: number[];
}

export interface QueueOptions {
  /** Messages held while not open (default 1000). */
  maxMessages?: number;
  /** Bytes held while not open (default 1 MiB; strings count their length). */
  maxBytes?: number;
}

/**
 * What the `WebSocket` option needs of a socket: the browser's `WebSocket`
 * has it, and so do Node's global one, the `ws` package and test doubles.
 */
export interface WebSocketLike {
  readonly readyState: number;
  readonly protocol: string;
  binaryType: string;
  onopen: ((event: any) => any) | null;
  onmessage: ((event: any) => any) | null;
  onerror: ((event: any) => any) | null;
  onclose: ((event: any) => any) | null;
  send(data: any): void;
  close(code?: number, reason?: string): void;
}

/** A constructor of sockets (the global `WebSocket`, a subclass, a polyfill). */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** What an attempt's URL is made from (see `connect()`'s `url`). */
export interface UrlContext {
  /** The attempt's number in the current run of failures (1 = first). */
  attempt: number;
}

/**
 * Where to connect: a URL, or a function called before every attempt (the
 * first included) that may return a Promise (fetch a fresh token). A throw,
 * a rejection or a result that is not a URL is an `error` with code
 * `URL_FAILED` (`cause` attached) and a failed attempt.
 */
export type UrlSource = string | URL | ((ctx: UrlContext) => string | URL | Promise<string | URL>);

/** The app-level handshake on every new connection. */
export interface InitOptions<In = unknown, Out = unknown> {
  /** Sent first on each connection, before anything queued: a message, several, or a function of the attempt (maybe async). */
  message?: Out | Out[] | ((ctx: UrlContext) => Out | Out[] | Promise<Out | Out[]>);
  /**
   * The acknowledgement: a string compared with the raw text frame, or a
   * predicate given the message as 'message' would receive it. Until it
   * arrives the state stays 'connecting' and send() queues; it is not a
   * 'message' (it is `open.ack`). Omitted: open once the init is sent.
   */
  ack?: string | ((msg: In) => boolean);
  /** ms from the open to the ack (default 10000); then error INIT_TIMEOUT and a new attempt. */
  timeout?: number;
}

export interface RpcOptions {
  /** The field of a request and of its reply that carries the id (default 'id'). */
  id?: string;
  /** ms request() waits for the reply unless the call says (default 10000; Infinity: forever). */
  timeout?: number;
}

export interface RequestOptions {
  /** ms to wait for the reply (default `rpc.timeout`); else REQUEST_TIMEOUT. */
  timeout?: number;
  /** Aborting it rejects with ABORTED (the reason as `cause`); a queued request is then never sent. */
  signal?: AbortSignal;
}

export interface ConnectOptions<In = unknown, Out = unknown> {
  /** Subprotocols offered to the server. */
  protocols?: string | string[];
  /** How binary frames arrive (default 'arraybuffer'). */
  binaryType?: 'arraybuffer' | 'blob';
  /** Text frames are parsed as JSON; non-binary values passed to send() are JSON-encoded. */
  json?: boolean;
  /** ms a socket may stay CONNECTING (default 10000; 0 disables). */
  connectTimeout?: number;
  /** ms close() waits for the closing handshake (default 5000). */
  closeTimeout?: number;
  /** `true` or omitted: the defaults; `false`: off. */
  heartbeat?: HeartbeatOptions<In> | boolean;
  /** `true` or omitted: the defaults; `false`: off. */
  reconnect?: ReconnectOptions | boolean;
  /** `true` or omitted: the defaults; `false`: off (send() while not open throws NOT_OPEN). */
  queue?: QueueOptions | boolean;
  /**
   * The constructor used for every attempt (default: the global
   * `WebSocket`): Node without a global one, tests, polyfills.
   */
  WebSocket?: WebSocketConstructor;
  /** An init message (and its ack) on every connection. */
  init?: InitOptions<In, Out>;
  /** request(): how requests and replies are matched. */
  rpc?: RpcOptions;
  /**
   * One connection for every tab of this origin that uses the same name
   * (`true`: the URL, which must then be a string). One tab owns the
   * `WebSocket` (elected with Web Locks), the others relay through it
   * (`BroadcastChannel`); when it goes, another takes over at once.
   * Without Web Locks or `BroadcastChannel` the socket works unshared.
   */
  shared?: boolean | string;
}

/** Machine-readable error codes of `SteadyWsError.code`. */
export type ErrorCode =
  | 'SOCKET_ERROR'
  | 'CONNECT_TIMEOUT'
  | 'RETRIES_EXHAUSTED'
  | 'FATAL_CLOSE'
  | 'URL_FAILED'
  | 'INIT_TIMEOUT'
  | 'INVALID_JSON'
  | 'SEND_FAILED'
  | 'HANDLER_THREW'
  | 'QUEUE_FULL'
  | 'NOT_OPEN'
  | 'CLOSED'
  | 'PANIC'
  | 'REQUEST_TIMEOUT'
  | 'ABORTED'
  | 'CONNECTION_LOST';

/** Every error the socket reports or throws (besides TypeError/RangeError for bad arguments). */
export interface SteadyWsError extends Error {
  name: 'SteadyWsError';
  code: ErrorCode;
  /** INVALID_JSON: the raw text; QUEUE_FULL / NOT_OPEN / CLOSED / SEND_FAILED: the message. */
  data?: unknown;
  /** HANDLER_THREW: what the handler (or init function, ack predicate) threw; URL_FAILED: what the URL function threw; ABORTED: the signal's reason. */
  cause?: unknown;
}

export interface OpenEvent<In = unknown> {
  url: string;
  protocol: string;
  attempt: number;
  /** The message that acknowledged the init (with `init.ack`). */
  ack?: In;
}
export interface CloseEventInfo { code: number; reason: string; wasClean: boolean; willReconnect: boolean }
export interface ReconnectingEvent { attempt: number; delay: number }
export interface HeartbeatTimeoutEvent { silentFor: number }
export interface PongEvent { rtt: number }
export interface StateEvent { state: SocketState; previous: SocketState }

/** Event name → handler argument. */
export interface SocketEvents<In> {
  open: OpenEvent<In>;
  /**
   * A message: parsed JSON with `json` (binary frames still arrive as
   * ArrayBuffer/Blob: include them in `In` if the server sends any), else a
   * string or ArrayBuffer/Blob.
   */
  message: In;
  close: CloseEventInfo;
  reconnecting: ReconnectingEvent;
  'heartbeat-timeout': HeartbeatTimeoutEvent;
  /** A heartbeat ping was sent. */
  ping: Record<string, never>;
  /** A heartbeat ping was answered. */
  pong: PongEvent;
  error: SteadyWsError;
  state: StateEvent;
}

export interface SocketStats {
  /** Attempt number of the current/last connection (1 = first). */
  attempt: number;
  /** Successful opens after the first. */
  reconnects: number;
  messagesIn: number;
  messagesOut: number;
  /** Messages waiting for the next open. */
  queued: number;
  /** Round trip of the last answered heartbeat ping, ms. */
  lastRttMs: number | null;
  /** Requests not settled yet (queued or waiting for their reply). */
  pending: number;
  /** Tabs sharing the connection (`shared`; 1 otherwise). */
  tabs: number;
  /** Whether this tab owns the connection (always, unless `shared`). */
  owner: boolean;
}

export declare class Socket<In = unknown, Out = unknown> {
  private constructor();
  /** The URL of the current or last attempt (normalised: ws:/wss:, no fragment; '' before a URL function's first result). */
  readonly url: string;
  readonly state: SocketState;
  /** A snapshot. */
  readonly stats: SocketStats;
  /** Adds a handler (once per type, like addEventListener); returns a function that removes it. */
  on<K extends keyof SocketEvents<In>>(type: K, handler: (event: SocketEvents<In>[K]) => void): () => void;
  off<K extends keyof SocketEvents<In>>(type: K, handler: (event: SocketEvents<In>[K]) => void): void;
  /**
   * 'sent' if handed to the open socket now, 'queued' if held until the next
   * open. Throws a SteadyWsError with code QUEUE_FULL (nothing queued is
   * lost), NOT_OPEN (queue off) or CLOSED.
   */
  send(data: Out | string | BinaryData): 'sent' | 'queued';
  /**
   * Sends a copy of `data` with `[rpc.id]` set to a fresh id (unless it has
   * a string or number one) and resolves with the first message whose
   * `[rpc.id]` equals it (not delivered as 'message'). Needs `json: true`
   * (else a TypeError, as for a duplicate pending id). Rejects with a
   * SteadyWsError: REQUEST_TIMEOUT, ABORTED, CONNECTION_LOST (sent, and
   * that connection ended first), CLOSED, QUEUE_FULL or NOT_OPEN. A request
   * made while not open waits in the queue for the next open.
   */
  request<Res = In>(data: Out, options?: RequestOptions): Promise<Res>;
  /**
   * Closes for good; resolves once closed. Codes: 1000 or 3000-4999 (else a
   * RangeError); reason up to 123 UTF-8 bytes.
   */
  /**
   * Removes and returns the messages still waiting for an open, oldest
   * first (also after the socket closed), e.g. to hand them to another socket.
   */
  takeQueued(): Out[];
  close(code?: number, reason?: string): Promise<void>;
  /** Drops the current socket (if any) and connects again now. */
  reconnect(): void;
  /** Same as close() plus releasing the wasm object. */
  free(): void;
  [Symbol.dispose](): void;
}

// Lets `[Symbol.dispose]` type-check under libs older than esnext (merges
// with lib.esnext.disposable where present).
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}

/**
 * Creates a socket and starts connecting; resolves at once (it does not wait
 * for the open). Loads the wasm module on first use. An invalid URL or option
 * rejects with a TypeError naming the field.
 */
export declare function connect<In = unknown, Out = unknown>(
  url: UrlSource,
  options?: ConnectOptions<In, Out>,
): Promise<Socket<In, Out>>;

/** The version of the loaded wasm module. */
export declare function version(): Promise<string>;
