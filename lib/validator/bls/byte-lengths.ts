/** Byte lengths of what a quorum signature verifies over (min-pk: public keys in G1, signatures in G2, compressed). */

/** An aggregate signature, compressed. */
export const SIGNATURE_BYTES = 96;
/** The digest a quorum certifies, as certificates carry it. */
export const DIGEST_BYTES = 32;
