import type { Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import type { ExecutionResult } from '../authority-state';
import { TransientExecutionError } from '../errors';
import { ScriptedAuthorityState, type ScriptedAuthorityStateOptions } from './scripted-authority-state';

/** The `cold` helper of `TestScheduler.run`. */
export type ColdHelper = TestScheduler['createColdObservable'];

/**
 * How one certificate executes, as a marble of its execution:
 * - `r`: the result (effects digest `fx-<digest>`, see {@link resultOf});
 * - `f`: a different result (`forked-<digest>`), for fork tests;
 * - `#`: a permanent failure (an `Error`);
 * - `!`: a transient failure (`TransientExecutionError`), which the driver retries.
 * An array scripts attempts in turn (the last repeats): `['-!', '--r']`.
 */
export type ExecutionScript = string | readonly string[];

/** Options of {@link marbleAuthorityState}. */
export type MarbleAuthorityStateOptions = ScriptedAuthorityStateOptions;

/** The result a script's `r` emits for `digest`: effects digest `fx-<digest>`. */
export function resultOf(digest: string): ExecutionResult {
  return { effects: { digest: `fx-${digest}` }, events: [] };
}

/**
 * An `AuthorityState` scripted with marbles, per certificate digest, for
 * `TestScheduler` tests of the real driver. It records every attempt and
 * measures concurrency where executions run.
 *
 * @example
 * scheduler.run(({ cold, hot, expectObservable }) => {
 *   const state = marbleAuthorityState(cold, { a: '---r', b: '-#', c: ['-!', '-r'] });
 *   ...
 * });
 */
export function marbleAuthorityState(cold: ColdHelper, scripts: Readonly<Record<string, ExecutionScript>>, options: MarbleAuthorityStateOptions = {}): MarbleAuthorityState {
  return new MarbleAuthorityState(cold, scripts, options);
}

/** See {@link marbleAuthorityState}. */
export class MarbleAuthorityState extends ScriptedAuthorityState {
  constructor(cold: ColdHelper, scripts: Readonly<Record<string, ExecutionScript>>, options: MarbleAuthorityStateOptions = {}) {
    super((certificate, attempt) => {
      const { digest } = certificate;
      const script = scripts[digest];
      if (script === undefined) {
        throw new Error(`no script for certificate "${digest}": scripted digests are ${Object.keys(scripts).join(', ')}`);
      }
      const marble = typeof script === 'string' ? script : (script[Math.min(attempt, script.length) - 1] ?? '');
      return execution(cold, digest, marble);
    }, options);
  }
}

function execution(cold: ColdHelper, digest: string, marble: string): Observable<ExecutionResult> {
  if (marble.includes('!') && marble.includes('#')) throw new Error(`script "${marble}" of "${digest}" mixes # and !: an execution fails once`);
  const error = marble.includes('!') ? new TransientExecutionError(`scripted transient failure of ${digest}`) : new Error(`scripted failure of ${digest}`);
  return cold(marble.replace('!', '#'), { r: resultOf(digest), f: { effects: { digest: `forked-${digest}` }, events: [] } }, error);
}
