import { type KeyObject, createPublicKey } from 'node:crypto';
import { InvalidCommitteeError } from '../errors';

/** A committee member: its name, its ed25519 public key (32 raw bytes) and its stake. */
export interface Validator {
  readonly name: string;
  readonly publicKey: Uint8Array;
  readonly stake: number;
}

/** DER prefix that turns 32 raw ed25519 public-key bytes into an SPKI key. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * The validators of one epoch and their stakes. A certificate needs signatures
 * from more than two thirds of the stake (2f+1 when all stakes are equal).
 */
export class Committee {
  readonly totalStake: number;
  /** The least stake that certifies: more than two thirds of the total. */
  readonly quorumThreshold: number;
  private readonly members = new Map<string, { validator: Validator; key: KeyObject }>();

  constructor(
    readonly epoch: number,
    validators: readonly Validator[],
  ) {
    if (!Number.isSafeInteger(epoch) || epoch < 0) throw new InvalidCommitteeError(`epoch must be a non-negative integer, got ${epoch}`);
    if (validators.length === 0) throw new InvalidCommitteeError('a committee needs at least one validator');
    let total = 0;
    for (const validator of validators) {
      if (this.members.has(validator.name)) throw new InvalidCommitteeError(`validator ${validator.name} appears twice`);
      if (!Number.isSafeInteger(validator.stake) || validator.stake <= 0) {
        throw new InvalidCommitteeError(`validator ${validator.name} has stake ${validator.stake}; stakes are positive integers`);
      }
      if (validator.publicKey.length !== 32) throw new InvalidCommitteeError(`validator ${validator.name}: an ed25519 public key is 32 bytes`);
      const key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, validator.publicKey]), format: 'der', type: 'spki' });
      this.members.set(validator.name, { validator, key });
      total += validator.stake;
    }
    this.totalStake = total;
    this.quorumThreshold = Math.floor((2 * total) / 3) + 1;
  }

  get validators(): Validator[] {
    return [...this.members.values()].map((m) => m.validator);
  }

  /** The member called `name` and its verification key, if any. */
  member(name: string): { validator: Validator; key: KeyObject } | undefined {
    return this.members.get(name);
  }
}
