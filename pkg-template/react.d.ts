// steadyws/react
import type {
  BindingOptions,
  BoundSendResult,
  BoundSocket,
  BoundSocketState,
} from './binding.js';

export type { BindingOptions as UseSocketOptions } from './binding.js';

export interface UseSocketResult<In = unknown, Out = unknown> {
  /** 'connecting' | 'open' | 'closing' | 'closed' | 'reconnecting' ('closed' while url is null). */
  state: BoundSocketState;
  /** The latest message received (parsed JSON when `json`), undefined before the first. */
  lastMessage: In | undefined;
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
  /** The underlying Socket once it exists (null on the server, before the first effect, and while url is null). */
  socket: BoundSocket<In, Out> | null;
}

/**
 * One socket per mounted component: created in an effect, closed on
 * unmount. Changing `url` replaces the socket and carries queued messages
 * over; `url = null` means "do not connect". Nothing happens on the server.
 */
export declare function useSocket<In = unknown, Out = unknown>(
  url: string | URL | null | undefined,
  options?: BindingOptions<In>,
): UseSocketResult<In, Out>;
