#!/usr/bin/env bash
# Pack the package, install the tarball into a fresh project, and run one
# certificate through it with require(), with import, and typecheck a consumer.
# All four exports load both ways: '.', './testing', './validator' and './simulation'.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

tarball="$(cd "$repo" && npm pack --silent --ignore-scripts --pack-destination "$work" | tail -n 1)"
echo "packed $tarball: $(tar -tzf "$work/$tarball" | wc -l) files"
strays="$(tar -tzf "$work/$tarball" | grep -E '^package/(lib|spec|bench|demos|\.ci)/|\.ts$' | grep -v '\.d\.ts$' || true)"
if [ -n "$strays" ]; then
  echo "tarball holds files it should not: $strays" >&2
  exit 1
fi

listing="$(tar -tzf "$work/$tarball")"
for required in package/LICENSE package/CHANGELOG.md package/README.md; do
  grep -qx "$required" <<<"$listing" || { echo "tarball lacks $required" >&2; exit 1; }
done

cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund --silent "./$tarball"

state='{
  loadEpochStoreOneCallPerTask: () => ({ epoch: 0 }),
  tryExecuteImmediately: async (c) => ({ effects: { digest: "fx-" + c.digest }, events: [] }),
}'

cat > check.cjs <<JS
const { of } = require('rxjs');
const { ExecutionDriver, ForkDetectedError } = require('soma-execution-driver');
const handle = new ExecutionDriver({ readyCertificates: of({ certificate: { digest: 'a', epoch: 0 } }), authorityState: $state }).spawn();
handle.done.then((summary) => {
  if (summary.executed !== 1 || typeof ForkDetectedError !== 'function') throw new Error('require: wrong result ' + JSON.stringify(summary));
  console.log('require(): executed', summary.executed);
});
JS
node check.cjs
node -e "const t = require('soma-execution-driver/testing'); if (typeof t.marbleAuthorityState !== 'function') throw new Error('testing sub-export'); console.log('require(): testing kit', Object.keys(t).join(', '))"
node -e "const v = require('soma-execution-driver/validator'); if (typeof v.startValidatorPipeline !== 'function' || typeof v.InMemoryObjectStore !== 'function') throw new Error('validator sub-export'); console.log('require(): validator,', Object.keys(v).length, 'names')"
# The simulator: one seed in virtual time, with every invariant checked.
node -e "const s = require('soma-execution-driver/simulation'); s.simulate({ seed: 1, transactions: 6 }).then((r) => { if (!/^[0-9a-f]{64}\$/.test(r.traceDigest)) throw new Error('simulation sub-export'); console.log('require(): simulation, seed 1 replays as', r.traceDigest.slice(0, 16)); })"
# The driver alone: its entry point does not load the validator (no BCS, no hashing, no store).
node -e "require('soma-execution-driver'); const loaded = Object.keys(require.cache).filter((f) => /[\\/](validator|@mysten|@noble|hash-wasm)[\\/]/.test(f)); if (loaded.length > 0) throw new Error('the driver entry loaded ' + loaded.join(', ')); if ('startValidatorPipeline' in require('soma-execution-driver')) throw new Error('validator names on the main export'); console.log('require(): the driver entry loads no validator module')"

# The verifier's worker threads run the built worker script (verify-worker.js) and
# end with the stream: the process must exit by itself, verdicts printed.
cat > verify.cjs <<'JS'
const { from, lastValueFrom, toArray } = require('rxjs');
const v = require('soma-execution-driver/validator');
const keys = [1, 2, 3, 4].map((i) => v.deriveAuthorityKey(new Uint8Array(32).fill(i)));
const committee = new v.BlsCommittee(0, keys.map((k, i) => ({ name: 'v' + i, stake: 1, publicKey: k.publicKey, proofOfPossession: k.proofOfPossession })));
const sign = (digest) => v.signQuorum(committee, digest, [0, 1, 2].map((index) => ({ index, key: keys[index] })));
const digest = new Uint8Array(32).fill(7);
const items = [{ digest, quorum: sign(digest) }, { digest, quorum: sign(new Uint8Array(32)) }];
lastValueFrom(from(items).pipe(v.verifyCertificates({ signatureOf: (x) => x, committeeFor: () => committee }), toArray())).then((out) => {
  const said = out.map((o) => (o.kind === 'refused' ? 'refused ' + o.error.problem : o.kind)).join(', ');
  if (said !== 'verified, refused invalid-signature') throw new Error('verifier: ' + said);
  console.log('require(): verifier worker threads from the package:', said);
});
JS
timeout 60 node verify.cjs

cat > check.mjs <<JS
import { of } from 'rxjs';
import { ExecutionDriver, executeCertificates } from 'soma-execution-driver';
import { startValidatorPipeline, generateWorkload } from 'soma-execution-driver/validator';
import { marbleAuthorityState } from 'soma-execution-driver/testing';
import { simulate, SimulationInvariantError } from 'soma-execution-driver/simulation';
if (typeof marbleAuthorityState !== 'function') throw new Error('import: testing sub-export');
if (typeof simulate !== 'function' || typeof SimulationInvariantError !== 'function') throw new Error('import: simulation sub-export');
const handle = new ExecutionDriver({ readyCertificates: of({ certificate: { digest: 'a', epoch: 0 } }), authorityState: $state }).spawn();
const summary = await handle.done;
if (summary.executed !== 1 || typeof executeCertificates !== 'function') throw new Error('import: wrong result');
console.log('import: executed', summary.executed);
// The reference validator, through its sub-export: a signed workload, verified and executed.
const workload = generateWorkload({ seed: 1, transactions: 5, accounts: 2 });
const pipeline = await startValidatorPipeline({ committee: workload.committee, genesis: workload.genesis });
let executed = 0;
const all = new Promise((resolve) => pipeline.outcomes$.subscribe((o) => { if (o.kind === 'executed' && ++executed === 5) resolve(); }));
for (const step of workload.steps) await pipeline.submit([step.certificate]);
await all;
await pipeline.stop();
console.log('import: validator pipeline executed', executed, 'signed certificates');
JS
node check.mjs

cat > check.ts <<'TS'
import { of } from 'rxjs';
import { type ExecutionOutcome, type AuthorityState, executeCertificates } from 'soma-execution-driver';
import { brief, certificates, type MarbleAuthorityState } from 'soma-execution-driver/testing';
import { type CertifiedTransaction, type ObjectStore, InMemoryObjectStore, startValidatorPipeline } from 'soma-execution-driver/validator';
import { type SimulationResult, simulate } from 'soma-execution-driver/simulation';
const run: Promise<SimulationResult> = simulate({ seed: 1 });
void run;
const store: ObjectStore = new InMemoryObjectStore();
declare const certificate: CertifiedTransaction;
void [store, certificate.digest, startValidatorPipeline];
declare const state: AuthorityState;
declare const scripted: MarbleAuthorityState;
const values: Record<string, unknown> = certificates('ab');
void [values, scripted.starts, brief];
const out = of({ certificate: { digest: 'a', epoch: 0 } }).pipe(executeCertificates({ authorityState: state }));
out.subscribe((o: ExecutionOutcome) => o.kind);
TS
"$repo/node_modules/.bin/tsc" --noEmit --strict --module node20 --moduleResolution node16 --skipLibCheck check.ts
echo 'types: a TypeScript consumer typechecks'
