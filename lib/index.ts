/**
 * sockserve: Python's socketserver for Node.js. `import { TCPServer, StreamRequestHandler } from 'sockserve'`.
 * The HTTP servers and handlers are in 'sockserve/http'.
 */
export { BadBodyError, ErrorCodes, SocketClosedError, ServerStateError, TimeoutError, type ErrorCode } from './errors';
export {
  formatAddress,
  type AddressFamily,
  type ClientAddress,
  type InetAddress,
  type ServerAddress,
} from './socketserver/address';
export { BaseServer, type Awaitable, type RequestHandler, type RequestHandlerClass } from './socketserver/base-server';
export { TCPServer, UnixStreamServer } from './socketserver/tcp-server';
export { UDPServer } from './socketserver/udp-server';
export {
  ThreadingMixIn,
  ThreadingTCPServer,
  ThreadingUDPServer,
  ThreadingUnixStreamServer,
  type MixinConstructor,
  type ServerClass,
  type ThreadingMixInFields,
} from './socketserver/threading';
export {
  ForkingMixIn,
  ForkingTCPServer,
  ForkingUDPServer,
  ForkingUnixStreamServer,
  isForkingWorker,
  type ForkingMixInFields,
} from './socketserver/forking';
export { BaseRequestHandler } from './socketserver/base-request-handler';
export { StreamRequestHandler } from './socketserver/stream-request-handler';
export { DatagramRequestHandler, type DatagramRequest } from './socketserver/datagram-request-handler';
export { Connection, SHUT_RD, SHUT_WR, SHUT_RDWR } from './socketserver/connection';
export { DatagramSocket } from './socketserver/datagram-socket';
export { BufferedReader, type ByteReader } from './socketserver/buffered-reader';
export { SocketWriter } from './socketserver/socket-writer';
export { BytesWriter } from './socketserver/bytes-writer';
