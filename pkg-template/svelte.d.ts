// steadyws/svelte
import type { RequestOptions, Socket, SocketState, UrlSource } from './index.js';
import type { SendData, SendResult, UseSocketOptions } from './binding.js';

export type { UseSocketOptions } from './binding.js';

/** What the store holds. */
export interface SocketStoreValue<In = unknown> {
  /** 'connecting' | 'open' | 'closing' | 'closed' | 'reconnecting' ('closed' with no subscriber, or while url is null). */
  state: SocketState;
  /** The latest message received (parsed JSON when `json`); undefined before the first. */
  lastMessage: In | undefined;
}

/**
 * A Svelte readable store (`$store` in components, `get()`, `derived()`):
 * the socket is created for the first subscriber and closed when the last
 * one unsubscribes.
 */
export interface SocketStore<In = unknown, Out = unknown> {
  /** The Svelte store contract: calls `run` at once and on every change; returns the unsubscriber. */
  subscribe(run: (value: SocketStoreValue<In>) => void, invalidate?: () => void): () => void;
  /**
   * Sends now ('sent') or keeps the message for the next open ('queued'),
   * also before the socket exists. Throws a SteadyWsError with code
   * 'QUEUE_FULL' when the queue is full.
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
  /** The underlying Socket while one exists (null with no subscriber). */
  readonly socket: Socket<In, Out> | null;
}

/**
 * `url = null` means "do not connect". Svelte 4 and 5; Svelte itself is not
 * imported. Server-side rendering (which subscribes and unsubscribes within
 * one render) creates no socket.
 */
export declare function socketStore<In = unknown, Out = unknown>(
  url: UrlSource | null | undefined,
  options?: UseSocketOptions<In>,
): SocketStore<In, Out>;
