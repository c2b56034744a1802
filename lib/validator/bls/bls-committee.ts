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

  /**
   * Takes a copy of each member (its fields read once, its bytes copied): a
   * member object the caller changes later, or a getter, changes nothing here.
   * @throws InvalidCommitteeError naming the member and what is wrong.
   */
  constructor(
    readonly epoch: number,
    members: readonly BlsMember[],
  ) {
    if (!Number.isSafeInteger(epoch) || epoch < 0) throw new InvalidCommitteeError(`epoch must be a non-negative integer, got ${epoch}`);
    if (!Array.isArray(members)) throw new InvalidCommitteeError('members must be an array of validators');
    if (members.length === 0) throw new InvalidCommitteeError('a committee needs at least one validator');
    const own = members.map((member: unknown, i) => ownMember(member, i));
    const names = new Set<string>();
    const keyHexes = new Map<string, string>();
    const keys: PublicKey[] = [];
    let total = 0;
    for (const member of own) {
      if (names.has(member.name)) throw new InvalidCommitteeError(`validator ${member.name} appears twice`);
      names.add(member.name);
      if (!Number.isSafeInteger(member.stake) || member.stake <= 0) {
        throw new InvalidCommitteeError(`validator ${member.name} has stake ${member.stake}; stakes are positive integers`);
      }
      const hex = Buffer.from(member.publicKey).toString('hex');
      if (keyHexes.has(hex)) throw new InvalidCommitteeError(`validator ${member.name} shares its public key with another member`);
      // Minus another member's key: any aggregate could then name both without either signature (their sum is zero).
      const negated = keyHexes.get(negatedKeyHex(member.publicKey));
      if (negated !== undefined) throw new InvalidCommitteeError(`validator ${member.name}'s public key is the negation of ${negated}'s`);
      keyHexes.set(hex, member.name);
      if (!verifyProofOfPossession(member.publicKey, member.proofOfPossession)) {
        throw new InvalidCommitteeError(`validator ${member.name}: its proof of possession does not verify for its public key`);
      }
      keys.push(PublicKey.fromBytes(member.publicKey, true));
      total += member.stake;
    }
    this.members = Object.freeze(own);
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

/** A member's fields, each read once, with bytes of its own, frozen. */
function ownMember(member: unknown, index: number): BlsMember {
  if (typeof member !== 'object' || member === null) throw new InvalidCommitteeError(`member ${index} is not an object`);
  const { name, stake, publicKey, proofOfPossession } = member as Partial<Record<keyof BlsMember, unknown>>;
  if (typeof name !== 'string') throw new InvalidCommitteeError(`member ${index}'s name must be a string`);
  if (!(publicKey instanceof Uint8Array) || !(proofOfPossession instanceof Uint8Array)) {
    throw new InvalidCommitteeError(`validator ${name}: its public key and proof of possession must be byte arrays`);
  }
  return Object.freeze({ name, stake: stake as number, publicKey: new Uint8Array(publicKey), proofOfPossession: new Uint8Array(proofOfPossession) });
}

/** The compressed encoding of minus the point `publicKey` encodes: the same bytes with the sign flag (0x20 of the first) flipped. */
function negatedKeyHex(publicKey: Uint8Array): string {
  const negated = new Uint8Array(publicKey);
  negated[0] = (negated[0] as number) ^ 0x20;
  return Buffer.from(negated).toString('hex');
}
