/**
 * Which committee members signed, as a bitmap over the committee's order:
 * bit i (byte i >> 3, bit i & 7, least significant first) is member i. The
 * bitmap is exactly ceil(size / 8) bytes, and bits past the committee are
 * zero, so one set of signers has exactly one encoding. (Sui uses a roaring
 * bitmap; at committee sizes of a few hundred a plain one is as small.)
 */

/** Why a bitmap does not name a set of committee members. */
export type SignerBitmapProblem = 'wrong-length' | 'outside-committee' | 'no-signer';

/** The bitmap of `indices` (each from 0 to size - 1) over a committee of `size`. */
export function encodeSigners(indices: Iterable<number>, size: number): Uint8Array {
  const bitmap = new Uint8Array(Math.ceil(size / 8));
  for (const index of indices) {
    if (!Number.isSafeInteger(index) || index < 0 || index >= size) throw new RangeError(`signer ${index} is outside a committee of ${size}`);
    bitmap[index >> 3] = (bitmap[index >> 3] ?? 0) | (1 << (index & 7));
  }
  return bitmap;
}

/** The member indices `bitmap` names, ascending, or why it names none validly. */
export function decodeSigners(bitmap: Uint8Array, size: number): number[] | SignerBitmapProblem {
  if (bitmap.length !== Math.ceil(size / 8)) return 'wrong-length';
  const indices: number[] = [];
  for (let byte = 0; byte < bitmap.length; byte++) {
    const bits = bitmap[byte] ?? 0;
    if (bits === 0) continue;
    for (let bit = 0; bit < 8; bit++) {
      if ((bits & (1 << bit)) === 0) continue;
      const index = byte * 8 + bit;
      if (index >= size) return 'outside-committee';
      indices.push(index);
    }
  }
  return indices.length === 0 ? 'no-signer' : indices;
}
