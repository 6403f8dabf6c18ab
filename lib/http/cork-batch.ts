/**
 * Holding a socket's writes until the current turn of the event loop ends, so that a response's
 * status line, headers and body (and the responses to pipelined requests) leave in one system
 * call. One setImmediate serves every socket corked in the same turn, and it is cancelled when
 * they have all been released early, so a turn in which every response finished costs no extra
 * trip round the event loop (each trip is a system call, which is dear on some platforms).
 */
import type { Socket } from 'node:net';

const corked = new Set<Socket>();
let releaseAll: NodeJS.Immediate | null = null;

function uncorkEverything(): void {
  releaseAll = null;
  for (const socket of corked) socket.uncork();
  corked.clear();
}

/** Cork `socket` until uncorkNow() or the end of this turn of the event loop, whichever is first. */
export function corkForThisTurn(socket: Socket): void {
  if (corked.has(socket)) return;
  socket.cork();
  corked.add(socket);
  releaseAll ??= setImmediate(uncorkEverything);
}

/** Send what `socket` holds now, if corkForThisTurn() corked it. */
export function uncorkNow(socket: Socket): void {
  if (!corked.delete(socket)) return;
  socket.uncork();
  if (corked.size === 0 && releaseAll !== null) {
    clearImmediate(releaseAll);
    releaseAll = null;
  }
}
