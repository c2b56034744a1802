/**
 * Recovery of one database, this tree's store against another tree's, in one
 * process, interleaved round by round (medians): a child of this tree holds
 * `--certificates` accepted-but-unexecuted certificates on disk and is killed
 * (as bench/durable-recovery.ts does), then each round times, on a fresh copy
 * of that file, `startValidatorPipeline` until recovered, with each tree.
 *
 *   npx tsx bench/recovery-against.ts --against=/path/to/other/lib [--certificates=100000] [--rounds=5]
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import winston from 'winston';
import * as ours from '../lib/validator';
import { median } from './stats';

type Validator = typeof ours;
const argument = (name: string) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const against = argument('against');
const COUNT = Number(argument('certificates') ?? 100_000);
const ROUNDS = Number(argument('rounds') ?? 5);
const silent = winston.createLogger({ silent: true });
const NO_LIMITS = { maxPendingAndExecuting: 10_000_000, maxPerObjectQueue: 10_000_000, maxQueueAgeMs: Number.POSITIVE_INFINITY, maxAwaitingCreation: 10_000_000, maxAwaitingCreationAgeMs: Number.POSITIVE_INFINITY };
const WORKLOAD = { seed: 21, accounts: 5_000, contention: 0.1, hotCounters: 4, invalidShare: 0.02, sign: false };

function hold(path: string): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'durable-recovery.ts'), `--hold=${path}`, `--certificates=${COUNT}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((done, fail) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (/held \d+/.test(chunk)) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? done() : fail(new Error(`the child exited (${code ?? signal})`))));
  });
}

/** Open a copy of the held database with `validator`, time until the pipeline recovered (ms), then stop without running it. */
async function recover(validator: Validator, path: string): Promise<number> {
  await validator.digestsReady();
  const { genesis } = new validator.WorkloadGenerator(WORKLOAD);
  const started = performance.now();
  const database = validator.LmdbObjectStore.open({ path });
  const recorded = database.epochTables.committee();
  if (!recorded) throw new Error('no committee recorded');
  const pipeline = await validator.startValidatorPipeline({
    committee: new validator.Committee(recorded.epoch, recorded.validators),
    genesis,
    database,
    verifySignatures: false,
    logger: silent,
    limits: NO_LIMITS,
  });
  const ms = performance.now() - started;
  if ((pipeline.recovered?.reenqueued ?? 0) < COUNT * 0.9) throw new Error(`recovered ${pipeline.recovered?.reenqueued}`);
  pipeline.driver.pause();
  await pipeline.stop({ mode: 'abort' });
  await database.close();
  return ms;
}

async function main(): Promise<void> {
  if (against === undefined) throw new Error('--against=<lib> of the other tree');
  const theirs = (await import(resolve(against, 'validator'))) as Validator;
  const folder = mkdtempSync(join(tmpdir(), 'soma-recovery-against-'));
  try {
    const held = join(folder, 'held.mdb');
    await hold(held);
    const times: Record<'this tree' | 'against', number[]> = { 'this tree': [], against: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? (['this tree', 'against'] as const) : (['against', 'this tree'] as const);
      for (const who of order) {
        const copy = join(folder, `copy-${round}-${who === 'against' ? 'b' : 'a'}.mdb`);
        copyFileSync(held, copy);
        times[who].push(await recover(who === 'against' ? theirs : ours, copy));
        rmSync(copy, { force: true });
        rmSync(`${copy}-lock`, { force: true });
      }
    }
    for (const [who, list] of Object.entries(times)) console.log(`${who}: median ${Math.round(median(list))} ms to recover ${COUNT} (${list.map(Math.round).join(', ')})`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
void main();
