/**
 * The workload of the crash harness, derived from a seed alone, so the
 * parent and every life of the child build exactly the same one: the
 * generated steps, the consensus commits that deliver the shared ones (with
 * duplicates inside them), and the owned duplicates clients send again.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import {
  type CertifiedTransaction,
  type Committee,
  type Workload,
  WorkloadGenerator,
  type WorkloadOptions,
  encodeCertificate,
  executeTransaction,
  generateWorkload,
  seededRandom,
} from '../../lib/validator';
import type { Digest, ObjectId, StoredObject } from '../../lib/validator';
import { canonicalCertificate } from '../../lib/validator/certificates/canonical-certificate';

/** What a crash run's workload is made of. */
export interface CrashPlanOptions {
  readonly seed: number;
  readonly transactions: number;
  readonly accounts?: number;
  /** Share of transactions on the hot shared counters. */
  readonly contention?: number;
  /** Share of transactions that abort (and still pay gas). */
  readonly invalidShare?: number;
  /** Share of certificates delivered twice (owned ones resubmitted, shared ones inside a later commit). */
  readonly duplicateShare?: number;
}

/** One consensus commit of the schedule. Its index is its place in the schedule, from 1. */
export interface ScheduledCommit {
  readonly index: number;
  readonly digest: string;
  /** Steps it sequences, in order; a duplicate names a step already in it or in an earlier commit. */
  readonly steps: readonly number[];
}

/** A crash run's workload: the generated steps and how they are delivered. */
export interface CrashPlan {
  readonly options: CrashPlanOptions;
  readonly workload: Workload;
  /** Consensus commits, index 1 first. */
  readonly commits: readonly ScheduledCommit[];
  /** For each step index: the commit that sequences it first (shared steps) or undefined (owned). */
  readonly commitOfStep: readonly (number | undefined)[];
  /** Owned steps that clients send twice. */
  readonly ownedDuplicates: readonly number[];
}

/** What a child needs to deliver the plan: genesis, the committee, every step's certificate and the commits. */
export interface ChildPlan {
  readonly committee: Committee;
  readonly genesis: readonly StoredObject[];
  /** Step by step. */
  readonly certificates: readonly CertifiedTransaction[];
  readonly commits: readonly ScheduledCommit[];
}

/**
 * The generator's options. Certificates are unsigned (and the child skips
 * signature checks): the harness proves durability, the door's specs prove signatures.
 */
function workloadOptions(options: CrashPlanOptions): WorkloadOptions {
  return {
    seed: options.seed,
    transactions: options.transactions,
    accounts: options.accounts ?? 12,
    contention: options.contention ?? 0.35,
    hotCounters: 3,
    invalidShare: options.invalidShare ?? 0.1,
    duplicateShare: options.duplicateShare ?? 0.05,
    sign: false,
  };
}

/** The whole plan, generated (the parent does it once per run). */
export function planCrashWorkload(options: CrashPlanOptions): CrashPlan {
  const workload = generateWorkload(workloadOptions(options));
  const random = seededRandom(options.seed ^ 0x5eed);
  const stepOf = new Map(workload.steps.map((step, i) => [step.certificate.digest, i]));
  const groups: number[][] = [];
  let open: number[] = [];
  let size = 1 + Math.floor(random() * 4);
  workload.steps.forEach((step, i) => {
    if (!step.shared) return;
    open.push(i);
    if (open.length >= size) {
      groups.push(open);
      open = [];
      size = 1 + Math.floor(random() * 4);
    }
  });
  if (open.length > 0) groups.push(open);
  const commitOfStep: (number | undefined)[] = workload.steps.map(() => undefined);
  groups.forEach((steps, g) => {
    for (const step of steps) commitOfStep[step] = g + 1;
  });
  const ownedDuplicates: number[] = [];
  for (const certificate of workload.duplicates) {
    const step = stepOf.get(certificate.digest) as number;
    const first = commitOfStep[step];
    if (first === undefined) {
      ownedDuplicates.push(step);
      continue;
    }
    // The same commit (a duplicate within it) or one of the next three.
    const target = Math.min(groups.length, first + Math.floor(random() * 4));
    groups[target - 1]?.push(step);
  }
  const commits = groups.map((steps, g) => ({ index: g + 1, digest: `commit-${options.seed}-${g + 1}`, steps }));
  return { options, workload, commits, commitOfStep, ownedDuplicates };
}

/**
 * The effects digest of every step when the steps run one after the other
 * in their order (the order the shared ones are committed in), on a copy of
 * genesis: what a validator that never crashed must have recorded.
 */
export function sequentialEffects(workload: Workload): Digest[] {
  const current = new Map<ObjectId, StoredObject>(workload.genesis.map((object) => [object.id, object]));
  const at = (id: ObjectId) => current.get(id) as StoredObject;
  return workload.steps.map(({ certificate: { data, digest, epoch } }) => {
    const objects = new Map(data.inputs.map((input) => (input.kind === 'shared' ? input.id : input.ref.id)).map((id) => [id, at(id)] as const));
    const output = executeTransaction(data, digest, epoch, { objects, gasCoin: at(data.gas.payment.id) });
    for (const object of output.written) current.set(object.id, object);
    for (const key of output.deleted) current.delete(key.id);
    return output.effects.digest;
  });
}

/** Write what a child needs: the certificates in their wire form and the commits (decoding them is several times cheaper than generating them). */
export function writeChildPlan(plan: CrashPlan, file: string): void {
  const certificates = plan.workload.steps.map(({ certificate }) => Buffer.from(encodeCertificate(certificate)).toString('base64'));
  writeFileSync(file, JSON.stringify({ options: plan.options, certificates, commits: plan.commits }));
}

/** Read a child plan; genesis and the committee come from the generator's constructor, which draws nothing from the seed. */
export function readChildPlan(file: string): ChildPlan {
  const { options, certificates, commits } = JSON.parse(readFileSync(file, 'utf8')) as { options: CrashPlanOptions; certificates: string[]; commits: ScheduledCommit[] };
  const { committee, genesis } = new WorkloadGenerator(workloadOptions(options));
  return { committee, genesis, certificates: certificates.map((wire) => canonicalCertificate(new Uint8Array(Buffer.from(wire, 'base64')))), commits };
}
