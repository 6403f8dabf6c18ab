/**
 * The HTTP rows' load generator: wrk, run by load/wrk-load.ts (warm-up, then the measurement,
 * one thread, keep-alive connections), with a check of the response before each run.
 */
import type { BenchConfig } from './config';
import { probe, type ExpectedResponse } from './http-probe';
import { programVersion } from './machine';
import { benchSource, compiledScript } from './paths';
import type { LoadGenerator, LoadResult } from './scenario';
import { SummaryLoadGenerator } from './summary-load';

export interface WrkLoadOptions {
  readonly config: BenchConfig;
  readonly connections: number;
  /** The request path, e.g. '/' or '/1k.txt'. */
  readonly path: string;
  /** Requests sent back to back on each connection (bench/load/pipeline.lua); 1: no pipelining. */
  readonly pipelineDepth: number;
  /** The response one GET must get before each run, or null to skip the check. */
  readonly expect: ExpectedResponse | null;
  /**
   * What one request adds to the rate: 1 (the rate is requests/s), or e.g. a response's body
   * bytes / 1e6 (the rate is MB/s).
   */
  readonly ratePerRequest: number;
}

class WrkLoadGenerator implements LoadGenerator {
  readonly description: string;
  readonly #wrk: SummaryLoadGenerator;
  readonly #options: WrkLoadOptions;

  constructor(options: WrkLoadOptions) {
    const { config, connections, path, pipelineDepth } = options;
    this.#options = options;
    const pipelined = pipelineDepth > 1 ? `, bench/load/pipeline.lua, ${pipelineDepth} requests per batch` : '';
    this.description = `wrk 4 (one thread${pipelined}), GET ${path}`;
    const script = compiledScript('load/wrk-load.ts');
    this.#wrk = new SummaryLoadGenerator(
      this.description,
      (port) => ({
        command: process.execPath,
        args: [
          script,
          '127.0.0.1',
          String(port),
          String(connections),
          String(config.warmupSeconds),
          String(config.durationSeconds),
          String(pipelineDepth),
          benchSource('load'),
          path,
        ],
      }),
      config.warmupSeconds + config.durationSeconds + 30,
    );
  }

  async run(port: number, cpu: number | null, measureStarted: () => void): Promise<LoadResult> {
    const { expect, path, ratePerRequest } = this.#options;
    if (expect !== null) await probe(port, path, expect);
    const result = await this.#wrk.run(port, cpu, measureStarted);
    return { ...result, rate: result.rate * ratePerRequest };
  }
}

/** The wrk load generator for `options`; throws when wrk is not installed. */
export function wrkLoad(options: WrkLoadOptions): LoadGenerator {
  if (programVersion('which', ['wrk']) === null) {
    throw new Error('wrk is not installed (apt-get install wrk): the HTTP scenarios need it');
  }
  return new WrkLoadGenerator(options);
}
