/** Where an object reference sits in a transaction. */
export type RefPath = 'gas.payment' | 'inputs.ref';

/** The paths of a reference's fields, made once: error paths are not built per read on the hot path. */
export const REF_FIELDS: Readonly<Record<RefPath, { readonly id: string; readonly version: string; readonly digest: string }>> = {
  'gas.payment': { id: 'gas.payment.id', version: 'gas.payment.version', digest: 'gas.payment.digest' },
  'inputs.ref': { id: 'inputs.ref.id', version: 'inputs.ref.version', digest: 'inputs.ref.digest' },
};
