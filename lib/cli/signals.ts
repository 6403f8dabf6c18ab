/**
 * Ctrl-C and SIGTERM for the sockserve command: the first one asks the server to stop gracefully,
 * a second one asks it to stop now.
 */

/** The signals that stop the command. */
export type StopSignal = 'SIGINT' | 'SIGTERM';

/** A wait for the first stop signal, with the listeners to remove when done. */
export interface StopSignals {
  /** Resolves with the first SIGINT or SIGTERM received. */
  readonly received: Promise<StopSignal>;
  /** Remove the listeners (signals then have Node's default effect again). */
  dispose(): void;
}

/**
 * Listen for SIGINT and SIGTERM: the first resolves `received`; each later one calls `onRepeat`
 * (the user insists: stop without waiting).
 */
export function listenForStopSignals(onRepeat: () => void): StopSignals {
  let resolveReceived!: (signal: StopSignal) => void;
  const received = new Promise<StopSignal>((resolve) => (resolveReceived = resolve));
  let count = 0;
  const onSignal = (signal: StopSignal): void => {
    count += 1;
    if (count === 1) resolveReceived(signal);
    else onRepeat();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    received,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
