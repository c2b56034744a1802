import type { OptionSpec, OptionValues } from './options';
import type { SimulationOptions } from './simulation';

/**
 * The live pipeline's dials on the command line, shared by the terminal
 * dashboard (with or without a terminal) and the browser one, so every run
 * starts from the same rates unless told otherwise.
 */
export const PIPELINE_OPTIONS = {
  rate: { type: 'integer', default: 2_000, min: 1, max: 1_000_000, help: 'transactions generated per second' },
  concurrency: { type: 'integer', default: 16, min: 1, max: 1_024, help: "the driver's concurrency limit" },
  contention: { type: 'number', default: 0.1, min: 0, max: 0.9, help: 'share of transactions on shared counters' },
  failures: { type: 'number', default: 0.01, min: 0, max: 0.9, help: 'share of store commits that fail for good (sent again)' },
  transient: { type: 'number', default: 0.05, min: 0, max: 0.9, help: 'share of store commits that fail transiently (retried)' },
  seed: { type: 'integer', default: 7, min: 0, max: 2 ** 31 - 1, help: 'seed of the workload, the committee keys and the injected failures' },
  committee: { type: 'integer', default: 4, min: 1, max: 500, help: 'validators in the committee (equal stake, BLS keys derived from the seed)' },
  verify: {
    type: 'flag',
    help: "verify every certificate's BLS quorum signature on the worker pool (the workload signs each one on this thread, about 0.6 ms: with --committee 100, start with --rate 500)",
  },
  workers: { type: 'integer', default: 0, min: 0, max: 64, help: 'verifier worker threads with --verify (0: one per core)' },
  db: {
    type: 'text',
    placeholder: 'PATH',
    help: 'run durable on an LMDB database at PATH (a new one; fsync on); without injected store failures, which are the in-memory store\'s',
  },
} as const satisfies Record<string, OptionSpec>;

export function simulationOptions(values: OptionValues<typeof PIPELINE_OPTIONS>): SimulationOptions {
  return {
    ratePerSecond: values.rate,
    maxConcurrentExecutions: values.concurrency,
    contention: values.contention,
    failureRate: values.failures,
    transientRate: values.transient,
    seed: values.seed,
    ...(values.db === undefined ? {} : { database: values.db }),
    committeeSize: values.committee,
    ...(values.verify ? { verifySignatures: true } : {}),
    ...(values.verify && values.workers > 0 ? { verifierWorkers: values.workers } : {}),
  };
}
