// steadyws/vue
import type { MaybeRefOrGetter, ShallowRef } from 'vue';
import type {
  BindingOptions,
  BoundSendResult,
  BoundSocket,
  BoundSocketState,
} from './binding.js';

export type { BindingOptions as UseSocketOptions } from './binding.js';

export interface UseSocketReturn<In = unknown, Out = unknown> {
  /** 'connecting' | 'open' | 'closing' | 'closed' | 'reconnecting' */
  state: Readonly<ShallowRef<BoundSocketState>>;
  /** The latest message received (parsed JSON when `json`). */
  data: Readonly<ShallowRef<In | undefined>>;
  /** The underlying Socket once it exists (null during SSR and while url is null). */
  socket: Readonly<ShallowRef<BoundSocket<In, Out> | null>>;
  /**
   * Sends now ('sent') or keeps the message for the next open ('queued'),
   * also before the socket exists and across a change of url. Throws an
   * Error with code 'QUEUE_FULL' when the queue is full.
   */
  send(data: Out): BoundSendResult;
  /** Closes the socket for good (until reconnect()). */
  close(code?: number, reason?: string): Promise<void>;
  /** Drops the current connection and connects again now; after close(), starts a new socket. */
  reconnect(): void;
}

/**
 * `url` may be a value, a ref or a getter; a new value replaces the socket.
 * null/undefined means "do not connect". Closes when the owning effect scope
 * is disposed; creates nothing during server-side rendering.
 */
export declare function useSocket<In = unknown, Out = unknown>(
  url: MaybeRefOrGetter<string | URL | null | undefined>,
  options?: BindingOptions<In>,
): UseSocketReturn<In, Out>;
