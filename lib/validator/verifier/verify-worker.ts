/*
 * The verifier pool's worker thread: all the signature arithmetic. It keeps
 * the public keys of the committees the pool sent it, and for each batch
 * aggregates every item's signers' keys (from remembered sums of eight,
 * `SignerKeyTable`), parses its signature (with the subgroup check), and
 * verifies the batch with `verifySignatureSets`, which splits a failing batch
 * so that one forged item costs only its own verdict. It loads only the
 * modules it needs (blst and four small BLS modules).
 */
import { parentPort } from 'node:worker_threads';
import { PublicKey, Signature, type SignatureSet } from '@chainsafe/blst';
import { verifySignatureSets } from '../bls/batch-verification';
import { certificateMessage } from '../bls/intent';
import { decodeSigners } from '../bls/signer-bitmap';
import { SignerKeyTable } from '../bls/signer-key-table';
import { type FromWorker, type ToWorker, Verdict, unpackBatch } from './wire';

interface CommitteeKeys {
  readonly epoch: number;
  readonly size: number;
  readonly signerKeys: SignerKeyTable;
}

const PUBLIC_KEY_BYTES = 48;
const committees = new Map<number, CommitteeKeys>();

function committee(id: number): CommitteeKeys {
  const found = committees.get(id);
  if (found === undefined) throw new Error(`verifier worker: committee ${id} was never sent`);
  return found;
}

function loadCommittee(epoch: number, publicKeys: Uint8Array): CommitteeKeys {
  const keys: PublicKey[] = [];
  // Validated again here (infinity and subgroup): the worker trusts no bytes it did not check.
  for (let at = 0; at < publicKeys.length; at += PUBLIC_KEY_BYTES) keys.push(PublicKey.fromBytes(publicKeys.subarray(at, at + PUBLIC_KEY_BYTES), true));
  return { epoch, size: keys.length, signerKeys: new SignerKeyTable(keys) };
}

/** One verdict byte per item of the packed batch. */
export function verifyPackedBatch(buffer: ArrayBuffer): Uint8Array {
  const items = unpackBatch(buffer, (id) => Math.ceil(committee(id).size / 8));
  const verdicts = new Uint8Array(items.length).fill(Verdict.doesNotVerify);
  const sets: SignatureSet[] = [];
  const setItems: number[] = [];
  items.forEach((item, i) => {
    const { epoch, size, signerKeys } = committee(item.committeeId);
    let sig: Signature;
    try {
      sig = Signature.fromBytes(item.signature, true);
    } catch {
      verdicts[i] = Verdict.notInGroup;
      return;
    }
    const indices = decodeSigners(item.signers, size);
    // The pool sends only bitmaps it checked; anything else is a bug, and crashes this worker loudly.
    if (typeof indices === 'string') throw new Error(`verifier worker: the pool sent a bitmap it had not checked (${indices})`);
    sets.push({ msg: certificateMessage(epoch, item.digest), pk: signerKeys.aggregate(indices), sig });
    setItems.push(i);
  });
  verifySignatureSets(sets).forEach((valid, k) => {
    if (valid) verdicts[setItems[k] as number] = Verdict.valid;
  });
  return verdicts;
}

function handle(message: ToWorker): FromWorker | undefined {
  switch (message.type) {
    case 'committee':
      committees.set(message.id, loadCommittee(message.epoch, message.publicKeys));
      return undefined;
    case 'forget':
      committees.delete(message.id);
      return undefined;
    case 'verify':
      return { type: 'verdicts', batch: message.batch, verdicts: verifyPackedBatch(message.items) };
  }
}

const port = parentPort;
if (port !== null) {
  port.on('message', (message: ToWorker) => {
    const reply = handle(message);
    if (reply?.type === 'verdicts') port.postMessage(reply, [reply.verdicts.buffer as ArrayBuffer]);
  });
  port.postMessage({ type: 'ready' } satisfies FromWorker);
}
