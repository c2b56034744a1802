import { of } from 'rxjs';
import { ExecutionDriver } from '../lib';
import { DriverLog } from '../lib/logging';
import { pending, result } from './support/certificates';
import { ScriptedAuthorityState } from './support/scripted-authority-state';
import { capturingLogger } from './support/silent-logger';

function runWith(level: string) {
  const { logger, transport } = capturingLogger(level);
  const state = new ScriptedAuthorityState((c) => {
    if (c.digest === 'bad') throw new Error('boom');
    return of(result(c.digest));
  });
  const handle = new ExecutionDriver({
    readyCertificates: of(pending('good'), pending('bad'), pending('forked', { expectedEffectsDigest: 'x' })),
    authorityState: state,
    logger,
  }).spawn();
  return { handle, entries: transport.entries };
}

describe('DriverLog', () => {
  it('logs success at debug and failure at error, each with the digest, and a summary at drain', async () => {
    const { handle, entries } = runWith('debug');
    await handle.done.catch(() => undefined);
    expect(entries).toEqual([
      expect.objectContaining({ level: 'debug', message: 'Certificate executed', digest: 'good', attempts: 1 }),
      expect.objectContaining({
        level: 'error',
        message: 'Certificate execution failed',
        digest: 'bad',
        reason: 'execution-error',
        error: 'Error: boom',
      }),
      expect.objectContaining({
        level: 'error',
        message: 'Fork detected: halting execution',
        digest: 'forked',
        expectedEffectsDigest: 'x',
        actualEffectsDigest: 'fx-forked',
      }),
      expect.objectContaining({ level: 'info', message: 'Execution driver drained', executed: 1, failed: 1, fatal: 1 }),
    ]);
  });

  it('writes nothing below the level, and makes no child logger for it', async () => {
    const { logger, transport } = capturingLogger('error');
    const child = jest.spyOn(logger, 'child');
    const log = new DriverLog(logger);
    log.retrying('a', 1, new Error('busy'));
    log.outcome({ kind: 'skipped', reason: 'wrong-epoch', digest: 'a', pending: pending('a'), queueingDelayMs: 0 });
    expect(child).not.toHaveBeenCalled();
    expect(transport.entries).toEqual([]);
    const { handle, entries } = runWith('warn');
    await handle.done.catch(() => undefined);
    expect(entries.map((e) => e.level)).toEqual(['error', 'error']);
  });

  it('follows a level changed at run time', () => {
    const { logger, transport } = capturingLogger('info');
    const log = new DriverLog(logger);
    log.retrying('a', 1, 'busy');
    logger.level = 'debug';
    log.retrying('b', 1, 'busy');
    logger.silent = true;
    log.retrying('c', 1, 'busy');
    expect(transport.entries.map((e) => e.digest)).toEqual(['b']);
  });

  it('is silent when the logger is', async () => {
    const { logger, transport } = capturingLogger('debug');
    logger.silent = true;
    const child = jest.spyOn(logger, 'child');
    new DriverLog(logger).retrying('a', 1, 'x');
    expect(child).not.toHaveBeenCalled();
    expect(transport.entries).toEqual([]);
    await Promise.resolve();
  });
});
