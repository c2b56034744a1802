import winston from 'winston';
import Transport from 'winston-transport';

/** A logger that writes nothing. */
export const silentLogger = winston.createLogger({ silent: true });

/** A winston transport that keeps every log entry, for assertions. */
export class CapturingTransport extends Transport {
  readonly entries: Record<string, unknown>[] = [];

  override log(info: Record<string, unknown>, next: () => void): void {
    this.entries.push(info);
    next();
  }
}

/** A logger at `level` whose entries land in the returned transport. */
export function capturingLogger(level = 'debug'): { logger: winston.Logger; transport: CapturingTransport } {
  const transport = new CapturingTransport();
  return { logger: winston.createLogger({ level, transports: [transport] }), transport };
}
