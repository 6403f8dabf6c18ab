/**
 * The Node fallback for bench/load/echo_load.c, used only where there is no C compiler. Same
 * arguments, same behaviour (connections opened one after another, warm-up, measurement, clean
 * close) and same output (see echo_load.c):
 *
 *   node echo-load-node.js HOST PORT CONNECTIONS WARMUP_SECONDS DURATION_SECONDS MESSAGE_BYTES
 *
 * On a small machine it competes with the server for CPU, so its numbers are lower bounds.
 */
import * as net from 'node:net';
import { performance } from 'node:perf_hooks';

/** How long the connections may take to finish their last line after the measurement. */
const DRAIN_MS = 2000;

const [host = '', portText = '', connectionsText = '', warmupText = '', durationText = '', bytesText = ''] =
  process.argv.slice(2);
const port = Number(portText);
const connectionCount = Number(connectionsText);
const warmupMs = Number(warmupText) * 1000;
const durationMs = Number(durationText) * 1000;
const messageBytes = Number(bytesText);
const message = Buffer.alloc(messageBytes, 'abcdefghijklmnopqrstuvwxyz');
message[messageBytes - 1] = 0x0a;

type Phase = 'warmup' | 'measuring' | 'draining';
let phase: Phase = 'warmup';
let errors = 0;
const startedAt = performance.now();
const latencies: number[] = [];
const roundTrips: number[] = [];
const failed: boolean[] = [];
const sockets: net.Socket[] = [];

/** Open connection number `index`; the next one opens after its first echo (or failure). */
function openConnection(index: number): void {
  const socket = net.connect({ host, port, noDelay: true });
  sockets.push(socket);
  roundTrips.push(0);
  failed.push(false);
  let received = 0;
  let sentAt = 0;
  let echoed = false;
  const rampStep = (): void => {
    if (echoed) return;
    echoed = true;
    if (index + 1 < connectionCount) openConnection(index + 1);
    else startMeasuringWhenWarm();
  };
  const sendLine = (): void => {
    received = 0;
    sentAt = performance.now();
    socket.write(message);
  };
  socket.on('connect', sendLine);
  socket.on('data', (chunk: Buffer) => {
    if (received + chunk.length > messageBytes || !chunk.equals(message.subarray(received, received + chunk.length))) {
      socket.destroy();
      return;
    }
    received += chunk.length;
    if (received < messageBytes) return;
    if (phase === 'measuring') {
      roundTrips[index] = (roundTrips[index] ?? 0) + 1;
      latencies.push(performance.now() - sentAt);
    }
    rampStep();
    if (phase === 'draining')
      socket.end(); // nothing unread: the server sees a clean EOF
    else sendLine();
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    if (phase === 'draining') return;
    errors++;
    failed[index] = true;
    rampStep();
  });
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;
}

function startMeasuringWhenWarm(): void {
  setTimeout(measure, Math.max(0, startedAt + warmupMs - performance.now()));
}

function measure(): void {
  phase = 'measuring';
  const measureStartedAt = performance.now();
  const cpuAtStart = process.cpuUsage();
  console.log('measure-start');
  setTimeout(() => {
    phase = 'draining';
    const seconds = (performance.now() - measureStartedAt) / 1000;
    const cpu = process.cpuUsage(cpuAtStart);
    const count = roundTrips.reduce((sum, n) => sum + n, 0);
    const sorted = latencies.sort((a, b) => a - b);
    const summary = {
      count,
      seconds,
      rate: count / seconds,
      errors,
      activeConnections: roundTrips.filter((n, index) => n > 0 && failed[index] !== true).length,
      latencyMs: { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted.at(-1) ?? 0 },
      cpu: (cpu.user + cpu.system) / 1e6 / seconds,
    };
    console.log(JSON.stringify(summary));
    setTimeout(() => {
      for (const socket of sockets) socket.destroy();
    }, DRAIN_MS).unref();
  }, durationMs);
}

openConnection(0);
