/**
 * What an authority's BLS key signs, as Sui's intent messages: a scope tag
 * first, so a signature made for one purpose can never be replayed as
 * another. blst's Node binding signs under one fixed hash-to-curve domain
 * (the proof-of-possession ciphersuite), so the separation is in the bytes.
 */
const CERTIFICATE_SCOPE = new TextEncoder().encode('soma/authority-certificate/v1');
const POSSESSION_SCOPE = new TextEncoder().encode('soma/proof-of-possession/v1');

/** The bytes a committee member signs to certify transaction `digest` (32 bytes) in `epoch`. */
export function certificateMessage(epoch: number, digest: Uint8Array): Uint8Array {
  const message = new Uint8Array(CERTIFICATE_SCOPE.length + 8 + digest.length);
  message.set(CERTIFICATE_SCOPE, 0);
  new DataView(message.buffer).setBigUint64(CERTIFICATE_SCOPE.length, BigInt(epoch), true);
  message.set(digest, CERTIFICATE_SCOPE.length + 8);
  return message;
}

/** The bytes a member signs with its key to prove it holds it (against rogue-key attacks). */
export function possessionMessage(publicKey: Uint8Array): Uint8Array {
  const message = new Uint8Array(POSSESSION_SCOPE.length + publicKey.length);
  message.set(POSSESSION_SCOPE, 0);
  message.set(publicKey, POSSESSION_SCOPE.length);
  return message;
}
