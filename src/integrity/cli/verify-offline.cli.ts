#!/usr/bin/env node
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { PublicSigningKey, publicSigningKeysOf } from '../signing/ed25519';
import { checkpointsOfFile, eventsOfNdjson, OfflineVerification, verifyOffline } from '../offline/offline-verifier';

const USAGE = `usage: npm run -s verify -- --export events.ndjson --checkpoints checkpoints.json --public-key key.pem [--public-key old.pem ...]

Verifies a tenant's audit log without the service: the hash chain of the NDJSON export of
GET /v1/audit-events/export (lines in any order), the Ed25519 signatures and links of the checkpoints
(the body of GET /v1/integrity/checkpoints, kept by you), and that the log agrees with every checkpoint.
Public keys: the PEM of GET /v1/reports/signing-key (publicKey and previousKeys), several allowed.
Exit: 0 valid, 1 tampered or incomplete, 2 bad usage or unreadable input.`;

/** Exit codes: 0 valid, 1 tampered or incomplete, 2 bad usage. */
export function runVerifyCli(argv: string[], out: (text: string) => void, err: (text: string) => void): number {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { export: { type: 'string' }, checkpoints: { type: 'string' }, 'public-key': { type: 'string', multiple: true }, help: { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    err(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    out(USAGE + '\n');
    return 0;
  }
  if (!values.export || !values.checkpoints || !values['public-key']?.length) {
    err(`--export, --checkpoints and at least one --public-key are required\n${USAGE}\n`);
    return 2;
  }
  let input;
  try {
    const keys = new Map<string, PublicSigningKey>();
    for (const file of values['public-key']) {
      const found = publicSigningKeysOf(fs.readFileSync(file, 'utf8'));
      if (found.length === 0) throw new Error(`${file}: no PEM public key found`);
      for (const key of found) keys.set(key.keyId, key);
    }
    input = { events: eventsOfNdjson(fs.readFileSync(values.export, 'utf8')), checkpoints: checkpointsOfFile(fs.readFileSync(values.checkpoints, 'utf8')), keys };
  } catch (error) {
    err(`cannot read the input: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const result = verifyOffline(input);
  out(summaryOf(result, [...input.keys.keys()]));
  return result.valid ? 0 : 1;
}

function summaryOf(result: OfflineVerification, keyIds: string[]): string {
  const lines = [
    `tenant:      ${result.tenantId ?? '(none)'}`,
    `events:      ${result.eventsChecked} verified, export head sequence ${result.headSequence}`,
    `checkpoints: ${result.checkpointsChecked} with valid signatures (keys ${keyIds.join(', ')})`,
  ];
  if (result.expired) {
    const e = result.expired;
    lines.push(`expired:     sequences 0..${e.toSequence} expired by retention (the last expiry removed ${e.fromSequence}..${e.toSequence}, ${e.count} events, last hash ${e.lastExpiredHash}); accounted for by the retention.expire record at sequence ${e.recordSequence}`);
  }
  if (result.checkpointsCoveringExpired) lines.push(`             ${result.checkpointsCoveringExpired} checkpoint(s) sign expired sequences: signatures checked, events gone by policy`);
  if (result.valid) lines.push(`VALID: the chain is intact and agrees with every checkpoint`);
  else lines.push(`TAMPERED OR INCOMPLETE: first bad sequence ${result.firstBadSequence}: ${result.problem}`);
  return lines.join('\n') + '\n';
}

if (require.main === module) {
  process.exitCode = runVerifyCli(process.argv.slice(2), (text) => process.stdout.write(text), (text) => process.stderr.write(text));
}
