// steadyws/react
import type { RequestOptions, Socket, SocketState } from './index.js';
import type { SendData, SendResult, UrlFunction, UseSocketOptions } from './binding.js';

export type { UrlFunction, UseSocketOptions } from './binding.js';

export interface UseSocketResult<In = unknown, Out = unknown> {
  /** 'connecting' | 'open' | 'closing' | 'closed' | 'reconnecting' ('closed' while url is null). */
  state: SocketState;
  /** The latest message received (parsed JSON when `json`); undefined before the first. */
  lastMessage: In | undefined;
  /**
   * Sends now ('sent') or keeps the message for the next open ('queued'),
   * also before the socket exists and across a change of url. Throws a
   * SteadyWsError with code 'QUEUE_FULL' when the queue is full.
   */
  send(data: SendData<In, Out>): SendResult;
  /**
   * sock.request(): resolves with the reply. Made before the socket exists,
   * it goes out once it does; rejects CLOSED when there will be none.
   */
  request<Res = In>(data: Out, options?: RequestOptions): Promise<Res>;
  /** Closes the socket for good (until reconnect()); resolves once closed. */
  close(code?: number, reason?: string): Promise<void>;
  /** Drops the current connection and connects again now; after close(), starts a new socket. */
  reconnect(): void;
  /** The underlying Socket once it exists (null on the server, before the first effect, and while url is null). */
  socket: Socket<In, Out> | null;
}

/**
 * One socket per mounted component: created in an effect, closed on
 * unmount (StrictMode's extra mount creates none). Changing `url` replaces
 * the socket and carries queued messages over; `url = null` means "do not
 * connect". A function `url` is called before every attempt; a new function
 * on a re-render is used for the next attempt and does not reconnect. Rendering on the server creates nothing.
 */
export declare function useSocket<In = unknown, Out = unknown>(
  url: string | URL | UrlFunction | null | undefined,
  options?: UseSocketOptions<In, Out>,
): UseSocketResult<In, Out>;
