// Run as a child process by the spec: verifies a few certificates on the
// operator's own pool, leaves as `process.argv[2]` says (complete,
// unsubscribe, error), and must then exit by itself: a worker thread left
// running would keep it alive.
import { Subject } from 'rxjs';
import { verifyCertificates } from '../../../../lib/validator/verifier';
import { digestOf, quorumFixture } from '../fixtures';

const mode = process.argv[2];
const { committee, sign } = quorumFixture(4);
const input = new Subject<number>();
let verified = 0;
const subscription = input
  .pipe(verifyCertificates<number>({ workers: 2, signatureOf: (n) => ({ digest: digestOf(n), quorum: sign(digestOf(n)) }), committeeFor: () => committee }))
  .subscribe({
    next: (v) => {
      if (v.kind === 'verified') verified++;
      if (mode === 'unsubscribe' && verified === 2) {
        subscription.unsubscribe();
        console.log(`unsubscribed after ${verified}`);
      }
    },
    error: (error: unknown) => console.log(`errored: ${(error as Error).message}`),
    complete: () => console.log(`completed: ${verified} verified`),
  });
for (let n = 0; n < 5; n++) input.next(n);
if (mode === 'complete') input.complete();
if (mode === 'error') setTimeout(() => input.error(new Error('source failed')), 200);
