/**
 * The messages a ForkingMixIn primary and its workers exchange over the IPC channel. Each carries
 * `sockserve` (its kind), so that messages a script sends on the same channel pass by untouched.
 * The channel uses Node's 'advanced' serialization: packets travel as bytes, not as JSON arrays.
 */
import type { ClientAddress } from './address';

/** A connection handed to a worker; the accepted socket travels with it as the message's handle. */
export interface StreamPayload {
  readonly sockserve: 'stream';
  readonly clientAddress: ClientAddress;
}

/** A datagram handed to a worker; its reply comes back as a `sendto` message. */
export interface DatagramPayload {
  readonly sockserve: 'datagram';
  readonly clientAddress: ClientAddress;
  readonly packet: Uint8Array;
}

/** What the primary hands over for one request. */
export type RequestPayload = StreamPayload | DatagramPayload;

/** A request with the number the worker reports back in `done`. */
export type RequestMessage = RequestPayload & { readonly id: number };

/** Primary to worker. */
export type PrimaryMessage =
  | RequestMessage
  /** A `sendto` went out from the server's socket. */
  | { readonly sockserve: 'sent'; readonly replyId: number; readonly bytes: number }
  /** A `sendto` failed in the primary; the worker's sendto() rejects with this. */
  | {
      readonly sockserve: 'sendFailed';
      readonly replyId: number;
      readonly message: string;
      readonly code: string | null;
    }
  /** Take no more requests: finish the ones in hand, then exit. */
  | { readonly sockserve: 'stop' };

/** Worker to primary. */
export type WorkerMessage =
  /** The worker has constructed the server and takes requests. */
  | { readonly sockserve: 'ready' }
  /** Request `id` is finished (its connection closed). */
  | { readonly sockserve: 'done'; readonly id: number }
  /** Send a datagram from the server's socket (a DatagramRequestHandler's reply). */
  | {
      readonly sockserve: 'sendto';
      readonly replyId: number;
      readonly data: Uint8Array;
      readonly address: ClientAddress;
    };

/** Whether an IPC message is one of sockserve's (of either direction). */
function isSockserveMessage(message: unknown): message is { sockserve: string } {
  return (
    typeof message === 'object' &&
    message !== null &&
    typeof (message as { sockserve?: unknown }).sockserve === 'string'
  );
}

/** Narrow a message a worker received. */
export function isPrimaryMessage(message: unknown): message is PrimaryMessage {
  return isSockserveMessage(message);
}

/** Narrow a message the primary received. */
export function isWorkerMessage(message: unknown): message is WorkerMessage {
  return isSockserveMessage(message);
}
