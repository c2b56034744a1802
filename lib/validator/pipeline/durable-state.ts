import type { CertifiedTransaction } from '../certificates/certified-transaction';
import { Committee } from '../certificates/committee';
import { CommitOrderError } from '../errors';
import { GENESIS_TRANSACTION } from '../execution/genesis';
import type { EnqueueResult, SequencedCommit, TransactionManager } from '../manager/transaction-manager';
import type { DurableObjectStore } from '../storage/durable-store';
import type { PersistedCommittee } from '../storage/lmdb-epoch-tables';
import type { CommitBatch, ObjectStore } from '../storage/object-store';
import { SequencedCommitWriter } from './sequenced-commit-writer';
import { StoreOpenError } from '../storage/store-errors';

/** What a durable pipeline found in its database at start. */
export interface RecoveryReport {
  /** Certificates accepted before the restart and not executed: enqueued again, at their assigned shared versions. */
  readonly reenqueued: number;
  /** Pending certificates found already executed (their effects were on disk): not run again. */
  readonly alreadyExecuted: number;
  /** The last consensus commit index processed before the restart (`undefined`: none). */
  readonly lastCommitIndex: number | undefined;
  /** The epoch the pipeline resumed in. */
  readonly epoch: number;
}

/**
 * Write genesis into an empty store, or check that the store's genesis is
 * this chain's.
 * @throws StoreOpenError `other-chain` when the store holds another genesis.
 */
export async function adoptGenesis(store: ObjectStore, batch: CommitBatch, where: string): Promise<void> {
  const existing = await store.readExecuted(GENESIS_TRANSACTION);
  if (!existing) {
    await store.commit(batch);
    return;
  }
  if (existing.effects.digest !== batch.effects.digest) {
    throw new StoreOpenError('other-chain', where, `its genesis effects are ${existing.effects.digest}, this chain's are ${batch.effects.digest}`);
  }
}

/**
 * The committee to resume with: the database's if it recorded a later epoch,
 * else the one given (recorded, unless the database holds it already: a
 * restart in the same epoch writes nothing, and scans no pending certificate).
 */
export async function adoptCommittee(store: DurableObjectStore, given: Committee): Promise<Committee> {
  const recorded = store.epochTables.committee();
  if (recorded && recorded.epoch > given.epoch) return new Committee(recorded.epoch, recorded.validators);
  if (!recorded || !sameCommittee(recorded, given)) await store.epochTables.recordEpoch({ epoch: given.epoch, validators: given.validators });
  return given;
}

function sameCommittee(recorded: PersistedCommittee, given: Committee): boolean {
  return (
    recorded.epoch === given.epoch &&
    recorded.validators.length === given.validators.length &&
    recorded.validators.every((v, i) => {
      const other = given.validators[i];
      return other !== undefined && v.name === other.name && v.stake === other.stake && Buffer.from(v.publicKey).equals(Buffer.from(other.publicKey)) &&
        Buffer.from(v.proofOfPossession).equals(Buffer.from(other.proofOfPossession));
    })
  );
}

/**
 * Re-enqueue what the database held pending, with their commit and assigned
 * shared versions, and restore the shared objects' next versions. Those the
 * manager finds executed (their effects are on disk) are forgotten.
 */
export async function recoverPending(store: DurableObjectStore, manager: TransactionManager, epoch: number): Promise<RecoveryReport> {
  const tables = store.epochTables;
  const certificates = tables
    .pendingCertificates()
    .sort((a, b) => (a.commit?.index ?? -1) - (b.commit?.index ?? -1))
    .map((record) => ({ certificate: record.certificate, commit: record.commit, shared: record.shared }));
  // The manager reads whether each one executed, as it does for any certificate it takes.
  const results = await manager.restore({ certificates, nextSharedVersions: tables.nextSharedVersions(), claims: tables.ownedClaims() });
  const executed = certificates.filter((_, i) => results[i] === 'already-executed').map(({ certificate }) => certificate.digest);
  // Of another epoch (a crash between recording the new epoch and handing them back): they can never execute.
  const stale = certificates.filter((_, i) => results[i] === 'wrong-epoch').map(({ certificate }) => certificate.digest);
  if (executed.length + stale.length > 0) await tables.forget([...executed, ...stale]);
  return { reenqueued: certificates.length - executed.length - stale.length, alreadyExecuted: executed.length, lastCommitIndex: tables.lastCommitIndex(), epoch };
}

/** Persist sequenced commits before their certificates are released (the manager's `onSequenced`), grouped while a write is on its way. */
export function persistSequenced(store: DurableObjectStore): (sequenced: SequencedCommit) => Promise<void> {
  const writer = new SequencedCommitWriter(store);
  return (sequenced) => writer.write(sequenced);
}

/** Persist the certificates a submit accepted (held pending or released), before the submit resolves. */
export async function persistAccepted(store: DurableObjectStore, certificates: readonly CertifiedTransaction[], results: readonly EnqueueResult[]): Promise<void> {
  const accepted = certificates.filter((_, i) => results[i] === 'pending' || results[i] === 'ready');
  if (accepted.length > 0) await store.epochTables.recordAccepted(accepted.map((certificate) => ({ certificate, commit: undefined, shared: new Map() })));
}

/**
 * A commit at or below the last index the database processed: a redelivery
 * if it is the same commit, recognised without sequencing anything again
 * (its certificates keep the versions first assigned). Returns undefined for
 * a commit past the last index.
 * @throws CommitOrderError for a different commit at a processed index, or one too old to recognise.
 */
export async function redelivered(
  store: DurableObjectStore,
  commit: { readonly digest: string; readonly index: number; readonly certificates: readonly CertifiedTransaction[] },
): Promise<EnqueueResult[] | undefined> {
  const tables = store.epochTables;
  const last = tables.lastCommitIndex();
  if (last === undefined || commit.index > last) return undefined;
  const record = tables.commit(commit.index);
  if (!record) throw new CommitOrderError('went-back', commit.index, last);
  const same = record.digest === commit.digest && record.certificates.length === commit.certificates.length && record.certificates.every((d, i) => d === commit.certificates[i]?.digest);
  if (!same) throw new CommitOrderError('conflicting-redelivery', commit.index, last);
  return Promise.all(commit.certificates.map(async (c) => ((await store.readExecuted(c.digest)) ? 'already-executed' : 'already-pending')));
}
