/**
 * lmdb-js prints a failed write transaction itself (`console.error` in its
 * write.js) before it rejects the write, and the store turns that rejection
 * into a typed error (`StoreFullError`, ...) that the specs assert. So the
 * print is noise. Worse, with jest running every file in one process (two
 * cores: one worker), a write of a file already torn down (a full tmpfs, a
 * database the power-loss shim cut short) can print during the next one, and
 * jest fails the whole run for a log after its tests were done. Only that
 * print is dropped: an error (native, so not an `instanceof Error` of this
 * realm) thrown from lmdb-js's own write path.
 */
const print = console.error.bind(console);
console.error = (...args: unknown[]): void => {
  const [first] = args;
  const stack = typeof first === 'object' && first !== null ? (first as { stack?: unknown }).stack : undefined;
  const fromLmdbWriter = typeof stack === 'string' && /[\\/]node_modules[\\/]lmdb[\\/]write\.js:/.test(stack);
  if (!fromLmdbWriter) print(...args);
};
