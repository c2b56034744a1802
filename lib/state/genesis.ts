import { scopedDigest } from './digests';
import { encodeObject } from './encoding';
import type { Digest, ObjectContents, ObjectId, Owner, StoredObject } from './objects';

/** The digest genesis objects name as the transaction that wrote them. */
export const GENESIS_TRANSACTION: Digest = `0x${'ff'.repeat(32)}`;

/** An object that exists before any transaction, at version 1. */
export function genesisObject(id: ObjectId, owner: Owner, contents: ObjectContents): StoredObject {
  const body = { id, version: 1, owner, contents, previousTransaction: GENESIS_TRANSACTION };
  return { ...body, digest: scopedDigest('Object', encodeObject(body)) };
}
