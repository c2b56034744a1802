/**
 * Run one seed and print what identifies the run, as JSON on one line: the
 * determinism spec starts this in child processes and compares them.
 * Usage: node --import tsx spec/simulation/print-run.ts <seed>
 */
import { createHash } from 'node:crypto';
import { simulate } from '../../lib/simulation';

async function main(): Promise<void> {
  const result = await simulate({ seed: Number(process.argv[2]) });
  const outcomes = result.trace.filter((line) => /#\d+ (executed|skipped|failed|fatal) /.test(line));
  process.stdout.write(
    `${JSON.stringify({
      traceDigest: result.traceDigest,
      finalStateDigest: result.finalStateDigest,
      // Computed here, from the lines, as well as by the simulation itself.
      wholeTrace: createHash('sha256').update(result.trace.join('\n')).digest('hex'),
      outcomeSequence: createHash('sha256').update(outcomes.join('\n')).digest('hex'),
      lines: result.trace.length,
      pid: process.pid,
    })}\n`,
  );
}

void main();
