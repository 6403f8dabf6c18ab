/**
 * DatagramSocket: the socket half of a datagram request, with Python's `sendto`.
 */
import type * as dgram from 'node:dgram';
import { ErrorCodes, typeError } from '../errors';
import type { ClientAddress } from './address';

/**
 * The server's UDP socket as a handler sees it (`this.request[1]`, or `this.socket` in a
 * DatagramRequestHandler), so that `socket.sendto(data, self.client_address)` ports line for line.
 * `socket` is the Node dgram.Socket underneath.
 */
export class DatagramSocket {
  /** The Node socket underneath. */
  readonly socket: dgram.Socket;

  constructor(socket: dgram.Socket) {
    this.socket = socket;
  }

  /** Send one datagram to `address` (`[host, port]`); resolves with the bytes sent. */
  sendto(data: string | Uint8Array, address: ClientAddress): Promise<number> {
    if (typeof address === 'string') {
      return Promise.reject(
        typeError(ErrorCodes.INVALID_ADDRESS, 'sendto() needs a [host, port] address on a UDP socket'),
      );
    }
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    return new Promise<number>((resolve, reject) => {
      this.socket.send(bytes, address[1], address[0], (error, sent) => (error ? reject(error) : resolve(sent)));
    });
  }

  /** This socket's `[host, port]`. */
  getsockname(): ClientAddress {
    const { address, port } = this.socket.address();
    return [address, port];
  }
}
