/**
 * One run of a CGI script from start to end: the process, its stdin fed from the request body,
 * its stdout relayed to the client, and what ends it early — the idle timeout, the client leaving,
 * a request body that fails. Says what the handler still has to do (send an error, redirect).
 */
import { BadBodyError, TimeoutError } from '../../errors';
import type { BodyReader } from '../body-reader';
import { BodyPump, type PumpEnd } from './body-pump';
import type { ClientWatch } from './client-watch';
import { OutputRelay, type RelayEnd, type ResponseTarget } from './output-relay';
import { ScriptProcess, type ScriptCommand, type ScriptExit } from './script-process';

/** What a run needs. */
export interface ScriptRun {
  readonly command: ScriptCommand;
  /** The request body to feed to stdin (with bytes already read from it), or null. */
  readonly body: { readonly rfile: BodyReader; readonly initial: Buffer | null } | null;
  /** An `nph-` script: its output is the whole response, copied as is. */
  readonly nph: boolean;
  /** Seconds the script may go without reading or writing anything (Infinity: no limit). */
  readonly timeout: number;
  readonly target: ResponseTarget;
  readonly client: ClientWatch;
  logError(format: string, ...args: unknown[]): void;
}

/** What is left for the handler once a run ends. */
export type RunOutcome =
  /** The response went out whole. */
  | { readonly kind: 'sent' }
  /** Serve `location` instead (RFC 3875 local redirect); nothing was sent. */
  | { readonly kind: 'redirect'; readonly location: string }
  /** Nothing was sent: answer with this error. */
  | { readonly kind: 'error'; readonly status: number; readonly message?: string; readonly explain?: string }
  /** The response could not be completed or the client has gone: the connection closes. */
  | { readonly kind: 'closed' };

/** Why a run was ended early. */
type Interruption = 'timeout' | 'client' | { readonly pump: unknown };

/**
 * The outcome of a run, and the script's end (it may still be running when the outcome is known;
 * null when it never started).
 */
export interface StartedRun {
  readonly outcome: Promise<RunOutcome>;
  readonly exited: Promise<ScriptExit | null>;
}

/** Start the script and relay it. */
export async function startScript(run: ScriptRun): Promise<StartedRun> {
  let idle: NodeJS.Timeout | null = null;
  const activity = (): void => {
    idle?.refresh();
  };
  const script = await ScriptProcess.start(run.command, (line) => run.logError('%s', line), activity);
  if (script instanceof Error) {
    run.logError('CGI script could not be started: %s', script.message);
    const outcome: RunOutcome = { kind: 'error', status: 500, explain: 'The CGI script could not be started' };
    return { outcome: Promise.resolve(outcome), exited: Promise.resolve(null) };
  }
  let interrupt!: (why: Interruption) => void;
  const interrupted = new Promise<Interruption>((resolve) => {
    interrupt = resolve;
  });
  let settled = false;
  const timedOut = (): void => {
    if (!settled) {
      interrupt('timeout');
      return;
    }
    // The response is out, but the script lingers (a child of its own holds it up): end it.
    run.logError('CGI script still running %s seconds after its output ended; killed', String(run.timeout));
    script.kill();
  };
  if (Number.isFinite(run.timeout)) idle = setTimeout(timedOut, Math.max(0, run.timeout * 1000));
  const relay = new OutputRelay(script.stdout, run.target, run.nph, activity);
  const pump =
    run.body !== null && script.stdin !== null
      ? new BodyPump(run.body.rfile, script.stdin, run.body.initial, activity)
      : null;
  pump?.ended.then((end: PumpEnd) => {
    if ('failed' in end) interrupt({ pump: end.failed });
  });
  run.client.onGone(() => interrupt('client'));

  const exited = script.exited.then((exit) => {
    if (idle !== null) clearTimeout(idle);
    return exit;
  });
  const outcome = Promise.race([relay.ended, interrupted]).then((first): RunOutcome => {
    settled = true;
    if (typeof first === 'object' && 'kind' in first) return settleRelay(first, run, script, pump);
    script.kill();
    relay.stop();
    pump?.stop();
    return settleInterruption(first, run, relay.headSent, pump?.waitingFor === 'client');
  });
  return { outcome, exited };
}

/** The relay finished first. */
function settleRelay(end: RelayEnd, run: ScriptRun, script: ScriptProcess, pump: BodyPump | null): RunOutcome {
  switch (end.kind) {
    case 'sent':
    case 'redirect':
      // A body the script did not read to its end is still on the connection: it cannot be reused.
      if (pump !== null && pump.waitingFor !== 'nothing') run.target.closeConnection = true;
      return end.kind === 'sent' ? end : { kind: 'redirect', location: end.location };
    case 'invalid':
      script.kill();
      run.logError('malformed header from CGI script: %s', end.reason);
      return { kind: 'error', status: 502, explain: `The CGI script's response was not valid: ${end.reason}` };
    case 'cut':
      script.kill();
      run.logError('CGI response cut short: %s', end.reason);
      return { kind: 'closed' };
    case 'client-gone':
    case 'stopped':
      script.kill();
      run.target.closeConnection = true;
      return { kind: 'closed' };
  }
}

/** Something ended the run before the relay did. */
function settleInterruption(
  why: Interruption,
  run: ScriptRun,
  headSent: boolean,
  waitingForClient: boolean,
): RunOutcome {
  run.target.closeConnection = true;
  if (why === 'client') {
    run.logError('client went away; CGI script killed');
    return { kind: 'closed' };
  }
  if (why === 'timeout') {
    run.logError('CGI script timed out after %s seconds without input or output; killed', String(run.timeout));
    if (headSent) return { kind: 'closed' };
    return waitingForClient
      ? { kind: 'error', status: 408 }
      : { kind: 'error', status: 504, explain: 'The CGI script did not answer in time' };
  }
  const failure = why.pump;
  if (failure instanceof TimeoutError) {
    run.logError('Request timed out: %r', failure);
    return headSent ? { kind: 'closed' } : { kind: 'error', status: 408 };
  }
  if (failure instanceof BadBodyError) {
    return headSent
      ? { kind: 'closed' }
      : { kind: 'error', status: 400, message: 'Bad chunked body', explain: failure.message };
  }
  return { kind: 'closed' };
}
