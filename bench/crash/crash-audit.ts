/**
 * What the crash harness checks. After every death of the child: everything
 * it acknowledged is on disk. At the end: the store is what sequential
 * execution gives, each transaction has one effects record, and no object
 * version was written twice.
 */
import { GENESIS_TRANSACTION, type LmdbObjectStore, type ObjectKey } from '../../lib/validator';
import type { Digest } from '../../lib/validator';
import type { ChildMessage } from './crash-messages';
import type { CrashPlan } from './crash-plan';

/** How many examples of one kind of violation are spelled out. */
const EXAMPLES = 3;

/** Everything the child acknowledged, over all its lives, as clients and consensus saw it. */
export class AcknowledgedLedger {
  /** Executed outcomes: transaction digest to effects digest. */
  readonly executed = new Map<Digest, Digest>();
  /** Executed outcomes reported more than once (the same effects, after a restart): counted, not a violation. */
  reReported = 0;
  /** Certificates a submit accepted (pending or ready). */
  readonly accepted = new Set<Digest>();
  /** Certificates a submit or commit answered `already-executed`: the client takes that as done. */
  readonly answeredExecuted = new Set<Digest>();
  /** Consensus commits acknowledged: index to the digests they sequence. */
  readonly commits = new Map<number, readonly Digest[]>();
  lastCommit = 0;
  /** Violations seen as they happened (an execution that failed, a call refused without reason). */
  readonly violations: string[] = [];

  constructor(private readonly plan: CrashPlan) {}

  /** The count of steps seen executed. */
  get executedSteps(): number {
    return this.executed.size;
  }

  record(message: ChildMessage): void {
    const { steps } = this.plan.workload;
    switch (message.type) {
      case 'executed': {
        const first = this.executed.get(message.digest);
        if (first === undefined) this.executed.set(message.digest, message.effects);
        else if (first !== message.effects) this.violations.push(`${message.digest} executed twice with different effects (${first}, then ${message.effects})`);
        else this.reReported++;
        return;
      }
      case 'accepted': {
        const { digest } = (steps[message.step] as (typeof steps)[number]).certificate;
        if (message.result === 'pending' || message.result === 'ready') this.accepted.add(digest);
        if (message.result === 'already-executed') this.answeredExecuted.add(digest);
        return;
      }
      case 'committed': {
        const commit = this.plan.commits[message.index - 1] as CrashPlan['commits'][number];
        const digests = commit.steps.map((step) => (steps[step] as (typeof steps)[number]).certificate.digest);
        this.commits.set(message.index, digests);
        message.results.forEach((result, i) => {
          if (result === 'already-executed') this.answeredExecuted.add(digests[i] as Digest);
        });
        this.lastCommit = Math.max(this.lastCommit, message.index);
        return;
      }
      case 'failed':
        this.violations.push(`an execution failed: ${message.digest}: ${message.detail}`);
        return;
      case 'error':
        this.violations.push(`the child reported: ${message.detail}`);
        return;
      default:
        return;
    }
  }
}

/** Examples of a kind of violation, spelled out: `what (n): a, b, c…`. */
function examples(what: string, items: readonly string[]): string[] {
  if (items.length === 0) return [];
  return [`${what} (${items.length}): ${items.slice(0, EXAMPLES).join(', ')}${items.length > EXAMPLES ? ', …' : ''}`];
}

/** After a death (or a stop): everything acknowledged is on disk. Returns the violations. */
export async function auditAcknowledged(store: LmdbObjectStore, ledger: AcknowledgedLedger): Promise<string[]> {
  const pending = new Set(store.epochTables.pendingCertificates().map((record) => record.certificate.digest));
  const lostCommits: string[] = [];
  for (const [digest, effects] of ledger.executed) {
    const record = await store.readExecuted(digest);
    if (record?.effects.digest !== effects) lostCommits.push(record ? `${digest} (effects now ${record.effects.digest})` : digest);
  }
  const answeredLost: string[] = [];
  for (const digest of ledger.answeredExecuted) if ((await store.readExecuted(digest)) === undefined) answeredLost.push(digest);
  const held = async (digest: Digest) => pending.has(digest) || (await store.readExecuted(digest)) !== undefined;
  const lostAccepted: string[] = [];
  for (const digest of ledger.accepted) if (!(await held(digest))) lostAccepted.push(digest);
  const lostSequenced: string[] = [];
  for (const [index, digests] of ledger.commits) {
    for (const digest of digests) if (!(await held(digest))) lostSequenced.push(`${digest} of commit ${index}`);
  }
  const last = store.epochTables.lastCommitIndex() ?? 0;
  return [
    ...examples('executed outcomes reported and not on disk', lostCommits),
    ...examples('certificates answered already-executed and not executed on disk', answeredLost),
    ...examples('accepted certificates neither pending nor executed on disk', lostAccepted),
    ...examples('certificates of acknowledged commits neither pending nor executed on disk', lostSequenced),
    ...(last < ledger.lastCommit ? [`commit ${ledger.lastCommit} was acknowledged, the database's last commit index is ${last}`] : []),
  ];
}

/** One check of the final state: what it checked, how much it covered, and what it found wrong (nothing, if it held). */
export interface FinalCheck {
  readonly name: 'final objects' | 'one effects record each' | 'no version written twice' | 'nothing left pending';
  /** What it looked at: live objects, effects records, object versions, pending certificates. */
  readonly covered: number;
  readonly violations: readonly string[];
}

/**
 * At the end: the live objects are `expectedFinalObjects`, digest for
 * digest; every step has one effects record, the one sequential execution
 * gives (`expectedEffects`, in step order) and no other record exists; every
 * object version stored was written by exactly one transaction; nothing is
 * left pending.
 */
export async function auditFinalState(store: LmdbObjectStore, plan: CrashPlan, expectedEffects: readonly Digest[]): Promise<FinalCheck[]> {
  const { workload } = plan;
  const key = (o: { id: string; version: number; digest: string }) => `${o.id}@${o.version}:${o.digest}`;
  const live = store.liveObjects().map(key);
  const expected = workload.expectedFinalObjects.map(key);
  const expectedSet = new Set(expected);
  const liveSet = new Set(live);
  const objects: FinalCheck = {
    name: 'final objects',
    covered: live.length,
    violations: [
      ...examples('live objects not in the sequential final state', live.filter((o) => !expectedSet.has(o))),
      ...examples('objects of the sequential final state missing', expected.filter((o) => !liveSet.has(o))),
    ],
  };
  const records = await Promise.all(workload.steps.map((step) => store.readExecuted(step.certificate.digest)));
  const recordCount = store.executedCount();
  const effects: FinalCheck = {
    name: 'one effects record each',
    covered: recordCount,
    violations: [
      ...examples(
        'transactions without an effects record',
        workload.steps.filter((_, i) => records[i] === undefined).map((step) => step.certificate.digest),
      ),
      ...examples(
        'effects records that differ from sequential execution',
        workload.steps
          .filter((_, i) => {
            const record = records[i];
            return record !== undefined && record.effects.digest !== expectedEffects[i];
          })
          .map((step) => step.certificate.digest),
      ),
      ...(recordCount === workload.steps.length + 1 ? [] : [`${recordCount} effects records, expected ${workload.steps.length + 1} (the steps and genesis)`]),
    ],
  };
  // Each version written once: claimed by one transaction's effects, stored with that digest, naming that transaction.
  const genesis = await store.readExecuted(GENESIS_TRANSACTION);
  const claims = new Map<string, { key: ObjectKey & { digest: string }; by: Digest }>();
  const claimedTwice: string[] = [];
  const writers = [{ by: GENESIS_TRANSACTION, effects: genesis?.effects }, ...workload.steps.map((step, i) => ({ by: step.certificate.digest, effects: records[i]?.effects }))];
  for (const { by, effects: written } of writers) {
    for (const ref of [...(written?.created ?? []), ...(written?.mutated ?? [])]) {
      const id = `${ref.id}@${ref.version}`;
      if (claims.has(id)) claimedTwice.push(`${id} by ${claims.get(id)?.by} and ${by}`);
      else claims.set(id, { key: ref, by });
    }
  }
  const claimed = [...claims.values()];
  const stored = await store.readObjects(claimed.map(({ key: { id, version } }) => ({ id, version })));
  const mismatched = claimed
    .filter(({ key, by }, i) => {
      const object = stored[i];
      return object === undefined || object.digest !== key.digest || object.previousTransaction !== by;
    })
    .map(({ key }) => `${key.id}@${key.version}`);
  const versionCount = store.objectVersionCount();
  const versions: FinalCheck = {
    name: 'no version written twice',
    covered: versionCount,
    violations: [
      ...examples('object versions written by two transactions', claimedTwice),
      ...examples('object versions stored otherwise than their writer recorded', mismatched),
      ...(versionCount === claims.size ? [] : [`${versionCount} object versions stored, the effects account for ${claims.size}`]),
    ],
  };
  const pendingCount = store.epochTables.pendingCount();
  const pending: FinalCheck = {
    name: 'nothing left pending',
    covered: pendingCount,
    violations: pendingCount === 0 ? [] : [`${pendingCount} certificates still pending after every step executed`],
  };
  return [objects, effects, versions, pending];
}
