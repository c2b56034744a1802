/** A quorum's signature on a certificate, as Sui's `AuthorityQuorumSignInfo`: one aggregate and who signed. */
export interface AuthorityQuorumSignature {
  readonly epoch: number;
  /** The aggregate of the signers' signatures, 96 bytes compressed. */
  readonly signature: Uint8Array;
  /** The signers, a bitmap over the committee's order (see `encodeSigners`). */
  readonly signers: Uint8Array;
}
