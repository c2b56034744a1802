import fc from 'fast-check';
import type { ExecutionOutcome } from '../../../lib/outcomes';
import type { CertifiedTransaction } from '../../../lib/validator/certificates/certified-transaction';
import type { StoredObject } from '../../../lib/validator/model/objects';
import { type ValidatorPipeline, startValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import { LmdbObjectStore } from '../../../lib/validator/storage/lmdb-object-store';
import { InMemoryObjectStore, type ObjectStore } from '../../../lib/validator/storage/object-store';
import { type Workload, type WorkloadStep, WorkloadGenerator, generateWorkload } from '../../../lib/validator/workload/workload';
import { silentLogger } from '../../support/silent-logger';
import { temporaryDatabase } from '../storage/temporary-database';

// The store's retention (`executedTransactions`) prunes effects records. Before the fix the record was the only sign
// that a certificate had executed: a commit redelivered, a certificate sequenced again in a new commit, or resubmitted,
// after its record was pruned, was taken as new, given fresh shared versions, and executed a second time.

const limits = { maxQueueAgeMs: 60_000 };

/** A pipeline and every outcome it gave, by digest. */
interface Life {
  readonly pipeline: ValidatorPipeline;
  readonly store: ObjectStore & { liveObjects(): StoredObject[] };
  readonly outcomes: Map<string, ExecutionOutcome[]>;
}

type Kind = 'memory' | 'durable';

async function startLife(w: Workload, kind: Kind, retention: number, path: string | undefined): Promise<Life> {
  const outcomes = new Map<string, ExecutionOutcome[]>();
  const onWired = (pipeline: ValidatorPipeline): void => {
    pipeline.outcomes$.subscribe((outcome) => outcomes.set(outcome.digest, [...(outcomes.get(outcome.digest) ?? []), outcome]));
  };
  const common = { committee: w.committee, genesis: w.genesis, logger: silentLogger, verifySignatures: false, limits, onWired };
  if (kind === 'memory') {
    const store = new InMemoryObjectStore({ executedTransactions: retention });
    return { pipeline: await startValidatorPipeline({ ...common, store }), store, outcomes };
  }
  const store = LmdbObjectStore.open({ path: path as string, executedTransactions: retention, sync: false });
  return { pipeline: await startValidatorPipeline({ ...common, database: store }), store, outcomes };
}

async function stopLife(life: Life): Promise<void> {
  await life.pipeline.stop();
  if (life.store instanceof LmdbObjectStore) await life.store.close();
}

/** The workload's consensus commits: each shared certificate alone, in order, at index 0, 1, 2... */
function commitsOf(w: Workload): { digest: string; index: number; certificates: CertifiedTransaction[] }[] {
  return w.steps.filter((step) => step.shared).map((step, index) => ({ digest: `commit-${index}`, index, certificates: [step.certificate] }));
}

const ownedOf = (w: Workload): CertifiedTransaction[] => w.steps.filter((step) => !step.shared).map((step) => step.certificate);

/** Deliver the whole workload once, in its order, and wait until the store says every certificate executed. */
async function deliverAll(life: Life, w: Workload): Promise<void> {
  const commits = commitsOf(w);
  let next = 0;
  for (const step of w.steps) {
    if (step.shared) await life.pipeline.commit(commits[next++] as (typeof commits)[number]);
    else await life.pipeline.submit([step.certificate]);
  }
  await executedAll(life.store, w);
}

/** The store's marker of the epoch (both stores under test have one). */
function marked(store: ObjectStore, digest: string): Promise<boolean> {
  if (!store.isExecuted) throw new Error('the store under test has no isExecuted');
  return store.isExecuted(digest);
}

async function executedAll(store: ObjectStore, w: Workload, ms = 20_000): Promise<void> {
  const deadline = performance.now() + ms;
  for (;;) {
    const done = await Promise.all(w.steps.map((step) => marked(store, step.certificate.digest)));
    if (done.every(Boolean)) return;
    if (performance.now() > deadline) throw new Error(`${done.filter((d) => !d).length} of ${w.steps.length} never executed`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** One way a certificate that executed reaches the pipeline again. */
type Again = { readonly kind: 'redeliver'; readonly commit: number } | { readonly kind: 'new-commit'; readonly commits: readonly number[] } | { readonly kind: 'resubmit'; readonly owned: number };

/** Every way, for every certificate: each commit redelivered, each shared certificate in a new commit, each owned one resubmitted. */
function everyWay(w: Workload): Again[] {
  const commits = commitsOf(w);
  return [
    ...commits.map((_, commit): Again => ({ kind: 'redeliver', commit })),
    ...commits.map((_, commit): Again => ({ kind: 'new-commit', commits: [commit] })),
    { kind: 'new-commit', commits: commits.map((_, commit) => commit) },
    ...ownedOf(w).map((_, owned): Again => ({ kind: 'resubmit', owned })),
  ];
}

/** Deliver the copies; returns each certificate's answer. New commits take the indexes after `firstNewIndex`. */
async function deliverAgain(life: Life, w: Workload, copies: readonly Again[], firstNewIndex: number): Promise<string[]> {
  const commits = commitsOf(w);
  const owned = ownedOf(w);
  const answers: string[] = [];
  let index = firstNewIndex;
  for (const copy of copies) {
    if (copy.kind === 'redeliver') answers.push(...(await life.pipeline.commit(commits[copy.commit % commits.length] as (typeof commits)[number])));
    else if (copy.kind === 'resubmit') answers.push(...(await life.pipeline.submit([owned[copy.owned % owned.length]])));
    else {
      const certificates = copy.commits.map((k) => (commits[k % commits.length] as (typeof commits)[number]).certificates[0] as CertifiedTransaction);
      answers.push(...(await life.pipeline.commit({ digest: `late-${index}`, index, certificates })));
      index++;
    }
  }
  // Anything taken as new would now run: give it the time to show an outcome.
  await new Promise((resolve) => setTimeout(resolve, 30));
  return answers;
}

function expectSequentialFinal(life: Life, w: Workload): void {
  const summary = (objects: readonly StoredObject[]) => objects.map((o) => `${o.id}@${o.version}:${o.digest}`);
  expect(summary(life.store.liveObjects())).toEqual(summary(w.expectedFinalObjects));
}

/** Every certificate of the workload got exactly one outcome, and it is `executed` (in all lives together). */
function expectOneOutcomeEach(lives: readonly Life[], w: Workload): void {
  for (const step of w.steps) {
    const all = lives.flatMap((life) => life.outcomes.get(step.certificate.digest) ?? []);
    expect(all.map((o) => o.kind)).toEqual(['executed']);
  }
}

const workload = generateWorkload({ seed: 14, transactions: 30, accounts: 5, contention: 0.7, sign: false });

describe.each<[Kind, number]>([
  ['memory', 1],
  ['memory', 2],
  ['durable', 1],
  ['durable', 2],
])('a certificate executes once whatever the retention (%s store, executedTransactions %i)', (kind, retention) => {
  it('in one process: every executed certificate delivered again is already-executed, and the final state is sequential execution\'s', async () => {
    expect(commitsOf(workload).length).toBeGreaterThan(4); // enough commits for the retention to prune
    const life = await startLife(workload, kind, retention, kind === 'durable' ? await temporaryDatabase() : undefined);
    try {
      await deliverAll(life, workload);
      // The retention did prune: the first certificates' effects are gone, and yet they are known executed.
      const first = workload.steps[0]?.certificate.digest as string;
      expect(await life.store.readExecuted(first)).toBeUndefined();
      const answers = await deliverAgain(life, workload, everyWay(workload), commitsOf(workload).length);
      expect(new Set(answers)).toEqual(new Set(['already-executed']));
      expectOneOutcomeEach([life], workload);
      expect(life.pipeline.manager.counts).toEqual({ pending: 0, executing: 0, missingObjects: 0 });
      expectSequentialFinal(life, workload);
    } finally {
      await stopLife(life);
    }
  }, 60_000);

  if (kind === 'durable') {
    it('after a restart: the markers of the epoch are on disk, so nothing runs again', async () => {
      const path = await temporaryDatabase();
      const first = await startLife(workload, kind, retention, path);
      try {
        await deliverAll(first, workload);
      } finally {
        await stopLife(first);
      }
      const second = await startLife(workload, kind, retention, path);
      try {
        expect(second.pipeline.recovered?.reenqueued).toBe(0);
        const answers = await deliverAgain(second, workload, everyWay(workload), commitsOf(workload).length);
        expect(new Set(answers)).toEqual(new Set(['already-executed']));
        expectOneOutcomeEach([first, second], workload);
        expect(second.store.liveObjects().length).toBe(workload.expectedFinalObjects.length);
        expectSequentialFinal(second, workload);
      } finally {
        await stopLife(second);
      }
    }, 60_000);
  }
});

describe('retention and redeliveries, at random', () => {
  const again: fc.Arbitrary<Again> = fc.oneof(
    fc.record({ kind: fc.constant('redeliver' as const), commit: fc.nat(50) }),
    fc.record({ kind: fc.constant('new-commit' as const), commits: fc.array(fc.nat(50), { minLength: 1, maxLength: 3 }) }),
    fc.record({ kind: fc.constant('resubmit' as const), owned: fc.nat(50) }),
  );

  it('any retention 1..5, any copies, in memory: one outcome each, the sequential final state', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 1_000 }), fc.array(again, { minLength: 1, maxLength: 12 }), async (retention, seed, copies) => {
        const w = generateWorkload({ seed, transactions: 16, accounts: 4, contention: 0.6, sign: false });
        fc.pre(commitsOf(w).length > 0 && ownedOf(w).length > 0);
        const life = await startLife(w, 'memory', retention, undefined);
        try {
          await deliverAll(life, w);
          const answers = await deliverAgain(life, w, copies, commitsOf(w).length);
          expect(new Set(answers)).toEqual(new Set(['already-executed']));
          expectOneOutcomeEach([life], w);
          expectSequentialFinal(life, w);
        } finally {
          await stopLife(life);
        }
      }),
      { numRuns: 25 },
    );
  }, 120_000);

  it('any retention 1..5, any copies, durable across a restart: one outcome each, the sequential final state', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 1_000 }), fc.array(again, { minLength: 1, maxLength: 8 }), async (retention, seed, copies) => {
        const w = generateWorkload({ seed, transactions: 12, accounts: 4, contention: 0.6, sign: false });
        fc.pre(commitsOf(w).length > 0 && ownedOf(w).length > 0);
        const path = await temporaryDatabase();
        const first = await startLife(w, 'durable', retention, path);
        try {
          await deliverAll(first, w);
        } finally {
          await stopLife(first);
        }
        const second = await startLife(w, 'durable', retention, path);
        try {
          const answers = await deliverAgain(second, w, copies, commitsOf(w).length);
          expect(new Set(answers)).toEqual(new Set(['already-executed']));
          expectOneOutcomeEach([first, second], w);
          expectSequentialFinal(second, w);
        } finally {
          await stopLife(second);
        }
      }),
      { numRuns: 8 },
    );
  }, 120_000);
});

describe('across an epoch change', () => {
  /** Commit the shared steps (one commit each, from `firstIndex`), submit the owned ones, in order; the commits used. */
  async function deliverSteps(pipeline: ValidatorPipeline, steps: readonly WorkloadStep[], firstIndex: number) {
    const commits: { digest: string; index: number; certificates: CertifiedTransaction[] }[] = [];
    for (const step of steps) {
      if (!step.shared) {
        await pipeline.submit([step.certificate]);
        continue;
      }
      const commit = { digest: `commit-${firstIndex + commits.length}`, index: firstIndex + commits.length, certificates: [step.certificate] };
      commits.push(commit);
      await pipeline.commit(commit);
    }
    return commits;
  }

  async function until(store: ObjectStore, steps: readonly WorkloadStep[]): Promise<void> {
    const deadline = performance.now() + 20_000;
    while (!(await Promise.all(steps.map((step) => marked(store, step.certificate.digest)))).every(Boolean)) {
      if (performance.now() > deadline) throw new Error('never executed');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  it.each<Kind>(['memory', 'durable'])(
    '%s: the new epoch\'s first batch drops the old markers, and the old certificates delivered again are refused, never run (after a restart too)',
    async (kind) => {
      const generator = new WorkloadGenerator({ seed: 21, accounts: 4, contention: 0.6, sign: false });
      const w0: Workload = { committee: generator.committee, signers: generator.signers, genesis: generator.genesis, steps: generator.next(14), duplicates: [], expectedFinalObjects: [] };
      generator.advanceEpoch(1);
      const fresh = generator.next(8);
      const expected = generator.expectedFinalObjects();
      expect(w0.steps.some((step) => step.shared) && w0.steps.some((step) => !step.shared)).toBe(true);
      const path = kind === 'durable' ? await temporaryDatabase() : undefined;
      const life = await startLife(w0, kind, 1, path);
      const lives = [life];
      try {
        const oldCommits = await deliverSteps(life.pipeline, w0.steps, 0);
        await until(life.store, w0.steps);
        await life.pipeline.reconfigure(generator.committee);
        const newCommits = await deliverSteps(life.pipeline, fresh, oldCommits.length);
        await until(life.store, fresh);
        // The old epoch's records are pruned and its markers dropped: only the new epoch's are kept.
        expect(await marked(life.store, (w0.steps[0] as WorkloadStep).certificate.digest)).toBe(false);
        const again = async (pipeline: ValidatorPipeline, next: number): Promise<string[]> => {
          const answers: string[] = [];
          for (const commit of oldCommits) answers.push(...(await pipeline.commit(commit)));
          answers.push(...(await pipeline.commit({ digest: `late-${next}`, index: next, certificates: oldCommits.map((c) => c.certificates[0] as CertifiedTransaction) })));
          answers.push(...(await pipeline.submit(w0.steps.filter((step) => !step.shared).map((step) => step.certificate))));
          await new Promise((resolve) => setTimeout(resolve, 30));
          return answers;
        };
        const next = oldCommits.length + newCommits.length;
        expect(new Set(await again(life.pipeline, next))).toEqual(new Set(['wrong-epoch']));
        if (kind === 'durable') {
          await stopLife(life);
          const second = await startLife({ ...w0, committee: generator.committee }, kind, 1, path);
          lives.push(second);
          expect(new Set(await again(second.pipeline, next + 1))).toEqual(new Set(['wrong-epoch']));
        }
        const last = lives[lives.length - 1] as Life;
        for (const step of [...w0.steps, ...fresh]) {
          expect(lives.flatMap((l) => l.outcomes.get(step.certificate.digest) ?? []).map((o) => o.kind)).toEqual(['executed']);
        }
        expectSequentialFinal(last, { ...w0, expectedFinalObjects: expected });
      } finally {
        await stopLife(lives[lives.length - 1] as Life);
      }
    },
    60_000,
  );
});
