// Types shared by steadyws/react and steadyws/vue, derived from connect() so
// they always match the facade's own declarations.
import type { connect } from './index.js';

/** The Socket that `connect<In, Out>()` resolves with. */
export type BoundSocket<In, Out> = Awaited<ReturnType<typeof connect<In, Out>>>;
/** The options `connect()` accepts. */
export type BoundConnectOptions = NonNullable<Parameters<typeof connect>[1]>;
/** 'connecting' | 'open' | 'closing' | 'closed' | 'reconnecting' */
export type BoundSocketState = BoundSocket<unknown, unknown>['state'];
/** What `send()` returns: 'sent' or 'queued'. */
export type BoundSendResult = ReturnType<BoundSocket<unknown, unknown>['send']>;

/** The 'open' event's detail. */
export interface BoundOpenEvent {
  url: string;
  protocol: string;
  attempt: number;
}
/** The 'close' event's detail. */
export interface BoundCloseEvent {
  code: number;
  reason: string;
  wasClean: boolean;
  willReconnect: boolean;
}

/** connect() options plus callbacks the bindings call for every event. */
export interface BindingOptions<In> extends BoundConnectOptions {
  /** Every message (also repeated equal ones, which a state value hides). */
  onMessage?: (data: In) => void;
  onOpen?: (event: BoundOpenEvent) => void;
  onClose?: (event: BoundCloseEvent) => void;
  onError?: (error: Error) => void;
  onState?: (state: BoundSocketState) => void;
}
