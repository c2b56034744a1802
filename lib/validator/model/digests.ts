import { blake2b } from '@noble/hashes/blake2';
import { type IHasher, createBLAKE2b } from 'hash-wasm';
import { hex32At } from './hex32';
import type { Digest } from './objects';

/**
 * What a digest is of. The scope is hashed first (as Sui's intent), so bytes
 * that encode one kind of thing can never collide with another kind's digest.
 */
export type DigestScope = 'TransactionData' | 'Object' | 'TransactionEffects';

/** The byte each scope's digests start with. */
export const SCOPE_BYTE: Readonly<Record<DigestScope, number>> = { TransactionData: 0, TransactionEffects: 1, Object: 2 };
const SCOPE_BYTES: Record<DigestScope, Uint8Array> = {
  TransactionData: Uint8Array.of(SCOPE_BYTE.TransactionData),
  TransactionEffects: Uint8Array.of(SCOPE_BYTE.TransactionEffects),
  Object: Uint8Array.of(SCOPE_BYTE.Object),
};

/**
 * Blake2b-256 runs in WebAssembly (hash-wasm) once it has compiled, about six
 * times faster than JavaScript on the short inputs digests cover
 * (bench/validator.ts). Compiling is asynchronous, so until it is done, or if
 * WebAssembly is unavailable, the same function runs in JavaScript
 * (@noble/hashes). Both give the same bytes (spec/validator/model/digests.spec.ts).
 */
let wasm: IHasher | undefined;
const wasmLoaded: Promise<void> = createBLAKE2b(256).then(
  (hasher) => {
    wasm = hasher;
  },
  () => undefined,
);

/** Which implementation computes digests right now. */
export function digestBackend(): 'wasm' | 'js' {
  return wasm ? 'wasm' : 'js';
}

/**
 * Resolves once digests run at full speed (or it is known they cannot): await
 * it before a throughput-sensitive run. Digests are correct either way.
 */
export function digestsReady(): Promise<void> {
  return wasmLoaded;
}

/** Blake2b-256 of `bytes`, as `0x`-hex. */
export function blake2b256Hex(bytes: Uint8Array): Digest {
  return wasm ? wasmBlake2b256Hex(wasm, bytes) : jsBlake2b256Hex(bytes);
}

/** Blake2b-256 of the scope byte followed by `bytes`. */
export function scopedDigest(scope: DigestScope, bytes: Uint8Array): Digest {
  return wasm ? wasmBlake2b256Hex(wasm, SCOPE_BYTES[scope], bytes) : jsBlake2b256Hex(SCOPE_BYTES[scope], bytes);
}

/** The JavaScript implementation, over the concatenation of `parts`. @internal */
export function jsBlake2b256Hex(...parts: Uint8Array[]): Digest {
  let bytes = parts[0] ?? new Uint8Array(0);
  if (parts.length > 1) {
    bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
    let at = 0;
    for (const part of parts) {
      bytes.set(part, at);
      at += part.length;
    }
  }
  return `0x${Buffer.from(blake2b(bytes, { dkLen: 32 })).toString('hex')}`;
}

/** The WebAssembly implementation, over the concatenation of `parts`. @internal */
export function wasmBlake2b256Hex(hasher: IHasher, ...parts: Uint8Array[]): Digest {
  hasher.init();
  for (const part of parts) hasher.update(part);
  return prefixedHex(hasher.digest('binary'));
}

/** hash-wasm's own hex output allocates about 600 bytes per digest: hex32At writes one flat string instead. */
function prefixedHex(bytes: Uint8Array): Digest {
  return hex32At(bytes, 0);
}
