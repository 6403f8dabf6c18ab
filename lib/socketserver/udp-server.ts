/**
 * UDPServer: a datagram server that hands each packet to a handler.
 */
import * as dgram from 'node:dgram';
import { unsupported } from '../errors';
import { inetAddress, resolveBindHost, type ServerAddress } from './address';
import { BaseServer, type RequestHandlerClass } from './base-server';
import type { DatagramRequest } from './datagram-request-handler';
import { DatagramSocket } from './datagram-socket';
import { reusePortSupported } from './runtime';

/**
 * A UDP server: each datagram is one request, `[packet, socket]`, handled one at a time.
 *
 * Fields a subclass may set (read when binding):
 * - `addressFamily`: 'AF_INET' (default) or 'AF_INET6'.
 * - `maxPacketSize`: longer datagrams are cut to this many bytes, as recvfrom() does (8192).
 * - `maxQueuedPackets`: datagrams waiting for the handler beyond this many are dropped, as a
 *   full kernel buffer drops them (1024). Node reads every datagram at once, so this bound keeps
 *   a flood from filling memory while a slow handler works.
 * - `allowReuseAddress`: SO_REUSEADDR. `allowReusePort`: SO_REUSEPORT (Node 22.12 or later).
 *
 * `socket` is the dgram.Socket once bound (null before). Methods: as BaseServer.
 */
export class UDPServer extends BaseServer<DatagramRequest> {
  /** 'AF_INET' or 'AF_INET6'. */
  addressFamily: 'AF_INET' | 'AF_INET6' = 'AF_INET';
  /** Set SO_REUSEADDR. */
  allowReuseAddress = false;
  /** Set SO_REUSEPORT (Node 22.12 or later). */
  allowReusePort = false;
  /** Bytes kept of each datagram. */
  maxPacketSize = 8192;
  /** Datagrams that may wait for the handler; more are dropped. */
  maxQueuedPackets = 1024;
  /** The bound socket; null until serverBind(). */
  socket: dgram.Socket | null = null;

  /** Make the server; unless `bindAndActivate` is false, binding starts once construction is done. */
  constructor(
    serverAddress: ServerAddress,
    RequestHandlerClass: RequestHandlerClass<DatagramRequest>,
    bindAndActivate = true,
  ) {
    super(serverAddress, RequestHandlerClass);
    if (bindAndActivate) this.scheduleBindAndActivate();
  }

  /** Create the socket, bind it and store the real address in `serverAddress`. May be extended. */
  override async serverBind(): Promise<void> {
    const [host, port] = inetAddress(this.serverAddress, this.addressFamily);
    if (this.allowReusePort && !reusePortSupported()) {
      throw unsupported(`allowReusePort needs Node.js 22.12 or later (this is ${process.version})`);
    }
    const bindHost = await resolveBindHost(host, this.addressFamily);
    const socket = dgram.createSocket({
      type: this.addressFamily === 'AF_INET' ? 'udp4' : 'udp6',
      reuseAddr: this.allowReuseAddress,
      ...(this.allowReusePort ? { reusePort: true } : {}),
    });
    this.socket = socket;
    const reply = new DatagramSocket(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, bindHost, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.on('error', (error: Error) => process.stderr.write(`recvfrom failed: ${error.message}\n`));
    socket.on('message', (message: Buffer, sender: dgram.RemoteInfo) => {
      if (this.queuedRequests >= this.maxQueuedPackets) return;
      const packet = message.length > this.maxPacketSize ? message.subarray(0, this.maxPacketSize) : message;
      this.enqueueRequest([packet, reply], [sender.address, sender.port]);
    });
    const bound = socket.address();
    this.serverAddress = [bound.address, bound.port];
  }

  /** Close the socket. May be extended. */
  override async serverClose(): Promise<void> {
    await super.serverClose();
    const socket = this.socket;
    this.socket = null;
    if (socket !== null) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}
