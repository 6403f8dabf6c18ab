/**
 * Socket addresses as Python writes them: `[host, port]` for TCP and UDP, a path for Unix sockets.
 */
import * as dns from 'node:dns';
import * as net from 'node:net';
import { ErrorCodes, typeError } from '../errors';

/** `(host, port)`: an IPv4 or IPv6 address, or a host name to resolve, and a port (0 = any free one). */
export type InetAddress = [host: string, port: number];

/** What a server binds to: `[host, port]` for the inet families, a file system path for AF_UNIX. */
export type ServerAddress = InetAddress | string;

/** Who sent a request: `[host, port]`, or for Unix sockets the peer's path (usually ''). */
export type ClientAddress = InetAddress | string;

/** Python's socket.AF_* names for the address families a server can use. */
export type AddressFamily = 'AF_INET' | 'AF_INET6' | 'AF_UNIX';

/**
 * Format an address the way Python's `print()` shows it, e.g. `('127.0.0.1', 5000)`, so log lines
 * and error reports read the same as the original's.
 */
export function formatAddress(address: ClientAddress): string {
  return typeof address === 'string' ? address : `('${address[0]}', ${address[1]})`;
}

/** Check that `address` is `[host, port]` and return it; throws a TypeError naming the problem. */
export function inetAddress(address: unknown, family: AddressFamily): InetAddress {
  if (
    !Array.isArray(address) ||
    address.length !== 2 ||
    typeof address[0] !== 'string' ||
    !Number.isInteger(address[1]) ||
    address[1] < 0 ||
    address[1] > 65535
  ) {
    throw typeError(
      ErrorCodes.INVALID_ADDRESS,
      `${family} address must be [host, port] with a port from 0 to 65535, got ${JSON.stringify(address)}`,
    );
  }
  return [address[0], address[1] as number];
}

/** Check that `address` is a Unix socket path and return it. */
export function unixPath(address: unknown): string {
  if (typeof address !== 'string' || address === '') {
    throw typeError(
      ErrorCodes.INVALID_ADDRESS,
      `AF_UNIX address must be a non-empty path, got ${JSON.stringify(address)}`,
    );
  }
  return address;
}

/**
 * Resolve `host` for binding the way Python's bind() does for `family`: '' means every interface,
 * names are looked up in that family only (so 'localhost' is 127.0.0.1 for AF_INET and ::1 for
 * AF_INET6), and a literal of the other family is refused.
 */
export async function resolveBindHost(host: string, family: 'AF_INET' | 'AF_INET6'): Promise<string> {
  const version = family === 'AF_INET' ? 4 : 6;
  if (host === '') return version === 4 ? '0.0.0.0' : '::';
  const literal = net.isIP(host);
  if (literal === version) return host;
  if (literal !== 0) {
    throw typeError(
      ErrorCodes.INVALID_ADDRESS,
      `${host} is not an ${family} address; set addressFamily = '${literal === 4 ? 'AF_INET' : 'AF_INET6'}'`,
    );
  }
  const { address } = await dns.promises.lookup(host, { family: version });
  return address;
}
