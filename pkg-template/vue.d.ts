// steadyws/vue
import type { MaybeRefOrGetter, ShallowRef } from 'vue';
import type { RequestOptions, Socket, SocketState } from './index.js';
import type { SendData, SendResult, UrlFunction, UseSocketOptions } from './binding.js';

export type { UrlFunction, UseSocketOptions } from './binding.js';

export interface UseSocketReturn<In = unknown, Out = unknown> {
  /** 'connecting' | 'open' | 'closing' | 'closed' | 'reconnecting' ('closed' while url is null). */
  state: Readonly<ShallowRef<SocketState>>;
  /** The latest message received (parsed JSON when `json`); undefined before the first. */
  data: Readonly<ShallowRef<In | undefined>>;
  /** The underlying Socket once it exists (null during SSR and while url is null). */
  socket: Readonly<ShallowRef<Socket<In, Out> | null>>;
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
}

/**
 * `url` may be a value, a ref or a getter; a new value replaces the socket
 * and carries queued messages over. null/undefined means "do not connect".
 * Closes when the owning effect scope (component, effectScope()) is
 * disposed; creates nothing during server-side rendering. A URL function
 * (one taking `{ attempt }`, or the value of a ref or getter) is called
 * before every attempt; replacing it does not reconnect. A function without
 * parameters is a getter, as everywhere in Vue.
 */
export declare function useSocket<In = unknown, Out = unknown>(
  url: UrlFunction | MaybeRefOrGetter<string | URL | UrlFunction | null | undefined>,
  options?: UseSocketOptions<In, Out>,
): UseSocketReturn<In, Out>;
