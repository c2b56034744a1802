/** What the crash harness's parent and child say to each other (over the IPC channel of `spawn`). */
import type { EnqueueResult, RecoveryReport } from '../../lib/validator';

/**
 * Faults a child can be told to have, to prove the harness catches a store that is not durable:
 * `ack-before-write`, a store that acknowledges commits 20 ms before it writes them;
 * `no-sync`, the store opened with `sync: false` (commits never wait for the disk: only a power loss,
 * not a kill, loses them);
 * `overlapping-sync`, lmdb-js's `overlappingSync` turned back on (documented as resolving commits once
 * visible, before they are synced; lmdb-js 3.5 syncs before it resolves even so, and the harness finds nothing).
 */
export type InjectedFault = 'none' | 'ack-before-write' | 'no-sync' | 'overlapping-sync';

/** One life of the child: what it delivers, and where it kills itself, if anywhere. */
export interface ChildJob {
  readonly database: string;
  /** The plan's file (crash-plan.ts `writeChildPlan`). */
  readonly planFile: string;
  /** Owned steps to submit (the clients': every one they have not seen executed). */
  readonly owned: readonly number[];
  /** Owned steps to submit a second time, as a client that resends does. */
  readonly ownedDuplicates: readonly number[];
  /** The first commit index consensus delivers (at or below the last one acknowledged: redeliveries). */
  readonly commitsFrom: number;
  /** Calls to the pipeline in flight at once. */
  readonly window: number;
  /** SIGKILL itself inside its n-th durable write transaction, halfway through it (1-based). */
  readonly killInsideWrite?: number;
  readonly fault: InjectedFault;
}

/** Child to parent. */
export type ChildMessage =
  | { readonly type: 'recovering' }
  | { readonly type: 'recovered'; readonly report: RecoveryReport; readonly ms: number }
  | { readonly type: 'accepted'; readonly step: number; readonly result: EnqueueResult }
  | { readonly type: 'committed'; readonly index: number; readonly results: readonly EnqueueResult[] }
  | { readonly type: 'executed'; readonly digest: string; readonly effects: string }
  | { readonly type: 'failed'; readonly digest: string; readonly detail: string }
  | { readonly type: 'error'; readonly detail: string }
  | { readonly type: 'done' }
  | { readonly type: 'stopped'; readonly mode: 'drain' | 'abort' };

/** Parent to child: stop cleanly (the restart after it must behave as after a crash). */
export interface StopMessage {
  readonly type: 'stop';
  readonly mode: 'drain' | 'abort';
}
