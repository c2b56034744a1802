import {
  DriverAlreadySpawnedError,
  ExecutionAbortedError,
  ExecutionDriverError,
  ForkDetectedError,
  InvalidExecutionResultError,
  InvalidOptionError,
  MalformedCertificateError,
  ReadySourceError,
  TransientExecutionError,
} from '../lib';
import { pending } from './support/certificates';

describe('errors', () => {
  it.each([
    ['TransientExecutionError', new TransientExecutionError('object store busy, try again')],
    ['MalformedCertificateError', new MalformedCertificateError('certificate is missing', {})],
    ['InvalidExecutionResultError', new InvalidExecutionResultError('a', 'no effects digest')],
    ['ExecutionAbortedError', new ExecutionAbortedError()],
    ['ForkDetectedError', new ForkDetectedError(pending('a'), 'fx-1', 'fx-2')],
    ['ReadySourceError', new ReadySourceError(new Error('down'))],
    ['InvalidOptionError', new InvalidOptionError('maxConcurrentExecutions', 0, 'an integer >= 1')],
    ['DriverAlreadySpawnedError', new DriverAlreadySpawnedError()],
  ])('%s is a named ExecutionDriverError', (name, error) => {
    expect(error.name).toBe(name);
    expect(error).toBeInstanceOf(ExecutionDriverError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(error.constructor.name);
    expect(error.message.length).toBeGreaterThan(10);
  });

  it('says what forked', () => {
    const error = new ForkDetectedError(pending('tx1'), 'fx-expected', 'fx-actual');
    expect(error.message).toBe('Fork detected executing tx1: expected effects fx-expected, got fx-actual');
    expect(error.pending.certificate.digest).toBe('tx1');
  });

  it('keeps the cause of a source failure', () => {
    const cause = new Error('socket closed');
    expect(new ReadySourceError(cause).cause).toBe(cause);
  });
});
