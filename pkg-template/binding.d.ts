// Types shared by steadyws/react and steadyws/vue (internal module; import
// these through 'steadyws/react' or 'steadyws/vue').
import type {
  CloseEventInfo,
  ConnectOptions,
  OpenEvent,
  UrlContext,
  Socket,
  SocketState,
  SteadyWsError,
} from './index.js';

/** What `send()` accepts: Out (JSON-encoded when `json`), a string, or binary data. */
export type SendData<In, Out> = Parameters<Socket<In, Out>['send']>[0];
/** What `send()` returns: 'sent' now, or 'queued' until the next open. */
export type SendResult = ReturnType<Socket['send']>;

/** connect() options, plus callbacks called for every event (the latest ones are used). */
/** A URL function: called before every attempt (a new arrow function each render does not reconnect). */
export type UrlFunction = (ctx: UrlContext) => string | URL | Promise<string | URL>;

export interface UseSocketOptions<In = unknown, Out = unknown> extends ConnectOptions<In, Out> {
  /** Every message, also repeated equal ones (which a state value would not show as a change). */
  onMessage?: (data: In) => void;
  onOpen?: (event: OpenEvent<In>) => void;
  onClose?: (event: CloseEventInfo) => void;
  /** Socket errors, and connect() rejecting (a TypeError naming a bad option). */
  onError?: (error: SteadyWsError | TypeError) => void;
  onState?: (state: SocketState) => void;
}
