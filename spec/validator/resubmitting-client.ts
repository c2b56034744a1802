import type { CertifiedTransaction } from '../../lib/validator/certificates/certified-transaction';
import { OverloadedError } from '../../lib/validator/errors';
import type { ValidatorPipeline } from '../../lib/validator/pipeline/validator-pipeline';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A client as one under overload behaves: every refused certificate (an
 * `OverloadedError`) and every one handed back is submitted again, alone,
 * after a random delay, until the pipeline accepts it.
 */
export class ResubmittingClient {
  refusals = 0;
  handBacks = 0;
  private outstanding = 0;
  private stopped = false;

  constructor(
    private readonly pipeline: ValidatorPipeline,
    private readonly delayMs: () => number,
  ) {
    pipeline.handedBack$.subscribe(({ certificate }) => {
      this.handBacks++;
      this.later([certificate]);
    });
  }

  /** Submit `certificates` in one call; what is refused goes back one by one. */
  submit(certificates: readonly CertifiedTransaction[]): Promise<void> {
    this.outstanding++;
    return this.pipeline.submit(certificates).then(
      () => {
        this.outstanding--;
      },
      (error: unknown) => {
        this.outstanding--;
        if (!(error instanceof OverloadedError) || this.stopped) throw error;
        this.refusals++;
        for (const certificate of certificates) this.later([certificate]);
      },
    );
  }

  /** Stop resubmitting (before stopping the pipeline). */
  stop(): void {
    this.stopped = true;
  }

  /** Calls not settled yet, retries waiting included. */
  get busy(): number {
    return this.outstanding;
  }

  private later(certificates: readonly CertifiedTransaction[]): void {
    if (this.stopped) return;
    this.outstanding++;
    void pause(this.delayMs()).then(() => {
      this.outstanding--;
      if (!this.stopped) void this.submit(certificates);
    });
  }
}

/** Resolve when `done()` holds, or reject saying `progress()` after `ms` (a stall fails, not the suite's timeout). */
export async function until(done: () => boolean, progress: () => string, ms = 4_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`stalled: ${progress()}`);
    await pause(2);
  }
}
