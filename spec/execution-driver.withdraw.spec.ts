import { Subject, of } from 'rxjs';
import { ExecutionDriver, type PendingCertificate } from '../lib';
import { brief, pending, result } from './support/certificates';
import { ScriptedAuthorityState } from './support/scripted-authority-state';
import { silentLogger } from './support/silent-logger';

describe('ExecutionDriver: withdraw takes back received certificates that have not started', () => {
  /** A driver with one slot; an execution of `held` finishes only when it is told to. */
  function pausedDriver() {
    const ready = new Subject<PendingCertificate>();
    const held = new Subject<ReturnType<typeof result>>();
    const state = new ScriptedAuthorityState((certificate) => (certificate.digest === 'held' ? held : of(result(certificate.digest))));
    const handle = new ExecutionDriver({ readyCertificates: ready, authorityState: state, maxConcurrentExecutions: 1, logger: silentLogger }).spawn();
    const outcomes: string[] = [];
    handle.outcomes$.subscribe((outcome) => outcomes.push(brief(outcome)));
    const finishHeld = (): void => {
      held.next(result('held'));
      held.complete();
    };
    return { ready, state, handle, outcomes, finishHeld };
  }

  it('picked ones, oldest first: they never start and get no outcome; the others run in their order', async () => {
    const { ready, state, handle, outcomes } = pausedDriver();
    handle.pause();
    for (const [digest, epoch] of [['a', 0], ['b', 1], ['c', 0], ['d', 1]] as const) ready.next(pending(digest, { epoch }));
    expect(handle.backlogSize).toBe(4);
    const taken = handle.withdraw(({ certificate }) => certificate.epoch === 0);
    expect(taken.map(({ certificate }) => certificate.digest)).toEqual(['a', 'c']);
    expect(handle.backlogSize).toBe(2);
    state.epoch = 1;
    handle.resume();
    ready.complete();
    const summary = await handle.done;
    expect(outcomes).toEqual(['executed:b', 'executed:d']);
    expect(state.starts.map(({ digest }) => digest)).toEqual(['b', 'd']);
    expect(summary.unstarted).toEqual([]);
  });

  it('a take that throws, or that feeds the driver, withdraws nothing and loses nothing: every certificate still runs once', async () => {
    const { ready, handle, outcomes } = pausedDriver();
    handle.pause();
    for (const digest of ['a', 'b', 'c']) ready.next(pending(digest));
    expect(() =>
      handle.withdraw(({ certificate }) => {
        if (certificate.digest === 'c') throw new Error('a bad predicate');
        return true;
      }),
    ).toThrow('a bad predicate');
    expect(handle.backlogSize).toBe(3);
    expect(() =>
      handle.withdraw(({ certificate }) => {
        if (certificate.digest === 'a') ready.next(pending('d')); // re-enters: the backlog grows under it
        return true;
      }),
    ).toThrow('`take` changed the queue');
    expect(handle.backlogSize).toBe(4);
    handle.resume();
    ready.complete();
    const summary = await handle.done;
    expect(outcomes).toEqual(['executed:a', 'executed:b', 'executed:c', 'executed:d']);
    expect(summary.unstarted).toEqual([]);
  });

  it('does not touch a started execution, and a withdrawn backlog that was the last of a closed source ends the run', async () => {
    const { ready, handle, outcomes, finishHeld } = pausedDriver();
    ready.next(pending('held'));
    handle.pause();
    ready.next(pending('waiting'));
    ready.complete();
    expect(handle.inFlight).toBe(1);
    expect(handle.withdraw(() => true).map(({ certificate }) => certificate.digest)).toEqual(['waiting']);
    expect(handle.inFlight).toBe(1);
    finishHeld();
    const summary = await handle.done; // paused, yet nothing can start any more
    expect(outcomes).toEqual(['executed:held']);
    expect(summary.unstarted).toEqual([]);
  });

  it('a paused run whose source completed ends once withdraw empties its backlog: nothing can start any more', async () => {
    const { ready, handle, outcomes } = pausedDriver();
    handle.pause();
    ready.next(pending('a'));
    ready.complete();
    let ended = false;
    void handle.done.then(() => (ended = true));
    await Promise.resolve();
    expect(ended).toBe(false); // paused, with a certificate waiting
    handle.withdraw(() => true);
    await Promise.resolve();
    await Promise.resolve();
    expect(ended).toBe(true);
    expect(outcomes).toEqual([]);
  });

  it('after a stop there is nothing to take back: the stop handed the backlog back as unstarted', async () => {
    const { ready, handle } = pausedDriver();
    handle.pause();
    ready.next(pending('a'));
    const summary = await handle.stop();
    expect(summary.unstarted.map(({ certificate }) => certificate.digest)).toEqual(['a']);
    expect(handle.withdraw(() => true)).toEqual([]);
  });
});
