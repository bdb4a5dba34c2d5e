// Generated from src/abi.rs: do not edit. tests/abi.rs checks it;
// `STEADYWS_BLESS=1 cargo test --test abi` writes it anew.

export const REASON_NO_WEB_SOCKET = 7;
export const EV_OPEN = 0; // a: attempt, b: -, v: protocol, w: ack (the raw frame)
export const EV_MESSAGE = 1; // a: -, b: -, v: data, w: -
export const EV_CLOSE = 2; // a: code, b: wasClean | willReconnect << 1, v: reason, w: -
export const EV_RECONNECTING = 3; // a: attempt, b: delay, v: -, w: -
export const EV_HEARTBEAT_TIMEOUT = 4; // a: silentFor, b: -, v: -, w: -
export const EV_PING = 5; // a: -, b: -, v: -, w: -
export const EV_PONG = 6; // a: rtt, b: -, v: -, w: -
export const EV_ERROR = 7; // a: code (ErrorCode index), b: detail, v: -, w: -
export const EV_STATE = 8; // a: state (STATES index), b: previous, v: -, w: -
export const EV_RPC = 9; // a: request, b: code (ErrorCode index), v: -, w: -
export const STATE_CLOSED = 3;
export const STATE_OPEN = 1;
export const SEND_CLOSED = 4;
export const SI_SEND = 0;
export const SI_REQUEST = 1;
export const SI_STAT = 2;
export const SI_UNQUEUE = 3;
export const SI_STATE = 4;
export const SI_CLOSE = 5;
export const SI_PAGE = 6;
export const SI_RECONNECT = 7;
export const SI_ANSWER = 8;
export const SI_SETTLE = 9;
export const PAGE_ONLINE = 0;
export const PAGE_OFFLINE = 1;
export const PAGE_RESUMED = 2;
export const PAGE_HIDDEN = 3;
export const RI_SEND = 0;
export const RI_REQUEST = 1;
export const RI_CANCEL = 2;
export const RI_CLOSE = 3;
export const RI_PRESENT = 4;
export const RI_GRANTED = 5;
export const RI_FOREIGN = 6;
export const RI_GONE = 7;
export const RI_OPEN = 8;
export const RI_GIVEN = 9;
export const RI_SETTLED = 10;
export const RI_TIMEOUT = 11;
export const RI_KEPT = 12;
export const RI_HEARD = 13;
export const RA_HELLO = 0;
export const RA_OWNER = 1;
export const RA_SEND = 2;
export const RA_REQUEST = 3;
export const RA_CANCEL = 4;
export const RA_DONE = 5;
export const RA_REPLY = 6;
export const RA_FAILED = 7;
export const RA_TABS = 8;
export const RA_BYE = 9;
export const RA_EVENT = 10;
export const RA_CONNECT = 11;
export const RA_WATCH = 12;
export const RA_GIVE = 13;
export const RA_FORGET = 14;
export const RA_DROP = 15;
export const RA_RELEASE = 16;
export const RA_DISCONNECT = 17;
export const RA_UNSHARE = 18;
export const RA_REPLIED = 19;
export const RA_REQUEST_FAILED = 20;
export const RA_TAB_COUNT = 21;
export const RA_MISMATCH = 22;
export const RA_NEW_OWNER = 23;
export const RA_ARM = 24;
/** `json` when the option is not given. */
export const DEFAULT_JSON = false;
/** The version of the messages between tabs. */
export const RELAY_VERSION = 1;
/** Option slots: `options[OPTIONS.indexOf(path)]`. */
export const OPTIONS = ['json', 'binaryType', 'connectTimeout', 'closeTimeout', 'heartbeat', 'heartbeat.interval', 'heartbeat.timeout', 'reconnect', 'reconnect.minDelay', 'reconnect.maxDelay', 'reconnect.factor', 'reconnect.jitter', 'reconnect.maxRetries', 'reconnect.stableAfter', 'reconnect.fatalCodes', 'queue', 'queue.maxMessages', 'queue.maxBytes', 'init', 'init.timeout', 'rpc.timeout', 'WebSocket'];
/** What an invalid option must be (the core's words), by index. */
export const REASONS = ['must be greater than 0', 'must be at least 1 ms', 'must be at least reconnect.minDelay', 'must be a finite number >= 1', 'must be between 0 and 1', 'close codes must be within 1000..=4999', 'must be at least 1 (or disable the queue)', 'must be passed as an option: there is no global WebSocket here'];
/** The JS type of each slot (see src/abi.rs `Opt::kind`). */
export const KINDS = 'btnnsnnsnnnnnnasnnsnnf';
/** Event types, indexed by the `kind` of `sink.ev(kind, a, b, v, w)`. */
export const EVENTS = ['open', 'message', 'close', 'reconnecting', 'heartbeat-timeout', 'ping', 'pong', 'error', 'state', null];
export const STATES = ['connecting', 'open', 'closing', 'closed', 'reconnecting'];
/** `input(SI_SEND)`: results, then the codes of the errors `send()` throws. */
export const SEND = ['sent', 'queued', 'QUEUE_FULL', 'NOT_OPEN', 'CLOSED'];
/** Error codes, indexed as the driver reports them. */
export const ERRORS = ['SOCKET_ERROR', 'CONNECT_TIMEOUT', 'RETRIES_EXHAUSTED', 'FATAL_CLOSE', 'URL_FAILED', 'INIT_TIMEOUT', 'INVALID_JSON', 'SEND_FAILED', 'HANDLER_THREW', 'QUEUE_FULL', 'NOT_OPEN', 'CLOSED', 'PANIC', 'REQUEST_TIMEOUT', 'ABORTED', 'CONNECTION_LOST'];
/** The message of each error code. */
export const MESSAGES = {
  SOCKET_ERROR: 'WebSocket error',
  CONNECT_TIMEOUT: 'no open within %d ms',
  RETRIES_EXHAUSTED: 'gave up after %d attempts',
  FATAL_CLOSE: 'server closed with fatal code %d',
  URL_FAILED: 'the url function failed',
  INIT_TIMEOUT: 'no init ack within %d ms',
  INVALID_JSON: 'text frame is not valid JSON',
  SEND_FAILED: 'the browser socket refused the message',
  HANDLER_THREW: 'an event handler threw',
  QUEUE_FULL: 'send queue is full',
  NOT_OPEN: 'not open and the queue is off',
  CLOSED: 'socket is closed',
  PANIC: 'internal error',
  REQUEST_TIMEOUT: 'no reply in time',
  ABORTED: 'request aborted',
  CONNECTION_LOST: 'connection lost before the reply',
};
/** The defaults of every option (src/session/config.rs), for the bindings and docs. */
export const DEFAULTS = {
  json: false,
  binaryType: 'arraybuffer',
  connectTimeout: 10000,
  closeTimeout: 5000,
  heartbeat: { interval: 10000, timeout: 10000, ping: 'ping', pong: 'pong' },
  reconnect: { minDelay: 1000, maxDelay: 30000, factor: 2, jitter: 0.5, maxRetries: Infinity, stableAfter: 5000, fatalCodes: [1002, 1003, 1007, 1008, 1009, 1010] },
  queue: { maxMessages: 1000, maxBytes: 1048576 },
  init: { timeout: 10000 },
  rpc: { id: 'id', timeout: 10000 },
};
