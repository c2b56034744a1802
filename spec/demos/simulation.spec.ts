import { Simulation, WARM_UP_MS, warmUpRate } from '../../demos/shared/simulation';

/** Resolves when `simulation` committed `total`; rejects once it made no progress for `stallMs`. */
async function committedOrStalled(simulation: Simulation, total: number, stallMs: number): Promise<void> {
  const finished = simulation.runFixed(total);
  let last = -1;
  let since = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setInterval(() => {
      const s = simulation.current();
      if (s.committed !== last) {
        last = s.committed;
        since = Date.now();
      } else if (Date.now() - since > stallMs) {
        reject(new Error(`stalled at ${s.committed} of ${total} committed: ${s.retrying} waiting to retry, ${s.manager.pending} pending, refusals ${JSON.stringify(s.refused)}`));
      }
    }, 100);
  });
  try {
    await Promise.race([finished, stalled]);
  } finally {
    clearInterval(timer);
  }
}

describe('Simulation', () => {
  it('runs with the committee size it is given: its pipeline holds that committee, and its snapshots say so', async () => {
    const simulation = await Simulation.start({ committeeSize: 7, ratePerSecond: 500 });
    try {
      expect(simulation.current().committee).toEqual({ size: 7, quorumThreshold: 5 });
      expect(simulation.pipeline.state.loadEpochStoreOneCallPerTask().committee.size).toBe(7);
      await committedOrStalled(simulation, 200, 8_000);
    } finally {
      await simulation.stop('abort');
    }
  }, 30_000);

  it('commits every transaction when failed ones must be sent again while refused ones wait (no livelock)', async () => {
    // Past capacity, so submissions are refused and wait to be retried, with failures sent again meanwhile:
    // a refused certificate that spends a failed one's output must not sit forever at the head of the queue.
    const simulation = await Simulation.start({ ratePerSecond: 8_000, failureRate: 0.08, transientRate: 0.05, contention: 0.1 });
    try {
      await committedOrStalled(simulation, 8_000, 8_000);
      expect(simulation.current().committed).toBe(8_000);
    } finally {
      await simulation.stop('abort');
    }
  }, 90_000);

  it('with verifySignatures, verifies every certificate on the worker pool, shows it, and still commits everything when failed ones are sent again', async () => {
    // Each call waits for its verification: a failed certificate put back at the retry queue's front meanwhile
    // must not be lost by the retry that then takes its chunk out (its dependants would wait for good).
    const simulation = await Simulation.start({ verifySignatures: true, verifierWorkers: 2, ratePerSecond: 1_000, failureRate: 0.05, transientRate: 0.05, contention: 0.1 });
    try {
      expect(simulation.current().verification).toMatchObject({ enabled: true, verified: 0 });
      await committedOrStalled(simulation, 3_000, 8_000);
      const { verification } = simulation.current();
      if (!verification.enabled) throw new Error('verification is off');
      expect(verification.verified).toBeGreaterThanOrEqual(3_000); // resubmissions are verified again (from the cache)
      expect(verification.workers).toBe(2);
      expect(verification.refused).toBe(0);
    } finally {
      await simulation.stop('abort');
    }
    expect(simulation.current().verification).toMatchObject({ enabled: true, workers: 0 }); // the threads are gone with the stop
  }, 90_000);

  it('starts whatever its fault dials: genesis is written before they apply (a failed genesis commit crashed seed 6)', async () => {
    const simulation = await Simulation.start({ ratePerSecond: 1, transientRate: 1, seed: 6 });
    expect(simulation.transientRate).toBe(1);
    await simulation.stop('abort');
  });

  it('moves to the next epoch on its own after epochTransactions commits, so the epoch markers stay bounded', async () => {
    const simulation = await Simulation.start({ ratePerSecond: 4_000, epochTransactions: 300 });
    try {
      const deadline = performance.now() + 30_000;
      while (simulation.current().epoch < 1 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(simulation.current().epoch).toBeGreaterThanOrEqual(1);
      expect(simulation.current().events.some((event) => event.startsWith('epoch 1:'))).toBe(true);
    } finally {
      await simulation.stop('abort');
    }
  }, 40_000);

  it('without verifySignatures, says verification is off', async () => {
    const simulation = await Simulation.start({ ratePerSecond: 1 });
    await simulation.stop('abort');
    expect(simulation.current().verification).toEqual({ enabled: false });
  });

  it('says why the latest submission was refused', async () => {
    // Ready certificates go past the pending limit into their own budget: both budgets are 10 here.
    const simulation = await Simulation.start({ ratePerSecond: 1, limits: { maxPendingAndExecuting: 10, maxPastLimit: 10, maxPerObjectQueue: 2_000, maxQueueAgeMs: 1_000 } });
    try {
      expect(simulation.current().lastRefusal).toBeUndefined();
      simulation.pipeline.driver.pause();
      simulation.burst(50);
      await new Promise((resolve) => setImmediate(resolve));
      expect(simulation.current().lastRefusal).toMatch(/^(pending-and-executing: \d+ pending or executing, limit 10|past-limit: \d+ admitted past the limits to run and \d+ waiting, limit 10 each)$/);
    } finally {
      await simulation.stop('abort');
    }
  });

  it('records a stop: asked, then settled', async () => {
    const simulation = await Simulation.start({ ratePerSecond: 100 });
    expect(simulation.current().stop).toBeUndefined();
    const stopping = simulation.stop('drain');
    expect(simulation.current().stop).toEqual({ mode: 'drain', settled: false });
    await stopping;
    expect(simulation.current().stop).toEqual({ mode: 'drain', settled: true });
  });

  it('warms up: a quarter of the rate at the start, the whole rate from WARM_UP_MS on', () => {
    expect(warmUpRate(2_000, 0)).toBe(500);
    expect(warmUpRate(2_000, WARM_UP_MS / 2)).toBe(1_250);
    expect(warmUpRate(2_000, WARM_UP_MS)).toBe(2_000);
    expect(warmUpRate(2_000, 10 * WARM_UP_MS)).toBe(2_000);
  });
});
