/**
 * The benchmark's baseline: certificates as they were before issue 15, one
 * ed25519 signature per signer, each checked with node:crypto one by one.
 * Kept here only to measure against; the library no longer has this path.
 * It pays the same door as the BLS contenders (`canonicalCertificate`), then
 * checks each signer is a member named once, each signature, and the stake.
 */
import { type KeyObject, generateKeyPairSync, sign, verify } from 'node:crypto';
import { canonicalCertificate } from '../lib/validator/certificates/canonical-certificate';
import type { CertifiedTransaction } from '../lib/validator/certificates/certificate-types';

/** One signer's ed25519 signature, as certificates carried them. */
export interface Ed25519Signature {
  readonly authority: string;
  readonly signature: Uint8Array;
}

export interface Ed25519Committee {
  readonly epoch: number;
  readonly quorumThreshold: number;
  readonly members: ReadonlyMap<string, { readonly stake: number; readonly publicKey: KeyObject }>;
  readonly signers: readonly { readonly name: string; readonly privateKey: KeyObject }[];
}

/** `size` fresh ed25519 keys of equal stake. */
export function ed25519Committee(epoch: number, size: number): Ed25519Committee {
  const members = new Map<string, { stake: number; publicKey: KeyObject }>();
  const signers: { name: string; privateKey: KeyObject }[] = [];
  for (let i = 0; i < size; i++) {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    members.set(`validator-${i}`, { stake: 1, publicKey });
    signers.push({ name: `validator-${i}`, privateKey });
  }
  return { epoch, quorumThreshold: Math.floor((2 * size) / 3) + 1, members, signers };
}

/** What a signer signed: the epoch (u64, little-endian) and the 32-byte digest, as the BCS struct did. */
function signedMessage(epoch: number, digest: string): Uint8Array {
  const message = Buffer.alloc(40);
  message.writeBigUInt64LE(BigInt(epoch));
  message.write(digest.slice(2), 8, 'hex');
  return message;
}

/** The first `quorumThreshold` members' signatures on `certificate`. */
export function ed25519Signatures(committee: Ed25519Committee, certificate: CertifiedTransaction): Ed25519Signature[] {
  const message = signedMessage(committee.epoch, certificate.digest);
  return committee.signers.slice(0, committee.quorumThreshold).map(({ name, privateKey }) => ({ authority: name, signature: sign(null, message, privateKey) }));
}

/** Today's ed25519 path: the door, then each signature in turn. Throws on any refusal. */
export function verifyEd25519Certificate(certificate: CertifiedTransaction, signatures: readonly Ed25519Signature[], committee: Ed25519Committee): CertifiedTransaction {
  const accepted = canonicalCertificate(certificate);
  if (accepted.epoch !== committee.epoch) throw new Error('wrong-epoch');
  const message = signedMessage(committee.epoch, accepted.digest);
  const seen = new Set<string>();
  let stake = 0;
  for (const { authority, signature } of signatures) {
    const member = committee.members.get(authority);
    if (!member) throw new Error('unknown-signer');
    if (seen.has(authority)) throw new Error('duplicate-signer');
    seen.add(authority);
    if (signature.length !== 64 || !verify(null, message, member.publicKey, signature)) throw new Error('invalid-signature');
    stake += member.stake;
  }
  if (stake < committee.quorumThreshold) throw new Error('insufficient-stake');
  return accepted;
}
