import winston from 'winston';
import { describeValue } from './describe-value';
import type { ExecutionOutcome, RunSummary } from './outcomes';

let defaultLogger: winston.Logger | undefined;

/**
 * The logger used when none is injected: JSON lines on stderr (stdout belongs
 * to the embedding application), level from `EXECUTION_DRIVER_LOG_LEVEL`
 * (default `info`), silent under `NODE_ENV=test`.
 */
export function createDefaultLogger(): winston.Logger {
  defaultLogger ??= winston.createLogger({
    level: process.env.EXECUTION_DRIVER_LOG_LEVEL ?? 'info',
    silent: process.env.NODE_ENV === 'test',
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    defaultMeta: { component: 'execution-driver' },
    transports: [new winston.transports.Console({ stderrLevels: Object.keys(winston.config.npm.levels) })],
  });
  return defaultLogger;
}

/**
 * The driver's log lines. A child logger carrying the digest is made only for
 * a line that will be written, so a disabled level costs one check. The logger
 * is the embedder's code: whatever it throws is swallowed here, so a broken
 * logger never costs a certificate its outcome or the run its stream.
 */
export class DriverLog {
  /** Enabled levels, recomputed only when the logger's level or silence changes. */
  private cachedFor: unknown;
  private cachedSilent: unknown = false;
  private readonly on = { error: false, warn: false, info: false, debug: false };

  constructor(private readonly logger: winston.Logger) {}

  private enabled(level: Level): boolean {
    try {
      // winston's isLevelEnabled walks the transports: too much to do per certificate.
      const { logger } = this;
      if (logger.level !== this.cachedFor || logger.silent !== this.cachedSilent) {
        this.cachedFor = logger.level;
        this.cachedSilent = logger.silent;
        for (const name of LEVELS) this.on[name] = !logger.silent && logger.isLevelEnabled(name);
      }
      return this.on[level];
    } catch {
      return false;
    }
  }

  private write(level: Level, message: string, meta: object, digest?: string): void {
    try {
      const logger = digest === undefined ? this.logger : this.logger.child({ digest });
      logger[level](message, meta);
    } catch {
      // The logger is not ours to fix; the run goes on.
    }
  }

  outcome(outcome: ExecutionOutcome): void {
    switch (outcome.kind) {
      case 'executed':
        if (this.enabled('debug')) {
          this.write('debug', 'Certificate executed', { attempts: outcome.attempts, latencyMs: outcome.latencyMs }, outcome.digest);
        }
        return;
      case 'skipped':
        if (this.enabled('debug')) this.write('debug', 'Certificate skipped', { reason: outcome.reason }, outcome.digest);
        return;
      case 'failed':
        if (this.enabled('error')) {
          this.write(
            'error',
            'Certificate execution failed',
            { reason: outcome.reason, attempts: outcome.attempts, error: describeError(outcome.error) },
            outcome.digest,
          );
        }
        return;
      case 'fatal':
        if (this.enabled('error')) {
          this.write(
            'error',
            'Fork detected: halting execution',
            { expectedEffectsDigest: outcome.error.expectedEffectsDigest, actualEffectsDigest: outcome.error.actualEffectsDigest },
            outcome.digest,
          );
        }
        return;
    }
  }

  retrying(digest: string, retry: number, error: unknown): void {
    if (this.enabled('debug')) this.write('debug', 'Retrying transient execution failure', { retry, error: describeError(error) }, digest);
  }

  concurrencyChanged(limit: number): void {
    if (this.enabled('info')) this.write('info', 'Concurrency limit changed', { maxConcurrentExecutions: limit });
  }

  paused(paused: boolean, backlog: number): void {
    if (this.enabled('info')) this.write('info', paused ? 'Execution paused' : 'Execution resumed', { backlog });
  }

  drained(summary: RunSummary): void {
    if (this.enabled('info')) {
      this.write('info', 'Execution driver drained', {
        executed: summary.executed,
        skipped: summary.skipped,
        failed: summary.failed,
        fatal: summary.fatal,
        retries: summary.retries,
        unstarted: summary.unstarted.length,
      });
    }
  }
}

type Level = 'error' | 'warn' | 'info' | 'debug';
const LEVELS: readonly Level[] = ['error', 'warn', 'info', 'debug'];

function describeError(error: unknown): string {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}` : describeValue(error);
  } catch {
    return describeValue(error);
  }
}
