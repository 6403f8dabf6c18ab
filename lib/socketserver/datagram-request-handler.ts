/**
 * DatagramRequestHandler: a handler for datagram servers with `rfile` and `wfile` over one packet.
 */
import { BaseRequestHandler } from './base-request-handler';
import type { BaseServer } from './base-server';
import { BufferedReader } from './buffered-reader';
import type { DatagramSocket } from './datagram-socket';
import { BytesWriter } from './bytes-writer';

/** What a datagram server hands its handlers: the packet and the socket to answer on. */
export type DatagramRequest = [packet: Buffer, socket: DatagramSocket];

/**
 * Define `handle()`, read the packet from `this.rfile` (or `this.packet`) and write the reply to
 * `this.wfile`; finish() sends what was written back to the client as one datagram, empty if
 * nothing was written (as Python does). Extend finish() with `super.finish()`.
 *
 * Fields set by setup(): `packet` (the datagram's bytes), `socket` (a DatagramSocket with
 * `sendto()`), `rfile` (a BufferedReader over the packet) and `wfile` (a BytesWriter).
 */
export class DatagramRequestHandler<
  TServer extends BaseServer<DatagramRequest> = BaseServer<DatagramRequest>,
> extends BaseRequestHandler<DatagramRequest, TServer> {
  /** The datagram's bytes. Set by setup(). */
  packet!: Buffer;
  /** The server's socket, to answer on. Set by setup(). */
  socket!: DatagramSocket;
  /** Reads the packet. Set by setup(). */
  rfile!: BufferedReader;
  /** Collects the reply. Set by setup(). */
  wfile!: BytesWriter;

  protected override setup(): void {
    [this.packet, this.socket] = this.request;
    this.rfile = BufferedReader.from(this.packet);
    this.wfile = new BytesWriter();
  }

  protected override async finish(): Promise<void> {
    await this.socket.sendto(this.wfile.getvalue(), this.clientAddress);
  }
}
