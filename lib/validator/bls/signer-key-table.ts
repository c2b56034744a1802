import { type PublicKey, aggregatePublicKeys } from '@chainsafe/blst';

/** Members per group: one byte of the signer bitmap. */
const GROUP = 8;
/** Whole signer sets remembered (the most recent): a quorum of the same responsive members signs most certificates. */
const REMEMBERED_SETS = 1_024;

/**
 * The aggregate public key of any set of a committee's members, from sums
 * of groups of eight. Members are grouped as the signer bitmap's bytes group
 * them; the sum of the members one byte names is remembered per (byte
 * position, byte value), computed the first time it is asked for. A quorum
 * of 67 out of 100 then costs 13 point additions instead of 67, with at most
 * 256 sums per group (3,328 points for 100 members, about 1 MB), whatever
 * the signer sets. The sum does not depend on how it is grouped, so the key
 * is the same point `aggregatePublicKeys` of the members gives. The last
 * 1,024 whole signer sets are remembered too: most certificates are signed
 * by the same quorum (the members that answer first), and those cost one
 * lookup.
 *
 * The keys must have been validated (and their proofs of possession
 * checked) by whoever built the table: sums are not validated again.
 */
export class SignerKeyTable {
  /** Per group, the sum for each byte value (index: the byte), filled on first use. */
  private readonly sums: (PublicKey | undefined)[][];
  /** Recent whole sets, by their bitmap as a string, oldest first. */
  private readonly recentSets = new Map<string, PublicKey>();

  constructor(private readonly keys: readonly PublicKey[]) {
    this.sums = Array.from({ length: Math.ceil(keys.length / GROUP) }, () => new Array<PublicKey | undefined>(256).fill(undefined));
  }

  /** The aggregate key of the members at `indices` (a set: in any order, each within the committee, one named twice counts once; at least one). */
  aggregate(indices: readonly number[]): PublicKey {
    const masks = new Uint8Array(this.sums.length);
    for (const index of indices) {
      const key = this.keys[index];
      if (key === undefined) throw new RangeError(`member ${index} is outside a committee of ${this.keys.length}`);
      masks[index >> 3] = (masks[index >> 3] as number) | (1 << (index & 7));
    }
    const set = String.fromCharCode(...masks);
    const recent = this.recentSets.get(set);
    if (recent !== undefined) return recent;
    const parts: PublicKey[] = [];
    for (let group = 0; group < masks.length; group++) {
      const mask = masks[group] as number;
      if (mask !== 0) parts.push(this.groupSum(group, mask));
    }
    if (parts.length === 0) throw new RangeError('an aggregate key needs at least one member');
    const key = parts.length === 1 ? (parts[0] as PublicKey) : aggregatePublicKeys(parts, false);
    if (this.recentSets.size >= REMEMBERED_SETS) this.recentSets.delete(this.recentSets.keys().next().value as string);
    this.recentSets.set(set, key);
    return key;
  }

  private groupSum(group: number, mask: number): PublicKey {
    const row = this.sums[group] as (PublicKey | undefined)[];
    const known = row[mask];
    if (known !== undefined) return known;
    const members: PublicKey[] = [];
    for (let bit = 0; bit < GROUP; bit++) if ((mask & (1 << bit)) !== 0) members.push(this.keys[group * GROUP + bit] as PublicKey);
    const sum = members.length === 1 ? (members[0] as PublicKey) : aggregatePublicKeys(members, false);
    row[mask] = sum;
    return sum;
  }
}
