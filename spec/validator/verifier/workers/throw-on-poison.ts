import { parentPort } from 'node:worker_threads';

// Registered before the real worker's listener: it stops the batch from
// reaching it, then throws, and the uncaught error ends the thread.
const POISON = Buffer.from([0xde, 0xad, 0xbe, 0xef]);
parentPort?.addEventListener('message', (event) => {
  const message = (event as Event & { data: { type: string; items?: ArrayBuffer } }).data;
  if (message.type === 'verify' && message.items !== undefined && Buffer.from(message.items).includes(POISON)) {
    event.stopImmediatePropagation();
    throw new Error('poisoned batch');
  }
});
