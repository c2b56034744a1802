/*
 * What the pool and its workers say to each other. A batch travels as one
 * transferred ArrayBuffer (no per-item objects to clone): a u32 count, then
 * per item its committee's id (u32), the digest (32 bytes), the aggregate
 * signature (96 bytes) and the signer bitmap (ceil(size / 8) bytes, the
 * committee's size being known to the worker). Committees travel once per
 * worker, as their members' compressed public keys in committee order.
 */

import { DIGEST_BYTES, SIGNATURE_BYTES } from '../bls/byte-lengths';

export { DIGEST_BYTES, SIGNATURE_BYTES };

/** One item's verdict, as the worker returns it (a byte per item). */
export const Verdict = {
  valid: 0,
  /** The signature bytes are not a point of the signature group. */
  notInGroup: 1,
  /** The aggregate does not verify for the signers' aggregate key. */
  doesNotVerify: 2,
} as const;
export type VerdictCode = (typeof Verdict)[keyof typeof Verdict];

/** From the pool to a worker. */
export type ToWorker =
  | { readonly type: 'committee'; readonly id: number; readonly epoch: number; readonly publicKeys: Uint8Array }
  | { readonly type: 'forget'; readonly id: number }
  | { readonly type: 'verify'; readonly batch: number; readonly items: ArrayBuffer };

/** From a worker to the pool. */
export type FromWorker = { readonly type: 'ready' } | { readonly type: 'verdicts'; readonly batch: number; readonly verdicts: Uint8Array };

/** One item of a batch, as it is packed. */
export interface PackedItem {
  readonly committeeId: number;
  readonly digest: Uint8Array;
  readonly signature: Uint8Array;
  readonly signers: Uint8Array;
}

/** `items` in one buffer (see the layout above). */
export function packBatch(items: readonly PackedItem[]): ArrayBuffer {
  let length = 4;
  for (const item of items) length += 4 + DIGEST_BYTES + SIGNATURE_BYTES + item.signers.length;
  const bytes = new Uint8Array(length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, items.length, true);
  let at = 4;
  for (const item of items) {
    view.setUint32(at, item.committeeId, true);
    bytes.set(item.digest, at + 4);
    bytes.set(item.signature, at + 4 + DIGEST_BYTES);
    bytes.set(item.signers, at + 4 + DIGEST_BYTES + SIGNATURE_BYTES);
    at += 4 + DIGEST_BYTES + SIGNATURE_BYTES + item.signers.length;
  }
  return bytes.buffer;
}

/** The items of a packed batch; `bitmapBytes` gives a committee's bitmap length by id. Views, not copies. */
export function unpackBatch(buffer: ArrayBuffer, bitmapBytes: (committeeId: number) => number): PackedItem[] {
  const bytes = new Uint8Array(buffer);
  const view = new DataView(buffer);
  const count = view.getUint32(0, true);
  const items: PackedItem[] = [];
  let at = 4;
  for (let i = 0; i < count; i++) {
    const committeeId = view.getUint32(at, true);
    const signersAt = at + 4 + DIGEST_BYTES + SIGNATURE_BYTES;
    const end = signersAt + bitmapBytes(committeeId);
    items.push({
      committeeId,
      digest: bytes.subarray(at + 4, at + 4 + DIGEST_BYTES),
      signature: bytes.subarray(at + 4 + DIGEST_BYTES, signersAt),
      signers: bytes.subarray(signersAt, end),
    });
    at = end;
  }
  if (at !== bytes.length) throw new RangeError(`a packed batch of ${count} items ends at byte ${at} of ${bytes.length}`);
  return items;
}
