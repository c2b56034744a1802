/**
 * The version every object a transaction writes gets: one past the highest
 * version it reads, its gas coin and every input (a Lamport clock). The
 * TransactionManager predicts it to sequence shared objects before anything
 * runs, and executeTransaction writes it: one function, so the prediction
 * and the execution cannot drift apart.
 */
export function lamportVersion<T>(gasVersion: number, inputs: Iterable<T>, versionOf: (input: T) => number): number {
  let highest = gasVersion;
  for (const input of inputs) {
    const version = versionOf(input);
    if (version > highest) highest = version;
  }
  return highest + 1;
}
