/** One life of the crash child: spawned, watched, and ended as planned (crash-harness.ts plans it). */
import { type ChildProcess, spawn } from 'node:child_process';
import type { ChildMessage, StopMessage } from './crash-messages';

/**
 * Where a life of the child ends:
 * - `recovery`: SIGKILL a random moment after the child says it is opening the database (often before it has recovered);
 * - `commits`: SIGKILL a random moment after some executions were reported, while commits are being written;
 * - `between-commits`: SIGKILL as soon as a consensus commit is acknowledged;
 * - `inside-write`: the child SIGKILLs itself inside its n-th write transaction, once its writes are made and before it commits;
 * - `during-sync` (with `powerLoss` only): the child is SIGKILLed inside its n-th sync of the database, its writes made and not yet durable;
 * - `clean-stop`: a stop (`drain` or `abort`), after some executions: a restart after it must behave as after a crash.
 */
export type LifeEnd = 'recovery' | 'commits' | 'between-commits' | 'inside-write' | 'during-sync' | 'clean-stop';

/** Ends the child brings about itself (a SIGKILL from inside): its death by SIGKILL is the plan, not a failure. */
const SELF_INFLICTED: readonly LifeEnd[] = ['inside-write', 'during-sync'];

/** How a life ended: as planned, or not (a stall, a death nobody planned). */
export interface LifeResult {
  readonly end: LifeEnd | 'finished' | 'stalled' | 'died';
  readonly detail?: string;
}

/** What a life is to do, and when it ends. */
export interface LifeOptions {
  readonly end: LifeEnd | undefined;
  readonly budget: { readonly executed: number; readonly commits: number };
  readonly recoveryDelayMs: number;
  readonly stopMode: 'drain' | 'abort';
  readonly stallMs: number;
  /** After the executions that trigger a `commits` kill, this long before it (ms): the kill lands anywhere in the next commits. */
  readonly jitterMs: number;
  readonly onMessage: (message: ChildMessage) => void;
}

/** One life: spawn, watch, end it as planned; resolves once the child is gone and its last messages are read. */
export function runLife(
  command: { file: string; env: NodeJS.ProcessEnv },
  jobFile: string,
  options: LifeOptions,
): Promise<{ result: LifeResult; recovered: boolean }> {
  return new Promise((resolve) => {
    const child: ChildProcess = spawn(process.execPath, ['--enable-source-maps', command.file, jobFile], {
      env: command.env,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const state = { recovered: false };
    let stderr = '';
    let result: LifeResult | undefined;
    let executed = 0;
    let commits = 0;
    let stall: NodeJS.Timeout | undefined;
    let exited = false;
    let disconnected = !child.connected;
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2_000);
    });
    const kill = (end: LifeResult) => {
      result ??= end;
      child.kill('SIGKILL');
    };
    const stop = () => {
      if (result) return;
      result = { end: options.end === 'clean-stop' ? 'clean-stop' : 'finished' };
      child.send({ type: 'stop', mode: options.end === 'clean-stop' ? options.stopMode : 'drain' } satisfies StopMessage);
    };
    const watch = () => {
      clearTimeout(stall);
      if (!result) stall = setTimeout(() => kill({ end: 'stalled', detail: `no progress for ${options.stallMs} ms (${executed} executed in this life)` }), options.stallMs);
    };
    watch();
    child.on('message', (message: ChildMessage) => {
      options.onMessage(message);
      watch();
      if (result) return; // already ending: its last words still count
      switch (message.type) {
        case 'recovering':
          if (options.end === 'recovery') setTimeout(() => kill({ end: 'recovery' }), options.recoveryDelayMs);
          return;
        case 'recovered':
          state.recovered = true;
          return;
        case 'executed':
          executed++;
          if (options.end === 'commits' && executed >= options.budget.executed) setTimeout(() => kill({ end: 'commits' }), options.jitterMs);
          if (options.end === 'clean-stop' && executed >= options.budget.executed) stop();
          return;
        case 'committed':
          commits++;
          if (options.end === 'between-commits' && commits >= options.budget.commits) kill({ end: 'between-commits' });
          return;
        case 'done':
          stop();
          return;
        default:
          return;
      }
    });
    const settle = () => {
      if (!exited || !disconnected) return;
      clearTimeout(stall);
      resolve({ result: result ?? { end: 'died', detail: `the child exited by itself${stderr ? `: ${stderr.trim()}` : ''}` }, recovered: state.recovered });
    };
    child.on('disconnect', () => {
      disconnected = true;
      settle();
    });
    child.on('exit', (code, signal) => {
      exited = true;
      if (!result && signal === 'SIGKILL' && options.end !== undefined && SELF_INFLICTED.includes(options.end)) result = { end: options.end };
      else if (result && (result.end === 'finished' || result.end === 'clean-stop') && code !== 0) {
        result = { end: 'died', detail: `the child exited with ${signal ?? code} after a stop${stderr ? `: ${stderr.trim()}` : ''}` };
      }
      disconnected ||= !child.connected;
      settle();
    });
  });
}
