/*
 * Open the durable store at argv[2] and hold it: prints `open <pid>` (or
 * `refused <problem>: <message>`), then waits until stdin closes or it is killed.
 */
import { LmdbObjectStore } from '../../../../lib/validator/storage/lmdb-object-store';

const path = process.argv[2] as string;
let store: LmdbObjectStore;
try {
  store = LmdbObjectStore.open({ path });
} catch (error) {
  console.log(`refused ${String((error as { problem?: string }).problem)}: ${(error as Error).message}`);
  process.exit(0);
}
console.log(`open ${process.pid}`);
process.stdin.resume();
process.stdin.on('end', () => {
  void store.close().then(() => process.exit(0));
});
