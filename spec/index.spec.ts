import * as api from '../lib';


describe('public API', () => {
  it('exports the driver alone: the names later work and users depend on', () => {
    expect(Object.keys(api).sort()).toEqual(
      [
        'DEFAULT_CONCURRENCY_CEILING',
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
        'LATENCY_WINDOW',
        'MAX_CONCURRENT_EXECUTIONS',
        'MAX_DELAY_MS',
        'MalformedCertificateError',
        'ReadySourceError',
        'RetryClassificationError',
        'TransientExecutionError',
        'createDefaultLogger',
        'describeMalformedCertificate',
        'executeCertificates',
        'serveMetrics',
        'startExecutionDriver',
      ].sort(),
    );
  });

  it('does not carry the validator, which has its own export', () => {
    expect(api).not.toHaveProperty('startValidatorPipeline');
    expect(api).not.toHaveProperty('InMemoryObjectStore');
  });
});
