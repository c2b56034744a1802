import type { ExecutionDriverHandle } from '../../execution-driver';

/**
 * Who holds the pipeline's driver paused: its user (`pipeline.driver.pause()`),
 * a reconfiguration switching the epoch, or both. The driver runs again only
 * when neither does, so a reconfiguration never resumes a driver its user
 * paused meanwhile, and a user's resume during the switch waits for its end.
 */
export class DriverPause {
  private byUser: boolean;
  private switches = 0;

  constructor(private readonly driver: Pick<ExecutionDriverHandle, 'pause' | 'resume' | 'paused'>) {
    this.byUser = driver.paused;
  }

  /** The user's pause. */
  pause(): void {
    this.byUser = true;
    this.driver.pause();
  }

  /** The user's resume: at once, or when the switch in progress ends. */
  resume(): void {
    this.byUser = false;
    if (this.switches === 0) this.driver.resume();
  }

  /** A reconfiguration begins: nothing new starts until `endSwitch`. */
  beginSwitch(): void {
    this.switches++;
    this.driver.pause();
  }

  endSwitch(): void {
    this.switches--;
    if (this.switches === 0 && !this.byUser) this.driver.resume();
  }
}
