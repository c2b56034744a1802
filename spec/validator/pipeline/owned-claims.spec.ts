import { isCancelled } from '../../../lib/validator/execution/cancelled-execution';
import { type ObjectRef, type StoredObject, refOf } from '../../../lib/validator/model/objects';
import type { InputObject } from '../../../lib/validator/model/transactions';
import type { ValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import { ALICE, BOB, id, predictOutputs } from '../fixtures';
import { type RecordedRun, effectsOf, executed, executedCount, latest, startRecorded } from './recorded-run';
import { temporaryDatabase } from '../storage/temporary-database';
import { CAROL, certify, committee, counters, gas, gasA, gasB, gasC, gasD, genesis, shared, x, y } from './sequenced-fixture';

// Issue 12's determinism gap: of two sequenced certificates naming one owned version, the first in consensus order wins on every validator.

const [s1, s2] = counters;
const transfer = (object: ObjectRef, payment: ObjectRef, recipient = BOB) =>
  certify({ sender: ALICE, inputs: [{ kind: 'owned', ref: object }], gas: gas(payment), commands: [{ kind: 'transfer-objects', objects: [object.id], recipient }] });
/** Increment `target`, spending `owned` by transferring it to `recipient`: a sequenced certificate with an owned input. */
const spendAndIncrement = (owned: ObjectRef, payment: ObjectRef, target: StoredObject, recipient: string) =>
  certify({
    sender: ALICE,
    inputs: [{ kind: 'owned', ref: owned }, shared(target)],
    gas: gas(payment),
    commands: [{ kind: 'increment-counter', counter: target.id, by: 1n }, { kind: 'transfer-objects', objects: [owned.id], recipient }],
  });
const increment = (payment: ObjectRef, target: StoredObject, more: InputObject[] = []) =>
  certify({ sender: ALICE, inputs: [...more, shared(target)], gas: gas(payment), commands: [{ kind: 'increment-counter', counter: target.id, by: 1n }] });

type Run = RecordedRun;
const start = (database?: string): Promise<Run> => startRecorded(committee, genesis, database);
const liveObjects = async (pipeline: ValidatorPipeline) => {
  const ids = genesis.map((object) => object.id);
  return (await pipeline.state.store.readLatest(ids)).map((object) => object && refOf(object));
};

/**
 * The fork, as two validators meet it: one commit [W increments S1 paying with
 * gas C at a version a transfer submitted directly creates; A spends X@1 and
 * increments S1 after W; B spends X@1 and increments S2]. On the first
 * validator the transfer arrives before the commit, on the second after it
 * (fast-path certificates reach validators at different times), so there S1 is
 * held up behind W, and B, ready at once, would run first.
 */
function forkCase() {
  const bump = transfer(refOf(gasD), refOf(gasC), ALICE); // writes gas C (and D) at version 2
  const gasCAfter = predictOutputs(bump, [gasD], gasC)(gasC.id);
  const w = increment(gasCAfter, s1);
  const a = spendAndIncrement(refOf(x), refOf(gasA), s1, CAROL);
  const b = spendAndIncrement(refOf(x), refOf(gasB), s2, BOB);
  return { bump, w, a, b, commit: { digest: 'c0', index: 0, certificates: [w, a, b] } };
}

describe('owned-input claims: who wins between sequenced certificates naming one owned version is decided by consensus order', () => {
  it('two validators fed the same commit, one with S1 held up behind a slow certificate, end with the same objects and effects: the first in commit order wins', async () => {
    const { bump, w, a, b, commit } = forkCase();
    const early = await start();
    await early.pipeline.submit([bump]);
    await executed(early, [bump.digest]);
    await early.pipeline.commit(commit);
    await executed(early, [w.digest, a.digest, b.digest]);

    const late = await start();
    await late.pipeline.commit(commit);
    await executed(late, [b.digest]); // B does not wait for S1: it runs while A waits behind W
    await late.pipeline.submit([bump]);
    await executed(late, [bump.digest, w.digest, a.digest]);

    for (const digest of [w.digest, a.digest, b.digest]) expect(await effectsOf(late.pipeline, digest)).toEqual(await effectsOf(early.pipeline, digest));
    expect(await liveObjects(late.pipeline)).toEqual(await liveObjects(early.pipeline));
    // A, first in the commit, spent X; B was cancelled at sequencing: S2 written unchanged at its version, X untouched by it, no gas.
    expect((await effectsOf(early.pipeline, a.digest)).status).toEqual({ kind: 'success' });
    const cancelled = await effectsOf(late.pipeline, b.digest);
    expect(isCancelled(cancelled)).toBe(true);
    expect(cancelled.gasUsed).toBe(0n);
    expect((await latest(late.pipeline, x.id)).owner).toEqual({ kind: 'address', address: CAROL });
    expect((await latest(late.pipeline, s2.id)).contents).toEqual({ type: 'counter', value: 0n });
    expect((await latest(late.pipeline, gasB.id))).toEqual(gasB);
    for (const run of [early, late]) {
      expect(run.pipeline.manager.cancelledAtSequencing).toBe(1);
      // X and A's and W's gas coins were spent: their claims went with them. B's gas coin is live (B spent nothing): B still claims it.
      expect(run.pipeline.state.loadEpochStoreOneCallPerTask().claimsHeld()).toEqual([{ id: gasB.id, version: 1, transaction: b.digest }]);
      await run.pipeline.stop();
    }
  });

  it('what follows a certificate cancelled at sequencing on its shared object runs, reading it at the version the cancelled one wrote', async () => {
    const run = await start();
    const a = spendAndIncrement(refOf(x), refOf(gasA), s1, CAROL);
    const b = spendAndIncrement(refOf(x), refOf(gasB), s2, BOB);
    const after = increment(refOf(gasC), s2);
    await run.pipeline.commit({ digest: 'c0', index: 0, certificates: [a, b, after] });
    await executed(run, [a.digest, b.digest, after.digest]);
    const cancelled = await effectsOf(run.pipeline, b.digest);
    expect(isCancelled(cancelled)).toBe(true);
    expect((await effectsOf(run.pipeline, after.digest)).sharedObjects).toEqual([{ id: s2.id, version: cancelled.lamportVersion, digest: cancelled.mutated[0]?.digest }]);
    expect((await latest(run.pipeline, s2.id)).contents).toEqual({ type: 'counter', value: 1n });
    await run.pipeline.stop();
  });

  it('the same id and version with another digest is a conflict too; a gas coin counts as an owned input', async () => {
    const run = await start();
    const a = spendAndIncrement(refOf(x), refOf(gasA), s1, CAROL);
    const otherDigest = spendAndIncrement({ ...refOf(x), digest: id(0xee) }, refOf(gasB), s2, BOB);
    const sameGas = increment(refOf(gasA), s2); // pays with A's gas coin version
    expect(await run.pipeline.commit({ digest: 'c0', index: 0, certificates: [a, otherDigest, sameGas] })).toEqual(['ready', 'ready', 'pending']);
    await executed(run, [a.digest, otherDigest.digest, sameGas.digest]);
    expect((await effectsOf(run.pipeline, a.digest)).status.kind).toBe('success');
    expect(isCancelled(await effectsOf(run.pipeline, otherDigest.digest))).toBe(true);
    expect(isCancelled(await effectsOf(run.pipeline, sameGas.digest))).toBe(true);
    expect(run.pipeline.manager.cancelledAtSequencing).toBe(2);
    await run.pipeline.stop();
  });

  it('a certificate cancelled by a claim still claims its other owned versions, as it does when the claim it met was dropped already: a later one naming them is cancelled either way', async () => {
    const a = spendAndIncrement(refOf(x), refOf(gasA), s1, CAROL);
    const b = spendAndIncrement(refOf(x), refOf(gasB), s2, BOB); // names X@1, which A claims and spends; and gas B@1
    const c = increment(refOf(gasB), s2); // gas B@1 is live: B spent nothing
    const effects = [];
    for (const bBeforeAExecutes of [true, false]) {
      const run = await start();
      if (bBeforeAExecutes) await run.pipeline.commit({ digest: 'c0', index: 0, certificates: [a, b] });
      else {
        await run.pipeline.commit({ digest: 'c0', index: 0, certificates: [a] });
        await executed(run, [a.digest]); // X spent: A's claim on X@1 is dropped before B is sequenced
        expect(run.pipeline.state.loadEpochStoreOneCallPerTask().claimsHeld()).toEqual([]);
        await run.pipeline.commit({ digest: 'c0b', index: 1, certificates: [b] });
      }
      await executed(run, [a.digest, b.digest]);
      await run.pipeline.commit({ digest: 'c1', index: 2, certificates: [c] });
      await executed(run, [c.digest]);
      expect(isCancelled(await effectsOf(run.pipeline, b.digest))).toBe(true);
      expect(isCancelled(await effectsOf(run.pipeline, c.digest))).toBe(true);
      expect(await latest(run.pipeline, gasB.id)).toEqual(gasB);
      effects.push(await Promise.all([b, c].map((t) => effectsOf(run.pipeline, t.digest))));
      await run.pipeline.stop();
    }
    expect(effects[1]).toEqual(effects[0]);
  });

  it('one naming a version spent (its claim dropped already) waits no longer than one a claim cancels: not for its other owned inputs', async () => {
    const run = await start();
    const a = spendAndIncrement(refOf(x), refOf(gasA), s1, CAROL);
    await run.pipeline.commit({ digest: 'c0', index: 0, certificates: [a] });
    await executed(run, [a.digest]);
    // X@1 spent by A (A's claim on it dropped), and Y@5, which no certificate creates: cancelled at once, as a peer that still held the claim decides.
    const b = certify({
      sender: ALICE,
      inputs: [{ kind: 'owned', ref: refOf(x) }, { kind: 'owned', ref: { ...refOf(y), version: 5 } }, shared(s2)],
      gas: gas(refOf(gasB)),
      commands: [{ kind: 'increment-counter', counter: s2.id, by: 1n }],
    });
    expect(await run.pipeline.commit({ digest: 'c1', index: 1, certificates: [b] })).toEqual(['ready']);
    await executed(run, [b.digest]);
    expect(isCancelled(await effectsOf(run.pipeline, b.digest))).toBe(true);
    await run.pipeline.stop();
  });

  it('the same certificate sequenced twice (in one commit, and in a later one) is no conflict with itself', async () => {
    const run = await start();
    const a = spendAndIncrement(refOf(x), refOf(gasA), s1, CAROL);
    run.pipeline.driver.pause();
    const twice = await run.pipeline.commit({ digest: 'c0', index: 0, certificates: [a, a] });
    expect(twice[0]).toBe('ready');
    expect(twice[1]).toMatch(/^already-(pending|executing)$/);
    expect(await run.pipeline.commit({ digest: 'c1', index: 1, certificates: [a] })).toEqual(['already-executing']);
    run.pipeline.driver.resume();
    await executed(run, [a.digest]);
    expect((await effectsOf(run.pipeline, a.digest)).status.kind).toBe('success');
    expect(run.pipeline.manager.cancelledAtSequencing).toBe(0);
    expect(await run.pipeline.commit({ digest: 'c2', index: 2, certificates: [a] })).toEqual(['already-executed']);
    await run.pipeline.stop();
  });

  it('a claimant executed as cancelled keeps its claim: its coin stays live, and a later sequenced certificate naming it is cancelled, executed before or not', async () => {
    const run = await start();
    // A names X@1 and Y with another digest: cancelled by the mismatch, it spends nothing, and X@1 stays live.
    const a = certify({
      sender: ALICE,
      inputs: [{ kind: 'owned', ref: refOf(x) }, { kind: 'owned', ref: { ...refOf(y), digest: id(0xef) } }, shared(s1)],
      gas: gas(refOf(gasA)),
      commands: [{ kind: 'increment-counter', counter: s1.id, by: 1n }],
    });
    await run.pipeline.commit({ digest: 'c0', index: 0, certificates: [a] });
    await executed(run, [a.digest]);
    expect(isCancelled(await effectsOf(run.pipeline, a.digest))).toBe(true);
    expect(await latest(run.pipeline, x.id)).toEqual(x);
    const b = spendAndIncrement(refOf(x), refOf(gasB), s2, BOB);
    await run.pipeline.commit({ digest: 'c1', index: 1, certificates: [b] });
    await executed(run, [b.digest]);
    expect(isCancelled(await effectsOf(run.pipeline, b.digest))).toBe(true);
    expect(await latest(run.pipeline, x.id)).toEqual(x);
    await run.pipeline.stop();
  });

  it('durable (LMDB): a crash between sequencing and execution keeps the same winner, and a redelivered commit decides the same', async () => {
    const path = await temporaryDatabase();
    const { bump, w, a, b, commit } = forkCase();
    const first = await start(path);
    first.pipeline.driver.pause(); // sequenced and on disk, nothing run
    await first.pipeline.commit(commit);
    expect(await effectsOf(first.pipeline, b.digest)).toBeUndefined();
    await first.pipeline.stop();

    const second = await start(path);
    expect(second.pipeline.recovered).toMatchObject({ reenqueued: 3, lastCommitIndex: 0 });
    // Redelivered after the restart: recognised, nothing sequenced again (B, released at once by the restore, may have run already).
    const again = await second.pipeline.commit(commit);
    expect(again.slice(0, 2)).toEqual(['already-pending', 'already-pending']);
    expect(again[2]).toMatch(/^already-(pending|executed)$/);
    await executed(second, [b.digest]); // it waits for S2 only: it runs while A waits behind W
    expect(isCancelled(await effectsOf(second.pipeline, b.digest))).toBe(true);
    // A later commit naming X@1 is cancelled too: the claim came back with the restart.
    const c = spendAndIncrement(refOf(x), refOf(gasD), s2, BOB);
    await second.pipeline.commit({ digest: 'c1', index: 1, certificates: [c] });
    await executed(second, [c.digest]);
    expect(isCancelled(await effectsOf(second.pipeline, c.digest))).toBe(true);
    await second.pipeline.submit([bump]);
    await executed(second, [w.digest, a.digest]);
    expect((await effectsOf(second.pipeline, a.digest)).status.kind).toBe('success');
    expect((await latest(second.pipeline, x.id)).owner).toEqual({ kind: 'address', address: CAROL });
    for (const digest of [w.digest, a.digest, b.digest, c.digest]) expect(executedCount([...first.outcomes, ...second.outcomes], digest)).toBe(1);
    await second.pipeline.stop();
  }, 30_000);
});
