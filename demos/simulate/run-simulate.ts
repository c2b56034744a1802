import { createHash } from 'node:crypto';
import { type PlannedFault, type SimulationResult, SimulationInvariantError, simulate } from '../../lib/simulation';

/** Options of {@link runSimulateDemo}. */
export interface SimulateDemoOptions {
  readonly seed: number;
  /** Columns of the timeline chart. */
  readonly width: number;
  readonly print: (line: string) => void;
}

const FAULT_MARK: Record<PlannedFault['kind'], string> = { crash: 'C', stop: 'S', 'store-faults': 'F', 'disk-full': 'D', concurrency: 'L', pause: 'P' };
const LEVELS = ' ▁▂▃▄▅▆▇█';
/** The trace lines the timeline lists: faults, the process's lives, epochs, the end. */
const NOTABLE = /fault \d+:|#\d+ (start|up|crash|stop)|epoch \d+ begins|reconfigure|every certificate|^ *[\d.]+ {2}end:|VIOLATION/;

/**
 * `npm run demo:simulate`: run one seed of the simulator, draw its timeline
 * (the process's lives, executions, faults and epoch changes in virtual
 * time) and its notable events, then run the same seed again and show that
 * the two runs are the same run: equal trace and final-state digests.
 * Resolves true when they are (a failing seed fails the same way twice).
 */
export async function runSimulateDemo({ seed, width, print }: SimulateDemoOptions): Promise<boolean> {
  const first = await attempt(seed);
  if (first.result) drawRun(first.result, width, print);
  else if (first.failure) drawFailure(first.failure, print);
  print('');
  print(`Replaying seed ${seed} ...`);
  const second = await attempt(seed);
  print(`  first run:  trace ${first.traceDigest}  final state ${first.stateDigest}`);
  print(`  replay:     trace ${second.traceDigest}  final state ${second.stateDigest}`);
  const same = first.traceDigest === second.traceDigest && first.stateDigest === second.stateDigest;
  print('');
  print(same ? 'The run is over: the replay was the same run, byte for byte.' : 'The run is over: THE REPLAY DIFFERED.');
  return same;
}

interface Attempt {
  readonly result?: SimulationResult;
  readonly failure?: SimulationInvariantError;
  readonly traceDigest: string;
  readonly stateDigest: string;
}

async function attempt(seed: number): Promise<Attempt> {
  try {
    const result = await simulate({ seed });
    return { result, traceDigest: result.traceDigest, stateDigest: result.finalStateDigest };
  } catch (error) {
    if (!(error instanceof SimulationInvariantError)) throw error;
    const digest = createHash('sha256').update(error.trace.join('\n')).digest('hex');
    return { failure: error, traceDigest: digest, stateDigest: `(broke ${error.invariant})` };
  }
}

function drawRun(result: SimulationResult, width: number, print: (line: string) => void): void {
  const { workload, pipeline } = result.scenario;
  const shared = result.trace.filter((line) => / shared, epoch /.test(line)).length;
  print(
    `Seed ${result.seed} in virtual time: ${workload.transactions} transactions (${shared} shared) over ${workload.epochs} epoch(s), ` +
      `${workload.accounts} accounts, concurrency ${pipeline.maxConcurrentExecutions}, ${result.faults.length} fault(s) planned.`,
  );
  print(`Every invariant held: ${result.outcomes} outcomes, ${result.events} events, ${result.virtualTimeMs.toFixed(1)} ms of virtual time.`);
  print('');
  for (const row of timelineRows(result, width)) print(row);
  print('');
  print('Notable events:');
  const notable = result.trace.filter((line) => NOTABLE.test(line));
  for (const line of notable.slice(0, 40)) print(line);
  if (notable.length > 40) print(`   ... ${notable.length - 40} more (npm run simulate -- --seed ${result.seed} --trace prints the whole trace)`);
}

function drawFailure(failure: SimulationInvariantError, print: (line: string) => void): void {
  print(`Seed ${failure.seed} broke ${failure.invariant} at ${failure.virtualTimeMs.toFixed(3)} ms: ${failure.detail}`);
  print(`Replay it with: ${failure.replay}`);
  print('');
  print('The end of its trace:');
  for (const line of failure.trace.slice(-20)) print(line);
}

/** The chart: an axis, the process (█ up, ░ starting, blank down), executions per column, faults and epoch changes. */
export function timelineRows(result: SimulationResult, width: number): string[] {
  const end = Math.max(result.virtualTimeMs, 1e-3);
  const column = (ms: number) => Math.min(width - 1, Math.max(0, Math.floor((ms / end) * width)));
  const process = Array.from({ length: width }, () => ' ');
  for (const life of result.timeline.processes) {
    const until = life.endedMs ?? end;
    for (let c = column(life.startedMs); c <= column(until); c++) process[c] = life.upMs !== undefined && (c * end) / width >= life.upMs ? '█' : '░';
  }
  const executed = Array.from({ length: width }, () => 0);
  for (const at of result.timeline.executedAtMs) executed[column(at)] = (executed[column(at)] ?? 0) + 1;
  const most = Math.max(1, ...executed);
  const bars = executed.map((n) => (n === 0 ? ' ' : (LEVELS[Math.max(1, Math.round((n / most) * (LEVELS.length - 1)))] as string)));
  const faults = Array.from({ length: width }, () => ' ');
  for (const { fault } of result.faults) faults[column(fault.atMs)] = FAULT_MARK[fault.kind];
  for (const at of result.timeline.epochChangesAtMs) faults[column(at)] = 'E';
  const axis = Array.from({ length: width }, () => '─');
  const labels = Array.from({ length: width + 12 }, () => ' ');
  for (let c = 0; c < width; c += 16) {
    axis[c] = '┬';
    const text = ((c / width) * end).toFixed(0);
    for (let i = 0; i < text.length; i++) labels[c + i] = text[i] as string;
  }
  const label = (name: string) => name.padEnd(11);
  return [
    `${label('ms')}${labels.join('').trimEnd()}`,
    `${label('')}${axis.join('')} ${end.toFixed(1)}`,
    `${label('process')}${process.join('')}`,
    `${label('executed')}${bars.join('')}`,
    `${label('faults')}${faults.join('')}`,
    `${label('')}█ up  ░ starting/recovering  C crash  S stop  F store faults  D disk full  L limit  P pause  E new epoch`,
  ];
}
