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
 * A marble with none of these never ends (a hang, for abort tests); one
 * with two failures, or an empty array, is refused when the state is built.
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
  /** @throws Error naming the digest, for an empty array of attempts or a marble that fails twice. */
  constructor(cold: ColdHelper, scripts: Readonly<Record<string, ExecutionScript>>, options: MarbleAuthorityStateOptions = {}) {
    for (const [digest, script] of Object.entries(scripts)) checkScript(digest, script);
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

/** Refuse, when the state is built, a script that no execution could follow. */
function checkScript(digest: string, script: ExecutionScript): void {
  const marbles = typeof script === 'string' ? [script] : script;
  if (marbles.length === 0) throw new Error(`the script of "${digest}" is an empty array: it needs at least one attempt`);
  for (const marble of marbles) {
    if (typeof marble !== 'string') throw new Error(`the script of "${digest}" has an attempt that is not a marble string`);
    const failures = marble.replace(/[^!#]/g, '').length;
    if (failures > 1) throw new Error(`script "${marble}" of "${digest}" fails ${failures} times: an execution fails once (script the retries as attempts, ['-!', '-!', '-r'])`);
  }
}

function execution(cold: ColdHelper, digest: string, marble: string): Observable<ExecutionResult> {
  const error = marble.includes('!') ? new TransientExecutionError(`scripted transient failure of ${digest}`) : new Error(`scripted failure of ${digest}`);
  return cold(marble.replace('!', '#'), { r: resultOf(digest), f: { effects: { digest: `forked-${digest}` }, events: [] } }, error);
}
