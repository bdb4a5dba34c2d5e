// Types shared by steadyws/react and steadyws/vue (internal module; import
// these through 'steadyws/react' or 'steadyws/vue').
import type {
  CloseEventInfo,
  ConnectOptions,
  OpenEvent,
  Socket,
  SocketState,
  SteadyWsError,
} from './index.js';

/** What `send()` accepts: Out (JSON-encoded when `json`), a string, or binary data. */
export type SendData<In, Out> = Parameters<Socket<In, Out>['send']>[0];
/** What `send()` returns: 'sent' now, or 'queued' until the next open. */
export type SendResult = ReturnType<Socket['send']>;

/** connect() options, plus callbacks called for every event (the latest ones are used). */
export interface UseSocketOptions<In = unknown> extends ConnectOptions<In> {
  /** Every message, also repeated equal ones (which a state value would not show as a change). */
  onMessage?: (data: In) => void;
  onOpen?: (event: OpenEvent) => void;
  onClose?: (event: CloseEventInfo) => void;
  /** Socket errors, and connect() rejecting (a TypeError naming a bad option). */
  onError?: (error: SteadyWsError | TypeError) => void;
  onState?: (state: SocketState) => void;
}
