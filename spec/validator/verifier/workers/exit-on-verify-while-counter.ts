import { parentPort, workerData } from 'node:worker_threads';

// Registered before the real worker's listener, so it runs first.
const { counter } = workerData as { counter: Int32Array };
parentPort?.on('message', (message: { type: string }) => {
  if (message.type === 'verify' && Atomics.sub(counter, 0, 1) > 0) process.exit(3);
});
