import { type KeyObject, generateKeyPairSync } from 'node:crypto';
import { Committee } from './committee';

/** A committee together with every member's private key: for simulators, demos and tests. */
export interface GeneratedCommittee {
  readonly committee: Committee;
  readonly signers: readonly { readonly name: string; readonly privateKey: KeyObject }[];
}

/** A committee of fresh ed25519 keys, one validator per stake, named `validator-0`, `validator-1`, … */
export function generateCommittee(epoch: number, stakes: readonly number[]): GeneratedCommittee {
  const signers: { name: string; privateKey: KeyObject }[] = [];
  const validators = stakes.map((stake, i) => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const name = `validator-${i}`;
    signers.push({ name, privateKey });
    // The last 32 bytes of the SPKI encoding are the raw public key.
    const raw = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(-32));
    return { name, publicKey: raw, stake };
  });
  return { committee: new Committee(epoch, validators), signers };
}
