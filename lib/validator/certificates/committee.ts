import { BlsCommittee, type BlsMember } from '../bls/bls-committee';
import { InvalidCommitteeError } from '../errors';

/**
 * A committee member: its name, its stake, its BLS12-381 public key (48
 * bytes, compressed, min-pk) and its proof of possession of that key (96
 * bytes: its signature over the key itself).
 */
export type Validator = BlsMember;

const PUBLIC_KEY_BYTES = 48;
const PROOF_BYTES = 96;

/**
 * The validators of one epoch, in the order signer bitmaps use, and their
 * stakes. A certificate needs an aggregate signature from members holding
 * more than two thirds of the stake (2f+1 when all stakes are equal). Every
 * member's proof of possession is verified here, once: an aggregate of these
 * keys cannot hide a rogue key chosen to cancel the others.
 */
export class Committee extends BlsCommittee {
  /** @throws InvalidCommitteeError naming the member and what is wrong (names, stakes, key sizes, a proof that does not verify). */
  constructor(epoch: number, validators: readonly Validator[]) {
    super(epoch, ownCopies(validators));
  }

  /** The members, in bitmap order (copies of the bytes given). */
  get validators(): Validator[] {
    return [...this.members];
  }
}

/**
 * Frozen copies of the members with their key sizes checked: bytes the caller
 * changes later change neither the keys verified nor what is persisted.
 */
function ownCopies(validators: readonly Validator[]): Validator[] {
  return validators.map((validator) => {
    const { name, stake, publicKey, proofOfPossession } = validator;
    if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_BYTES) {
      throw new InvalidCommitteeError(`validator ${name}: a BLS12-381 public key is ${PUBLIC_KEY_BYTES} bytes (compressed)`);
    }
    if (!(proofOfPossession instanceof Uint8Array) || proofOfPossession.length !== PROOF_BYTES) {
      throw new InvalidCommitteeError(`validator ${name}: a proof of possession is ${PROOF_BYTES} bytes (compressed)`);
    }
    return Object.freeze({ name, stake, publicKey: new Uint8Array(publicKey), proofOfPossession: new Uint8Array(proofOfPossession) });
  });
}
