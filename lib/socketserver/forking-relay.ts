/**
 * RelayedDatagramSocket: the socket half of a datagram request in a ForkingUDPServer worker.
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { ErrorCodes, typeError } from '../errors';
import type { ClientAddress, InetAddress } from './address';
import { DatagramSocket } from './datagram-socket';

/** Sends a datagram from the primary's server socket; resolves with the bytes sent. */
export type SendThroughPrimary = (data: Uint8Array, address: ClientAddress) => Promise<number>;

/**
 * What a handler in a worker gets as `request[1]`: `sendto()` sends through the primary, so the
 * reply leaves from the server's own address and port, as the reply of Python's forked child does
 * (a socket of the worker's own would answer from another port, which clients that check the
 * source drop). `getsockname()` is the server's address. `socket` is an unbound dgram.Socket of
 * the server's family: the server's socket lives in the primary, so nothing else works on it here.
 */
export class RelayedDatagramSocket extends DatagramSocket {
  readonly #serverAddress: InetAddress;
  readonly #send: SendThroughPrimary;

  constructor(serverAddress: InetAddress, send: SendThroughPrimary) {
    super(dgram.createSocket(net.isIPv6(serverAddress[0]) ? 'udp6' : 'udp4'));
    this.#serverAddress = serverAddress;
    this.#send = send;
  }

  /** Send one datagram to `address` (`[host, port]`) from the server's socket; resolves with the bytes sent. */
  override sendto(data: string | Uint8Array, address: ClientAddress): Promise<number> {
    if (typeof address === 'string') {
      return Promise.reject(
        typeError(ErrorCodes.INVALID_ADDRESS, 'sendto() needs a [host, port] address on a UDP socket'),
      );
    }
    return this.#send(typeof data === 'string' ? Buffer.from(data, 'utf8') : data, address);
  }

  /** The server's `[host, port]`. */
  override getsockname(): ClientAddress {
    return [this.#serverAddress[0], this.#serverAddress[1]];
  }
}
