import type { CertifiedTransaction } from '../certificates/certified-transaction';
import { Committee } from '../certificates/committee';
import { CommitOrderError } from '../errors';
import { GENESIS_TRANSACTION, genesisBatch } from '../execution/genesis';
import type { EnqueueResult, SequencedCommit, TransactionManager } from '../manager/transaction-manager';
import type { ChainRecord, DurableObjectStore } from '../storage/durable-store';
import type { StoredObject } from '../model/objects';
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
  /**
   * Pending certificates of an earlier epoch (a crash came after a
   * reconfiguration was recorded and before its hand-back left the disk):
   * they can never execute now, so they are handed back here, as
   * `reconfigure` would have, and forgotten on disk. Certify them again in
   * the current epoch.
   */
  readonly handedBack: readonly CertifiedTransaction[];
}

/**
 * Write genesis into an empty store, or check that the store's genesis is
 * this chain's (for a store that is not durable: the one a caller passed as `store`).
 * @throws StoreOpenError `other-chain` when the store holds another genesis.
 */
export async function adoptGenesis(store: ObjectStore, genesis: readonly StoredObject[], epoch: number, where: string): Promise<void> {
  const existing = await store.readExecuted(GENESIS_TRANSACTION);
  if (!existing) {
    await store.commit(genesisBatch(genesis, epoch));
    return;
  }
  // The epoch genesis was written in, not the committee's of today: a restart after a reconfiguration is the same chain.
  const ours = genesisBatch(genesis, existing.effects.epoch).effects.digest;
  if (existing.effects.digest !== ours) throw otherChain(where, existing.effects.digest, ours);
}

/**
 * Open a durable database for this chain and committee: check everything
 * first, then write what a new (or older) database lacks, so a refused
 * database is left as it was. A new database, one that holds nothing at
 * all, gets genesis, then its chain record, then the committee. Returns the
 * committee to resume with (see {@link resumedCommittee}).
 * @throws StoreOpenError `other-chain`, `other-committee` or `unknown-epoch`, having written nothing.
 */
export async function adoptDatabase(store: DurableObjectStore, genesis: readonly StoredObject[], given: Committee): Promise<Committee> {
  const chain = await checkChain(store, genesis, given.epoch);
  const recorded = store.epochTables.committee();
  const committee = resumedCommittee(store.path, recorded, given);
  if (chain.genesis) await store.commit(chain.genesis);
  if (chain.record) await store.recordChain(chain.record);
  if (!recorded) await store.epochTables.recordEpoch({ epoch: given.epoch, validators: given.validators });
  return committee;
}

/**
 * Whether the database is this chain's, and what it lacks: its chain record
 * decides (retention may have pruned the genesis executed record long ago);
 * a database written before the record existed is checked by its genesis
 * record and gets one; one holding nothing is new. One holding records
 * without either cannot be told from another chain's, and is refused.
 */
async function checkChain(store: DurableObjectStore, genesis: readonly StoredObject[], epoch: number): Promise<{ genesis?: CommitBatch; record?: ChainRecord }> {
  const recorded = store.chain();
  if (recorded) {
    const ours = genesisBatch(genesis, recorded.genesisEpoch).effects.digest;
    if (recorded.genesisDigest !== ours) throw otherChain(store.path, recorded.genesisDigest, ours);
    return {};
  }
  const existing = await store.readExecuted(GENESIS_TRANSACTION);
  if (existing) {
    const ours = genesisBatch(genesis, existing.effects.epoch).effects.digest;
    if (existing.effects.digest !== ours) throw otherChain(store.path, existing.effects.digest, ours);
    return { record: { genesisDigest: ours, genesisEpoch: existing.effects.epoch } };
  }
  if (!store.isEmpty()) {
    throw new StoreOpenError(
      'other-chain',
      store.path,
      'it holds records but neither a chain record nor a genesis record (an older version pruned it): it cannot be checked to be this chain\'s',
    );
  }
  const batch = genesisBatch(genesis, epoch);
  return { genesis: batch, record: { genesisDigest: batch.effects.digest, genesisEpoch: epoch } };
}

/**
 * The committee a restart takes: the recorded one. Given the same epoch's
 * committee, it must be the recorded one; given an earlier epoch's (a
 * configuration from before the database reconfigured), the recorded later
 * one is taken. A later epoch than the database's is refused: recording it
 * here would drop the old epoch's pending certificates without handing
 * them back (a running pipeline's `reconfigure` hands them back).
 * @throws StoreOpenError `other-committee` or `unknown-epoch`.
 */
export function resumedCommittee(path: string, recorded: PersistedCommittee | undefined, given: Committee): Committee {
  if (!recorded) return given;
  if (recorded.epoch > given.epoch) return new Committee(recorded.epoch, recorded.validators);
  if (recorded.epoch < given.epoch) {
    throw new StoreOpenError(
      'unknown-epoch',
      path,
      `it is in epoch ${recorded.epoch}, the committee given is of epoch ${given.epoch}: restart with epoch ${recorded.epoch}'s committee, then reconfigure`,
    );
  }
  if (!sameCommittee(recorded, given)) {
    throw new StoreOpenError('other-committee', path, `its committee of epoch ${recorded.epoch} is not the one given (${describeDifference(recorded, given)}); nothing was overwritten`);
  }
  return given;
}

function otherChain(where: string, theirs: string, ours: string): StoreOpenError {
  return new StoreOpenError('other-chain', where, `its genesis effects are ${theirs}, this chain's are ${ours}`);
}

/** The first difference between two committees of one epoch, for the error. */
function describeDifference(recorded: PersistedCommittee, given: Committee): string {
  if (recorded.validators.length !== given.validators.length) return `${recorded.validators.length} members recorded, ${given.validators.length} given`;
  const i = recorded.validators.findIndex((v, j) => !sameMember(v, given.validators[j]));
  const [ours, theirs] = [recorded.validators[i], given.validators[i]];
  if (!ours || !theirs) return 'they differ';
  const field = ours.name !== theirs.name ? 'name' : ours.stake !== theirs.stake ? 'stake' : !Buffer.from(ours.publicKey).equals(Buffer.from(theirs.publicKey)) ? 'public key' : 'proof of possession';
  return `member ${i} (${ours.name}) has another ${field}`;
}

function sameCommittee(recorded: PersistedCommittee, given: Committee): boolean {
  return recorded.epoch === given.epoch && recorded.validators.length === given.validators.length && recorded.validators.every((v, i) => sameMember(v, given.validators[i]));
}

function sameMember(recorded: PersistedCommittee['validators'][number], given: Committee['validators'][number] | undefined): boolean {
  return (
    given !== undefined &&
    recorded.name === given.name &&
    recorded.stake === given.stake &&
    Buffer.from(recorded.publicKey).equals(Buffer.from(given.publicKey)) &&
    Buffer.from(recorded.proofOfPossession).equals(Buffer.from(given.proofOfPossession))
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
  const stale = certificates.filter((_, i) => results[i] === 'wrong-epoch').map(({ certificate }) => certificate);
  if (executed.length + stale.length > 0) await tables.forget([...executed, ...stale.map((certificate) => certificate.digest)]);
  return {
    reenqueued: certificates.length - executed.length - stale.length,
    alreadyExecuted: executed.length,
    lastCommitIndex: tables.lastCommitIndex(),
    epoch,
    handedBack: stale,
  };
}

/**
 * Persist sequenced commits before their certificates are released (`write`,
 * the manager's `onSequenced`), grouped while a write is on its way; and
 * record a new epoch (`recordEpoch`) so that no commit of the old one lands
 * in the new one's tables.
 */
export function persistSequenced(store: DurableObjectStore): {
  readonly write: (sequenced: SequencedCommit) => Promise<void>;
  readonly recordEpoch: (committee: PersistedCommittee) => Promise<void>;
} {
  const writer = new SequencedCommitWriter(store);
  return {
    write: (sequenced) => writer.write(sequenced),
    recordEpoch: async (committee) => {
      await writer.epochRecorded(committee.epoch);
      await store.epochTables.recordEpoch(committee);
    },
  };
}

/**
 * Persist the certificates a submit accepted (held pending or released), before the submit resolves; not one that a
 * commit sequenced meanwhile (its sequenced record is written with the commit, and must not be overwritten), nor one of
 * an epoch that ended meanwhile (`reconfigure` hands it back, and a record written after that would outlive it).
 */
export async function persistAccepted(
  store: DurableObjectStore,
  manager: Pick<TransactionManager, 'isHeldSequenced'>,
  epoch: number,
  certificates: readonly CertifiedTransaction[],
  results: readonly EnqueueResult[],
): Promise<void> {
  const accepted = certificates.filter((c, i) => (results[i] === 'pending' || results[i] === 'ready') && c.epoch === epoch && !manager.isHeldSequenced(c.digest));
  if (accepted.length > 0) await store.epochTables.recordAccepted(accepted.map((certificate) => ({ certificate, commit: undefined, shared: new Map() })));
}

/**
 * Is it a commit at or below the last index the database processed, the same
 * as the one recorded there (a redelivery: the manager takes it again with
 * `redeliver`, as it takes a redelivery in memory, and its certificates keep
 * the versions first assigned)? False for a commit past the last index.
 * @throws CommitOrderError for a different commit at a processed index, or one too old to recognise.
 */
export function redelivered(
  store: DurableObjectStore,
  commit: { readonly digest: string; readonly index: number; readonly certificates: readonly CertifiedTransaction[] },
): boolean {
  const tables = store.epochTables;
  const last = tables.lastCommitIndex();
  if (last === undefined || commit.index > last) return false;
  const record = tables.commit(commit.index);
  if (!record) throw new CommitOrderError('went-back', commit.index, last);
  const same = record.digest === commit.digest && record.certificates.length === commit.certificates.length && record.certificates.every((d, i) => d === commit.certificates[i]?.digest);
  if (!same) throw new CommitOrderError('conflicting-redelivery', commit.index, last);
  return true;
}
