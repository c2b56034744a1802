import type { SequencedCommit } from '../../../lib/validator/manager/transaction-manager';
import { SequencedCommitWriter } from '../../../lib/validator/pipeline/sequenced-commit-writer';
import { LmdbObjectStore } from '../../../lib/validator/storage/lmdb-object-store';
import { generateWorkload } from '../../../lib/validator/workload/workload';
import { temporaryDatabase } from '../storage/temporary-database';

const workload = generateWorkload({ seed: 5, transactions: 30, accounts: 4, contention: 1, hotCounters: 1, sign: false });
const counter = workload.steps[0]?.certificate.data.inputs.find((i) => i.kind === 'shared')?.id as string;

/** Commit `index`, sequencing step `index` at version `index + 1` of the counter. */
function sequenced(index: number): SequencedCommit {
  const certificate = workload.steps[index]?.certificate;
  if (!certificate) throw new Error(`no step ${index}`);
  return {
    commit: { digest: `c${index}`, index, certificates: [certificate] },
    held: [{ certificate, shared: new Map([[counter, index + 1]]) }],
    nextSharedVersions: new Map([[counter, index + 2]]),
  };
}

describe('SequencedCommitWriter', () => {
  it('writes the commits sequenced while a write is on its way together, in the next write', async () => {
    const store = LmdbObjectStore.open({ path: await temporaryDatabase() });
    const groups: number[][] = [];
    const record = store.epochTables.recordCommits.bind(store.epochTables);
    store.epochTables.recordCommits = (commits) => {
      groups.push(commits.map((c) => c.commit.index));
      return record(commits);
    };
    const writer = new SequencedCommitWriter(store);
    await Promise.all([0, 1, 2, 3].map((i) => writer.write(sequenced(i))));
    expect(groups).toEqual([[0], [1, 2, 3]]);
    expect(store.epochTables.lastCommitIndex()).toBe(3);
    expect(store.epochTables.nextSharedVersions().get(counter)).toBe(5);
    expect(store.epochTables.pendingCertificates().map((r) => [r.commit?.index, r.shared.get(counter)]).sort()).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 4],
    ]);
    await store.close();
  });

  it('once a later epoch is about to be recorded, writes a commit of an earlier one without its sequencing; the epoch record drops what landed before', async () => {
    const store = LmdbObjectStore.open({ path: await temporaryDatabase() });
    await store.epochTables.recordEpoch({ epoch: 0, validators: workload.committee.validators });
    const writer = new SequencedCommitWriter(store);
    const claim = (index: number) => ({ id: counter, version: index, transaction: workload.steps[index]?.certificate.digest as string });
    const inEpoch0 = (index: number): SequencedCommit => ({ ...sequenced(index), epoch: 0, claims: [claim(index)] });
    const first = writer.write(inEpoch0(0)); // on its way when the epoch is recorded
    const second = writer.write(inEpoch0(1)); // queued behind it: issued after the record
    // Issued as soon as the write on its way landed: it must see (and drop) what that write wrote.
    await writer.epochRecorded(1);
    await store.epochTables.recordEpoch({ epoch: 1, validators: workload.committee.validators });
    await Promise.all([first, second]);
    const tables = store.epochTables;
    expect(tables.lastCommitIndex()).toBe(1); // both commits are known, to recognise a redelivery
    expect(tables.commit(1)?.digest).toBe('c1');
    expect(tables.nextSharedVersions().size).toBe(0);
    expect(tables.ownedClaims()).toEqual([]);
    // The first one's record stays until handed back (reconfigure's forget); the second was never written.
    expect(tables.pendingCertificates().map((r) => r.commit?.index)).toEqual([0]);
    // A commit of the new epoch is written whole.
    await writer.write({ ...sequenced(2), epoch: 1, claims: [claim(2)] });
    expect(tables.nextSharedVersions().get(counter)).toBe(4);
    expect(tables.ownedClaims()).toEqual([claim(2)]);
    await store.close();
  });

  it('after a failed write, writes nothing more and refuses every commit with that error', async () => {
    const store = LmdbObjectStore.open({ path: await temporaryDatabase() });
    let calls = 0;
    store.epochTables.recordCommits = () => {
      calls++;
      return Promise.reject(new Error('disk full'));
    };
    const writer = new SequencedCommitWriter(store);
    const results = await Promise.allSettled([0, 1, 2].map((i) => writer.write(sequenced(i))));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    await expect(writer.write(sequenced(3))).rejects.toThrow('disk full');
    expect(calls).toBe(1);
    expect(store.epochTables.lastCommitIndex()).toBeUndefined();
    await store.close();
  });
});
