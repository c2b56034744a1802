import type { CertifiedTransaction } from '../../../lib/validator/certificates/certified-transaction';
import { InputSpentError } from '../../../lib/validator/errors';
import { isCancelled } from '../../../lib/validator/execution/cancelled-execution';
import type { StateEffects } from '../../../lib/validator/model/effects';
import { type ObjectRef, type StoredObject, refOf } from '../../../lib/validator/model/objects';
import type { InputObject } from '../../../lib/validator/model/transactions';
import type { ValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import { ALICE, BOB, id, predictOutputs } from '../fixtures';
import { until } from '../resubmitting-client';
import { type RecordedRun, effectsOf, executed, executedCount, latest, startRecorded } from './recorded-run';
import { temporaryDatabase } from '../storage/temporary-database';
import { CAROL, certify, committee, counters, gas, gasA, gasB, gasC, gasD, genesis, shared, x, y } from './sequenced-fixture';

const [s, r] = counters;
/** Transfer `object` to `recipient`, submitted directly. */
const transfer = (object: ObjectRef, payment: ObjectRef, recipient = BOB) =>
  certify({ sender: ALICE, inputs: [{ kind: 'owned', ref: object }], gas: gas(payment), commands: [{ kind: 'transfer-objects', objects: [object.id], recipient }] });
/** Increment S (and read the others given), spending `owned` by transferring it to Carol: a sequenced certificate with an owned input. */
const spendAndIncrement = (owned: ObjectRef, payment: ObjectRef, more: InputObject[] = []) =>
  certify({
    sender: ALICE,
    inputs: [{ kind: 'owned', ref: owned }, shared(s), ...more],
    gas: gas(payment),
    commands: [{ kind: 'increment-counter', counter: s.id, by: 10n }, { kind: 'transfer-objects', objects: [owned.id], recipient: CAROL }],
  });
const increment = (payment: ObjectRef, target: StoredObject = s) =>
  certify({ sender: ALICE, inputs: [shared(target)], gas: gas(payment), commands: [{ kind: 'increment-counter', counter: target.id, by: 1n }] });

type Run = RecordedRun;
const start = (database?: string): Promise<Run> => startRecorded(committee, genesis, database);

/** X moved on by a transfer submitted directly: X@1 is spent, X is at a later version. */
async function spendX(run: Run): Promise<StoredObject> {
  const t0 = transfer(refOf(x), refOf(gasA));
  await run.pipeline.submit([t0]);
  await executed(run, [t0.digest]);
  const moved = await latest(run.pipeline, x.id);
  expect(moved.version).toBeGreaterThan(x.version);
  return moved;
}

/** What a cancelled certificate must leave: S written at its Lamport version with its contents unchanged, no gas, nothing owned. */
async function expectCancelled(pipeline: ValidatorPipeline, certificate: CertifiedTransaction, sBefore: StoredObject): Promise<StateEffects> {
  const effects = await effectsOf(pipeline, certificate.digest);
  expect(effects.status).toEqual({ kind: 'failure', error: 'input-unavailable', command: 0 });
  expect(isCancelled(effects)).toBe(true);
  expect(effects.gasUsed).toBe(0n);
  expect(effects.created).toEqual([]);
  expect(effects.deleted).toEqual([]);
  expect(effects.mutated.map((ref) => ref.id)).toEqual([s.id]);
  const written = (await pipeline.state.store.readObjects([{ id: s.id, version: effects.lamportVersion }]))[0] as StoredObject;
  expect(written.contents).toEqual(sBefore.contents);
  expect(written.previousTransaction).toBe(certificate.digest);
  return effects;
}

describe('a sequenced certificate that can never execute is executed as cancelled (Sui), and what follows on its shared objects runs', () => {
  it('commit [C1 spends X@1 while X is past it and increments S, C2 increments S]: C1 cancelled at its version, C2 executes after it', async () => {
    const run = await start();
    const moved = await spendX(run);
    const c1 = spendAndIncrement(refOf(x), refOf(gasB));
    const c2 = increment(refOf(gasC));
    await run.pipeline.commit({ digest: 'c0', index: 0, certificates: [c1, c2] });
    await executed(run, [c1.digest, c2.digest]);
    const effects = await expectCancelled(run.pipeline, c1, s);
    // The Lamport version the manager assigned: past C1's gas, X@1 and S@1.
    expect(effects.lamportVersion).toBe(2);
    expect(effects.sharedObjects).toEqual([refOf(s)]);
    // Nothing owned moved: X is still Bob's at the version the transfer left; C1's gas coin is untouched.
    expect(await latest(run.pipeline, x.id)).toEqual(moved);
    expect(await latest(run.pipeline, gasB.id)).toEqual(gasB);
    // C2 read S at the version C1 wrote, and incremented the unchanged value.
    const after = await latest(run.pipeline, s.id);
    expect(after.contents).toEqual({ type: 'counter', value: 1n });
    expect((await effectsOf(run.pipeline, c2.digest)).sharedObjects[0]?.version).toBe(effects.lamportVersion);
    expect(run.pipeline.manager.counts).toEqual({ pending: 0, executing: 0, missingObjects: 0 });
    await run.pipeline.stop();
  });

  it('cancels one naming another digest (X at its version), and one naming a version X skipped past', async () => {
    const run = await start();
    const mismatched = spendAndIncrement({ ...refOf(x), digest: id(0xbad) }, refOf(gasB));
    await run.pipeline.commit({ digest: 'c0', index: 0, certificates: [mismatched] });
    await executed(run, [mismatched.digest]);
    await expectCancelled(run.pipeline, mismatched, s);
    expect(await latest(run.pipeline, x.id)).toEqual(x);

    // Y@2 never exists: a transfer moves Y from 1 straight to 3 (its gas is at 2). C waits for Y@2 until then.
    const bump = transfer(refOf(gasA), refOf(gasC), ALICE); // gas A stays Alice's, now at version 2
    await run.pipeline.submit([bump]);
    await executed(run, [bump.digest]);
    const sBefore = await latest(run.pipeline, s.id);
    // Its own gas coin: gas B@1 is claimed by the mismatched one (cancelled, it spent nothing), so naming it would cancel this one at sequencing.
    const skipped = spendAndIncrement({ ...refOf(y), version: 2 }, refOf(gasD));
    const after = increment(refOf(await latest(run.pipeline, gasC.id)));
    expect(await run.pipeline.commit({ digest: 'c1', index: 1, certificates: [skipped, after] })).toEqual(['pending', 'pending']);
    const jump = transfer(refOf(y), refOf(await latest(run.pipeline, gasA.id)));
    await run.pipeline.submit([jump]);
    await executed(run, [jump.digest, skipped.digest, after.digest]);
    expect((await latest(run.pipeline, y.id)).version).toBe(3);
    await expectCancelled(run.pipeline, skipped, sBefore);
    expect((await latest(run.pipeline, s.id)).contents).toEqual({ type: 'counter', value: 1n });
    await run.pipeline.stop();
  });

  it('cancels one spending a deleted coin (merged away before the commit)', async () => {
    const run = await start();
    const merge = certify({ sender: ALICE, inputs: [{ kind: 'owned', ref: refOf(x) }, { kind: 'owned', ref: refOf(y) }], gas: gas(refOf(gasA)), commands: [{ kind: 'merge-coins', target: x.id, sources: [y.id] }] });
    await run.pipeline.submit([merge]);
    await executed(run, [merge.digest]);
    expect(await latest(run.pipeline, y.id)).toBeUndefined();
    const c1 = spendAndIncrement(refOf(y), refOf(gasB));
    const c2 = increment(refOf(gasC));
    await run.pipeline.commit({ digest: 'c0', index: 0, certificates: [c1, c2] });
    await executed(run, [c1.digest, c2.digest]);
    await expectCancelled(run.pipeline, c1, s);
    expect((await latest(run.pipeline, s.id)).contents).toEqual({ type: 'counter', value: 1n });
    await run.pipeline.stop();
  });

  it('writes only the mutable shared inputs of a cancelled certificate: a read-only one is read, not written', async () => {
    const run = await start();
    await spendX(run);
    const c1 = spendAndIncrement(refOf(x), refOf(gasB), [shared(r, false)]);
    const readsR = certify({ sender: ALICE, inputs: [shared(r)], gas: gas(refOf(gasC)), commands: [{ kind: 'increment-counter', counter: r.id, by: 5n }] });
    await run.pipeline.commit({ digest: 'c0', index: 0, certificates: [c1, readsR] });
    await executed(run, [c1.digest, readsR.digest]);
    const effects = await expectCancelled(run.pipeline, c1, s);
    expect(effects.sharedObjects.map((ref) => ref.id).sort()).toEqual([s.id, r.id].sort());
    expect(effects.mutated.map((ref) => ref.id)).toEqual([s.id]);
    // R was read at version 1 and not written: the increment of R read version 1 too, and wrote it once.
    expect((await effectsOf(run.pipeline, readsR.digest)).sharedObjects).toEqual([refOf(r)]);
    expect((await latest(run.pipeline, r.id)).contents).toEqual({ type: 'counter', value: 5n });
    await run.pipeline.stop();
  });

  it('a cancelled certificate sequenced twice is answered as a duplicate and executes once', async () => {
    const run = await start();
    await spendX(run);
    const c1 = spendAndIncrement(refOf(x), refOf(gasB));
    const c2 = increment(refOf(gasC));
    await run.pipeline.commit({ digest: 'c0', index: 0, certificates: [c1] });
    await executed(run, [c1.digest]);
    expect(await run.pipeline.commit({ digest: 'c1', index: 1, certificates: [c1, c2] })).toEqual(['already-executed', 'ready']);
    await executed(run, [c2.digest]);
    expect(executedCount(run.outcomes, c1.digest)).toBe(1);
    await expectCancelled(run.pipeline, c1, s);
    expect((await latest(run.pipeline, s.id)).contents).toEqual({ type: 'counter', value: 1n });
    await run.pipeline.stop();
  });

  it('of two sequenced certificates spending the same live coin on different shared objects, one executes and the other is cancelled: never both', async () => {
    const run = await start();
    const onS = spendAndIncrement(refOf(x), refOf(gasB));
    const onR = certify({
      sender: ALICE,
      inputs: [{ kind: 'owned', ref: refOf(x) }, shared(r)],
      gas: gas(refOf(gasC)),
      commands: [{ kind: 'increment-counter', counter: r.id, by: 1n }, { kind: 'transfer-objects', objects: [x.id], recipient: BOB }],
    });
    await run.pipeline.commit({ digest: 'c0', index: 0, certificates: [onS, onR] });
    await executed(run, [onS.digest, onR.digest]);
    const statuses = await Promise.all([onS, onR].map(async (c) => (await effectsOf(run.pipeline, c.digest)).status.kind));
    expect(statuses.sort()).toEqual(['failure', 'success']);
    // X was spent once, by the one that executed; the other one is cancelled.
    const winner = (await effectsOf(run.pipeline, onS.digest)).status.kind === 'success' ? onS : onR;
    const loser = winner === onS ? onR : onS;
    const now = await latest(run.pipeline, x.id);
    expect(now.previousTransaction).toBe(winner.digest);
    expect(now.owner).toEqual({ kind: 'address', address: winner === onS ? CAROL : BOB });
    expect(isCancelled(await effectsOf(run.pipeline, loser.digest))).toBe(true);
    await run.pipeline.stop();
  });

  it('keeps, for a certificate submitted directly, its failure: a spent input is an InputSpentError, and the coin is not spent twice', async () => {
    const run = await start();
    const moved = await spendX(run);
    const again = transfer(refOf(x), refOf(gasB), CAROL);
    expect(await run.pipeline.submit([again])).toEqual(['ready']);
    await until(() => run.outcomes.some((o) => o.digest === again.digest), () => 'no outcome');
    const outcome = run.outcomes.find((o) => o.digest === again.digest);
    expect(outcome?.kind).toBe('failed');
    const { error } = outcome as { error: unknown };
    expect(error).toBeInstanceOf(InputSpentError);
    expect(error).toMatchObject({ objectId: x.id, version: 1, latestVersion: moved.version });
    expect(await latest(run.pipeline, x.id)).toEqual(moved);
    expect(await effectsOf(run.pipeline, again.digest)).toBeUndefined();
    expect(run.pipeline.manager.counts).toEqual({ pending: 0, executing: 0, missingObjects: 0 });
    await run.pipeline.stop();
  });

  it('durable (LMDB): a restart between the cancelled C1 and C2 keeps C1 cancelled, and nothing executes twice', async () => {
    const path = await temporaryDatabase();
    const first = await start(path);
    await spendX(first);
    // C2 pays with a gas coin version a later transfer creates (known in advance: execution is deterministic), so it waits across the restart.
    const gasANow = await latest(first.pipeline, gasA.id);
    const bump = transfer(refOf(gasC), refOf(gasANow), ALICE);
    const gasCAfter = predictOutputs(bump, [gasC], gasANow)(gasC.id);
    expect(gasCAfter.version).toBe(3);
    const c1 = spendAndIncrement(refOf(x), refOf(gasB));
    const sAfterC1 = await latest(first.pipeline, s.id);
    await first.pipeline.commit({ digest: 'c0', index: 0, certificates: [c1] });
    await executed(first, [c1.digest]);
    const before = await effectsOf(first.pipeline, c1.digest);
    const c2 = increment(gasCAfter);
    expect(await first.pipeline.commit({ digest: 'c1', index: 1, certificates: [c2] })).toEqual(['pending']);
    const summary = await first.pipeline.stop();
    expect(summary.heldByManager.map((held) => held.certificate.digest)).toEqual([c2.digest]);

    const second = await start(path);
    expect(second.pipeline.recovered).toMatchObject({ reenqueued: 1, lastCommitIndex: 1 });
    expect(await effectsOf(second.pipeline, c1.digest)).toEqual(before);
    // Redelivered after the restart, C1 is recognised: nothing runs again.
    expect(await second.pipeline.commit({ digest: 'c0', index: 0, certificates: [c1] })).toEqual(['already-executed']);
    await second.pipeline.submit([bump]);
    await executed(second, [bump.digest, c2.digest]);
    expect(executedCount([...first.outcomes, ...second.outcomes], c1.digest)).toBe(1);
    expect(executedCount([...first.outcomes, ...second.outcomes], c2.digest)).toBe(1);
    expect(await effectsOf(second.pipeline, c1.digest)).toEqual(before);
    expect((await latest(second.pipeline, s.id)).contents).toEqual({ ...sAfterC1.contents, value: 1n });
    expect((await effectsOf(second.pipeline, c2.digest)).sharedObjects[0]?.version).toBe(before.lamportVersion);
    await second.pipeline.stop();
  }, 30_000);

  it('durable (LMDB): C1 sequenced and not run before a stop is cancelled once after the restart, C2 after it', async () => {
    const path = await temporaryDatabase();
    const first = await start(path);
    await spendX(first);
    const c1 = spendAndIncrement(refOf(x), refOf(gasB));
    const c2 = increment(refOf(gasC));
    first.pipeline.driver.pause(); // sequenced and on disk, never run: at the stop it is handed back and stays pending
    await first.pipeline.commit({ digest: 'c0', index: 0, certificates: [c1, c2] });
    expect(await effectsOf(first.pipeline, c1.digest)).toBeUndefined();
    await first.pipeline.stop();

    const second = await start(path);
    expect(second.pipeline.recovered).toMatchObject({ reenqueued: 2, lastCommitIndex: 0 });
    await executed(second, [c1.digest, c2.digest]);
    expect(executedCount([...first.outcomes, ...second.outcomes], c1.digest)).toBe(1);
    await expectCancelled(second.pipeline, c1, s);
    expect((await latest(second.pipeline, s.id)).contents).toEqual({ type: 'counter', value: 1n });
    await second.pipeline.stop();
  }, 30_000);
});
