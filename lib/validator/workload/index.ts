/** Seeded, signed workloads for tests, demos and benchmarks. */
export { WorkloadGenerator, generateWorkload } from './workload';
export type { Workload, WorkloadGeneratorOptions, WorkloadOptions, WorkloadStep } from './workload';
export { seededRandom } from './seeded-random';
