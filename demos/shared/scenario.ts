import type { MetricsServer } from '../../lib';

/** How a scenario demo ends. */
export interface ScenarioEnd {
  /** Keep the metrics served after the run until Ctrl-C (a terminal); otherwise close them and say so. */
  readonly keepServing?: boolean;
}

/** Whether the demo runs in a terminal, where someone can look at its metrics and press Ctrl-C. */
export function inTerminal(): boolean {
  return process.stdout.isTTY && process.stdin.isTTY;
}

/**
 * The end of a scenario demo, said the same way by all: the run is over,
 * and either its metrics stay served until Ctrl-C, or they are closed now.
 */
export async function endScenario(server: MetricsServer, print: (line: string) => void, end: ScenarioEnd = {}): Promise<void> {
  print('');
  if (end.keepServing === true) {
    print(`The run is over. Its metrics stay at ${server.url} until Ctrl-C.`);
    await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  }
  await server.close();
  if (end.keepServing !== true) print('The run is over; its metrics server is closed.');
}

/** A scenario's main: run it; an unexpected error is one line on stderr and exit code 1. */
export function runScenario(command: string, run: () => Promise<boolean>): void {
  run().then(
    (ok) => {
      process.exitCode = ok ? 0 : 1;
    },
    (error: unknown) => {
      console.error(`${command}: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
