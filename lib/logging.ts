import winston from 'winston';
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
 * a line that will be written, so a disabled level costs one check.
 */
export class DriverLog {
  /** Enabled levels, recomputed only when the logger's level or silence changes. */
  private cachedFor: string | undefined;
  private cachedSilent = false;
  private readonly on = { error: false, warn: false, info: false, debug: false };

  constructor(private readonly logger: winston.Logger) {}

  private enabled(level: 'error' | 'warn' | 'info' | 'debug'): boolean {
    // winston's isLevelEnabled walks the transports: too much to do per certificate.
    const { logger } = this;
    if (logger.level !== this.cachedFor || logger.silent !== this.cachedSilent) {
      this.cachedFor = logger.level;
      this.cachedSilent = logger.silent;
      for (const name of ['error', 'warn', 'info', 'debug'] as const) {
        this.on[name] = !logger.silent && logger.isLevelEnabled(name);
      }
    }
    return this.on[level];
  }

  private forCertificate(digest: string): winston.Logger {
    return this.logger.child({ digest });
  }

  outcome(outcome: ExecutionOutcome): void {
    switch (outcome.kind) {
      case 'executed':
        if (this.enabled('debug')) {
          this.forCertificate(outcome.digest).debug('Certificate executed', {
            attempts: outcome.attempts,
            latencyMs: outcome.latencyMs,
          });
        }
        return;
      case 'skipped':
        if (this.enabled('debug')) {
          this.forCertificate(outcome.digest).debug('Certificate skipped', { reason: outcome.reason });
        }
        return;
      case 'failed':
        if (this.enabled('error')) {
          this.forCertificate(outcome.digest).error('Certificate execution failed', {
            reason: outcome.reason,
            attempts: outcome.attempts,
            error: describeError(outcome.error),
          });
        }
        return;
      case 'fatal':
        if (this.enabled('error')) {
          this.forCertificate(outcome.digest).error('Fork detected: halting execution', {
            expectedEffectsDigest: outcome.error.expectedEffectsDigest,
            actualEffectsDigest: outcome.error.actualEffectsDigest,
          });
        }
        return;
    }
  }

  retrying(digest: string, retry: number, error: unknown): void {
    if (this.enabled('debug')) {
      this.forCertificate(digest).debug('Retrying transient execution failure', { retry, error: describeError(error) });
    }
  }

  concurrencyChanged(limit: number): void {
    if (this.enabled('info')) this.logger.info('Concurrency limit changed', { maxConcurrentExecutions: limit });
  }

  paused(paused: boolean, backlog: number): void {
    if (this.enabled('info')) this.logger.info(paused ? 'Execution paused' : 'Execution resumed', { backlog });
  }

  drained(summary: RunSummary): void {
    if (this.enabled('info')) {
      this.logger.info('Execution driver drained', {
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

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
