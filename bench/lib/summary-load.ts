/**
 * A LoadGenerator for programs that speak the bench's summary protocol on stdout: a line
 * `measure-start` when the warm-up ends, then one JSON line with the measurement
 * (`count`, `seconds`, `rate`, `errors`, `activeConnections`, `latencyMs`, `cpu`). Both echo load
 * generators (bench/load/echo_load.c and its Node fallback) do.
 */
import { ChildRun, type Command } from './processes';
import type { LoadGenerator, LoadResult } from './scenario';

interface Summary {
  count: number;
  seconds: number;
  rate: number;
  errors: number;
  activeConnections: number;
  latencyMs: { p50: number; p99: number; max: number };
  cpu: number;
}

export class SummaryLoadGenerator implements LoadGenerator {
  readonly description: string;
  readonly #command: (port: number) => Command;
  readonly #timeoutSeconds: number;

  /**
   * `command(port)` starts one warm-up plus measurement against that port; `timeoutSeconds` is how
   * long the whole of it may take before the bench gives up.
   */
  constructor(description: string, command: (port: number) => Command, timeoutSeconds: number) {
    this.description = description;
    this.#command = command;
    this.#timeoutSeconds = timeoutSeconds;
  }

  async run(port: number, cpu: number | null, measureStarted: () => void): Promise<LoadResult> {
    const load = new ChildRun('load generator', this.#command(port), cpu);
    try {
      const deadline = Date.now() + this.#timeoutSeconds * 1000;
      const remaining = (): number => Math.max(0, (deadline - Date.now()) / 1000);
      const start = await load.nextLine(remaining());
      if (start !== 'measure-start') throw load.failure(`expected "measure-start", got ${JSON.stringify(start)}`);
      measureStarted();
      const line = await load.nextLine(remaining());
      if (line === null) throw load.failure('no summary line');
      const summary = JSON.parse(line) as Summary;
      await load.exited();
      return {
        rate: summary.rate,
        count: summary.count,
        seconds: summary.seconds,
        errors: summary.errors,
        activeConnections: summary.activeConnections,
        latencyMs: summary.latencyMs,
        loadCpu: summary.cpu,
      };
    } finally {
      await load.stop();
    }
  }
}
