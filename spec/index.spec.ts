import * as api from '../lib';

describe('public API', () => {
  it('exports the names later work and users depend on', () => {
    expect(Object.keys(api).sort()).toEqual(
      [
        'DEFAULT_MAX_CONCURRENT_EXECUTIONS',
        'DEFAULT_RETRY',
        'DriverAlreadySpawnedError',
        'ExecutionAbortedError',
        'ExecutionDriver',
        'ExecutionDriverError',
        'ExecutionDriverMetrics',
        'ForkDetectedError',
        'InvalidExecutionResultError',
        'InvalidOptionError',
        'MAX_CONCURRENT_EXECUTIONS',
        'MalformedCertificateError',
        'ReadySourceError',
        'TransientExecutionError',
        'createDefaultLogger',
        'describeMalformedCertificate',
        'executeCertificates',
        'startExecutionDriver',
      ].sort(),
    );
  });
});
