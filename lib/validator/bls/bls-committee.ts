import { PublicKey } from '@chainsafe/blst';
import { InvalidCommitteeError } from '../errors';
import { verifyProofOfPossession } from './authority-key';
import { SignerKeyTable } from './signer-key-table';

/** A committee member with a BLS public key and its proof of possession. */
export interface BlsMember {
  readonly name: string;
  readonly stake: number;
  /** Compressed BLS12-381 G1 point, 48 bytes. */
  readonly publicKey: Uint8Array;
  /** The member's signature over its own public key, 96 bytes. */
  readonly proofOfPossession: Uint8Array;
}

/**
 * The validators of one epoch, in the order their signer bitmap uses, with
 * their BLS keys. Every proof of possession is checked here, once, so that an
 * aggregate of these keys cannot hide a rogue key chosen to cancel others.
 */
export class BlsCommittee {
  readonly totalStake: number;
  /** The least stake that certifies: more than two thirds of the total. */
  readonly quorumThreshold: number;
  readonly members: readonly BlsMember[];
  private readonly signerKeys: SignerKeyTable;

  /** @throws InvalidCommitteeError naming the member and what is wrong. */
  constructor(
    readonly epoch: number,
    members: readonly BlsMember[],
  ) {
    if (!Number.isSafeInteger(epoch) || epoch < 0) throw new InvalidCommitteeError(`epoch must be a non-negative integer, got ${epoch}`);
    if (members.length === 0) throw new InvalidCommitteeError('a committee needs at least one validator');
    const names = new Set<string>();
    const keyHexes = new Set<string>();
    const keys: PublicKey[] = [];
    let total = 0;
    for (const member of members) {
      if (names.has(member.name)) throw new InvalidCommitteeError(`validator ${member.name} appears twice`);
      names.add(member.name);
      if (!Number.isSafeInteger(member.stake) || member.stake <= 0) {
        throw new InvalidCommitteeError(`validator ${member.name} has stake ${member.stake}; stakes are positive integers`);
      }
      const hex = Buffer.from(member.publicKey).toString('hex');
      if (keyHexes.has(hex)) throw new InvalidCommitteeError(`validator ${member.name} shares its public key with another member`);
      keyHexes.add(hex);
      if (!verifyProofOfPossession(member.publicKey, member.proofOfPossession)) {
        throw new InvalidCommitteeError(`validator ${member.name}: its proof of possession does not verify for its public key`);
      }
      keys.push(PublicKey.fromBytes(member.publicKey, true));
      total += member.stake;
    }
    this.members = Object.freeze([...members]);
    this.signerKeys = new SignerKeyTable(keys);
    this.totalStake = total;
    this.quorumThreshold = Math.floor((2 * total) / 3) + 1;
  }

  get size(): number {
    return this.members.length;
  }

  /** The stake of the members at `indices` (all within the committee). */
  stakeOf(indices: readonly number[]): number {
    let stake = 0;
    for (const index of indices) stake += this.members[index]?.stake ?? 0;
    return stake;
  }

  /** One public key for the members at `indices`: their sum (their proofs were checked), from sums of eight kept per bitmap byte. */
  aggregateKey(indices: readonly number[]): PublicKey {
    return this.signerKeys.aggregate(indices);
  }
}
