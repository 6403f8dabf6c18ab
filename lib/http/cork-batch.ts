/**
 * Holding a connection's writes until the current turn of the event loop ends, so that a
 * response's status line, headers and body (and the responses to pipelined requests) leave in
 * one write (Connection.hold()). One setImmediate serves every connection held in the same turn.
 * It is left to run even when every connection was released early: it runs in the same iteration
 * of the event loop (the check phase follows the poll phase that read the requests), and one
 * immediate per iteration costs less than one made and cancelled per response.
 */
import type { Connection } from '../socketserver/connection';

const held = new Set<Connection>();
let releaseAll: NodeJS.Immediate | null = null;

function releaseEverything(): void {
  releaseAll = null;
  for (const connection of held) connection.release();
  held.clear();
}

/** Hold `connection`'s writes until releaseNow() or the end of this turn of the event loop, whichever is first. */
export function holdForThisTurn(connection: Connection): void {
  if (held.has(connection)) return;
  connection.hold();
  held.add(connection);
  releaseAll ??= setImmediate(releaseEverything);
}

/** Send what `connection` holds now, if holdForThisTurn() held it. */
export function releaseNow(connection: Connection): void {
  if (held.delete(connection)) connection.release();
}
