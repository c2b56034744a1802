/** A 32-byte identifier, as `0x` and 64 lowercase hex digits. */
export type ObjectId = string;
/** A 32-byte account address, as `0x` and 64 lowercase hex digits. */
export type Address = string;
/** A 32-byte Blake2b-256 digest, as `0x` and 64 lowercase hex digits. */
export type Digest = string;

/** Who may use an object as an input. */
export type Owner =
  | { readonly kind: 'address'; readonly address: Address }
  /** Anyone, in consensus order; the version at which it became shared anchors its history. */
  | { readonly kind: 'shared'; readonly initialSharedVersion: number }
  | { readonly kind: 'immutable' };

/** What an object holds. Add a variant here (and to the encoding) to extend the model. */
export type ObjectContents =
  | { readonly type: 'coin'; readonly balance: bigint }
  | { readonly type: 'counter'; readonly value: bigint };

/** An object at one version: what owned and immutable inputs name exactly. */
export interface ObjectRef {
  readonly id: ObjectId;
  readonly version: number;
  readonly digest: Digest;
}

/** One version of an object as the store keeps it. */
export interface StoredObject {
  readonly id: ObjectId;
  readonly version: number;
  readonly owner: Owner;
  readonly contents: ObjectContents;
  /** The transaction that wrote this version. */
  readonly previousTransaction: Digest;
  /** Digest of the fields above, canonically encoded. */
  readonly digest: Digest;
}

/** The reference of a stored object. */
export function refOf(object: StoredObject): ObjectRef {
  return { id: object.id, version: object.version, digest: object.digest };
}
