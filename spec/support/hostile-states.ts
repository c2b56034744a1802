import { Observable } from 'rxjs';
import {
  type AuthorityState,
  type EpochStore,
  type ExecutionOutcome,
  ExecutionDriver,
  type PendingCertificate,
  type RunSummary,
  TransientExecutionError,
} from '../../lib';
import { pending, result } from './certificates';
import { silentLogger } from './silent-logger';

/**
 * What a hostile `AuthorityState` can hand back instead of an ObservableInput
 * (or a result), each made fresh per call.
 */
export const BAD_RETURNS: Readonly<Record<string, () => unknown>> = {
  undefined: () => undefined,
  null: () => null,
  number: () => 42,
  symbol: () => Symbol('hostile'),
  function: () => () => result('x'),
  'plain object': () => ({}),
  'thenable whose then throws': () => ({
    then() {
      throw new Error('then exploded');
    },
  }),
  'thenable that rejects with undefined': () => ({
    then(_resolve: unknown, reject: (reason: unknown) => void) {
      reject(undefined);
    },
  }),
  'thenable that calls back twice': () => ({
    then(resolve: (value: unknown) => void, reject: (reason: unknown) => void) {
      resolve(result('x'));
      reject(new Error('late'));
      resolve(result('again'));
    },
  }),
  'observable that errors on subscribe': () =>
    new Observable(() => {
      throw new Error('subscribe exploded');
    }),
  'observable with a result, whose teardown is not a function': () =>
    new Observable((subscriber) => {
      setTimeout(() => subscriber.next(result('x')), 0);
      return 42 as never;
    }),
  'iterable that throws while read': () => ({
    *[Symbol.iterator]() {
      yield* [];
      throw new Error('iterator exploded');
    },
  }),
  'empty observable': () => new Observable((subscriber) => subscriber.complete()),
  'result without effects': () => Promise.resolve({ events: [] }),
  'result whose getter throws': () =>
    Promise.resolve({
      get effects(): never {
        throw new Error('getter exploded');
      },
      events: [],
    }),
  'result without events': () => Promise.resolve({ effects: { digest: 'fx' } }),
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the hostile case itself
  'rejection with undefined': () => Promise.reject(undefined),
  'synchronous throw of a string': () => {
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- the hostile case itself
    throw 'not an error';
  },
};

/** Bad returns that still carry a first result: the driver takes it (outcome `executed`). */
export const CARRIES_A_RESULT: ReadonlySet<string> = new Set([
  'thenable that calls back twice',
  'observable with a result, whose teardown is not a function',
]);

/** When the bad value is handed back. */
export type Phase = 'first attempt' | 'retry' | 'after async isTxAlreadyExecuted' | 'during drain stop' | 'during abort stop';
export const PHASES: readonly Phase[] = ['first attempt', 'retry', 'after async isTxAlreadyExecuted', 'during drain stop', 'during abort stop'];

export interface ScenarioResult {
  readonly outcomes: readonly ExecutionOutcome[];
  readonly summary: RunSummary;
  /** Calls into the state after the certificate's outcome. */
  readonly callsAfterOutcome: number;
}

const EPOCH: EpochStore = { epoch: 0 };

/**
 * Run one certificate (and a well-behaved neighbour) through a driver whose
 * state answers `bad()` in `phase`. Resolves when `done` (or the stop) has.
 */
export async function runScenario(bad: () => unknown, phase: Phase): Promise<ScenarioResult> {
  const settledDigests = new Set<string>();
  let callsAfterOutcome = 0;
  const note = (digest: string) => {
    if (settledDigests.has(digest)) callsAfterOutcome++;
  };
  const stopper: { stop?: (mode: 'drain' | 'abort') => void } = {};
  const state: AuthorityState = {
    loadEpochStoreOneCallPerTask: () => EPOCH,
    isTxAlreadyExecuted: (digest) => {
      note(digest);
      return phase === 'after async isTxAlreadyExecuted' ? Promise.resolve(false) : false;
    },
    tryExecuteImmediately: (certificate) => {
      note(certificate.digest);
      if (certificate.digest !== 'hostile') return Promise.resolve(result(certificate.digest));
      attempts++;
      if (phase === 'retry' && attempts === 1) return Promise.reject(new TransientExecutionError('busy'));
      if (phase === 'during drain stop' || phase === 'during abort stop') {
        if (attempts === 1) return Promise.reject(new TransientExecutionError('busy'));
        stopper.stop?.(phase === 'during drain stop' ? 'drain' : 'abort');
      }
      return bad() as never;
    },
  };
  let attempts = 0;
  const ready = new Observable<PendingCertificate>((subscriber) => {
    subscriber.next(pending('hostile'));
    subscriber.next(pending('neighbour'));
    // The source stays open: the run ends only through a stop, or completes here.
    if (phase !== 'during drain stop' && phase !== 'during abort stop') subscriber.complete();
  });
  const outcomes: ExecutionOutcome[] = [];
  const handle = new ExecutionDriver({
    readyCertificates: ready,
    authorityState: state,
    logger: silentLogger,
    retry: { initialDelayMs: 1 },
  }).spawn({
    next: (outcome) => {
      outcomes.push(outcome);
      settledDigests.add(outcome.digest);
    },
  });
  let stopped: Promise<RunSummary> | undefined;
  stopper.stop = (mode) => void (stopped ??= handle.stop({ mode }));
  const summary = await (phase === 'during drain stop' || phase === 'during abort stop'
    ? waitFor(() => stopped)
    : handle.done);
  // Let any late callback of the hostile value run before counting.
  await new Promise((resolve) => setTimeout(resolve, 5));
  return { outcomes, summary, callsAfterOutcome };
}

async function waitFor<T>(get: () => Promise<T> | undefined): Promise<T> {
  for (let i = 0; i < 1000; i++) {
    const value = get();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error('the scenario never reached its stop');
}
