/**
 * `npm run simulate -- --seed N`: run one seed of the simulator (or replay a
 * failure: `--transactions`, `--epochs` and `--faults` narrow it as a shrunk
 * failure's command says). A pass prints a summary (`--trace` the whole
 * trace); a failure prints what broke, the command that replays it, then
 * shrinks it and prints the minimal run's command and trace. Exit code 0 on a
 * pass, 1 on a failure, 2 on a wrong command line.
 */
import { parseArgs } from 'node:util';
import { type SimulateOptions, SimulationInvariantError, formatFailure, shrinkFailure, simulate } from '../../lib/simulation';

const COMMAND = 'npm run simulate';
const HELP = `Run one seed of the deterministic simulation of the whole validator, in virtual time.

Usage: ${COMMAND} -- --seed N [options]

  --seed N            the seed (an integer from 0 to 4294967295); required
  --transactions N    transactions in the workload (default: the seed's choice)
  --epochs N          epochs the workload spans (default: the seed's choice)
  --faults a,b,...    keep only these of the seed's planned faults ("none" for none)
  --trace             print the whole trace of a run that passes
  --no-shrink         on a failure, do not look for a smaller failing run
  --help, -h          this help`;

function usage(message: string): never {
  process.stderr.write(`${COMMAND}: ${message} (see ${COMMAND} -- --help)\n`);
  process.exit(2);
}

function integer(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) usage(`--${name} ${JSON.stringify(text)} is not an integer from ${min} to ${max}`);
  return value;
}

function parse(): { options: SimulateOptions; trace: boolean; shrink: boolean } {
  let values: ReturnType<typeof parseArgs<{ options: Record<string, { type: 'string' | 'boolean'; short?: string }> }>>['values'];
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      strict: true,
      allowPositionals: false,
      options: {
        seed: { type: 'string' },
        transactions: { type: 'string' },
        epochs: { type: 'string' },
        faults: { type: 'string' },
        trace: { type: 'boolean' },
        'no-shrink': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    usage((error as Error).message.split('\n')[0] ?? String(error));
  }
  if (values.help === true) {
    process.stdout.write(`${HELP}\n`);
    process.exit(0);
  }
  const seed = integer('seed', values.seed as string | undefined, 0, 0xffff_ffff);
  if (seed === undefined) usage('--seed N is required');
  const transactions = integer('transactions', values.transactions as string | undefined, 1, 10_000);
  const epochs = integer('epochs', values.epochs as string | undefined, 1, 10);
  const faultsText = values.faults as string | undefined;
  let faults: number[] | undefined;
  if (faultsText !== undefined) {
    faults = faultsText === 'none' ? [] : faultsText.split(',').map((part) => integer('faults', part, 0, 1_000) as number);
  }
  const options: SimulateOptions = {
    seed,
    ...(transactions === undefined ? {} : { transactions }),
    ...(epochs === undefined ? {} : { epochs }),
    ...(faults === undefined ? {} : { faults }),
  };
  return { options, trace: values.trace === true, shrink: values['no-shrink'] !== true };
}

async function main(): Promise<number> {
  const { options, trace, shrink } = parse();
  try {
    const result = await simulate(options);
    if (trace) for (const line of result.trace) console.log(line);
    const { workload } = result.scenario;
    console.log(
      `seed ${result.seed}: every invariant held. ${workload.transactions} transactions over ${workload.epochs} epoch(s), ${result.faults.length} fault(s), ` +
        `${result.outcomes} outcomes, ${result.events} events, ${result.virtualTimeMs.toFixed(3)} ms of virtual time`,
    );
    console.log(`trace ${result.traceDigest}`);
    console.log(`final state ${result.finalStateDigest}`);
    return 0;
  } catch (error) {
    if (!(error instanceof SimulationInvariantError)) throw error;
    console.log(error.message);
    if (!shrink) {
      for (const line of error.trace.slice(-60)) console.log(line);
      return 1;
    }
    console.log('Shrinking...');
    const shrunk = await shrinkFailure(options);
    if (shrunk) console.log(formatFailure(shrunk));
    return 1;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`${COMMAND}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  },
);
