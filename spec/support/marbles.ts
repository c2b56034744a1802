import { TestScheduler } from 'rxjs/testing';
import { ExecutionDriver, type ExecutionDriverOptions } from '../../lib';
import { silentLogger } from './silent-logger';

/** A TestScheduler that compares with jest's deep equality. */
export function newScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });
}

/** A driver that logs nothing. */
export function driver(options: Omit<ExecutionDriverOptions, 'logger'>): ExecutionDriver {
  return new ExecutionDriver({ logger: silentLogger, ...options });
}
