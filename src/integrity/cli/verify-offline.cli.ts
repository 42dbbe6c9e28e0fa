#!/usr/bin/env node
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { PublicSigningKey, publicSigningKeysOf } from '../signing/ed25519';
import { checkpointsOfFile, eventsOfNdjson, OfflineVerification, verifyOffline } from '../offline/offline-verifier';
import { evidenceOfFile, ReportEvidence, ReportVerification, verifyReport } from '../offline/report-verifier';

const USAGE = `usage: npx compliance-audit-trail verify --export events.ndjson --checkpoints checkpoints.json --public-key key.pem [--public-key old.pem ...]
       npx compliance-audit-trail verify --report report.pdf --evidence report.json --public-key key.pem [--export events.ndjson --checkpoints checkpoints.json]

Verifies a tenant's audit log without the service: the hash chain of the NDJSON export of
GET /v1/audit-events/export (lines in any order), the Ed25519 signatures and links of the checkpoints
(the body of GET /v1/integrity/checkpoints, kept by you), and that the log agrees with every checkpoint.
A report: its file (GET /v1/reports/{id}/download) against its evidence (the body of GET /v1/reports/{id}):
the file's SHA-256 and the Ed25519 signature over it; with --export and --checkpoints also the log, and
that it holds the head event the report was generated from.
Public keys: the PEM of GET /v1/reports/signing-key (publicKey and previousKeys), several allowed.
Exit: 0 valid, 1 tampered or incomplete, 2 bad usage or unreadable input.`;

/** Exit codes: 0 valid, 1 tampered or incomplete, 2 bad usage. */
export function runVerifyCli(argv: string[], out: (text: string) => void, err: (text: string) => void): number {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        export: { type: 'string' },
        checkpoints: { type: 'string' },
        report: { type: 'string' },
        evidence: { type: 'string' },
        'public-key': { type: 'string', multiple: true },
        help: { type: 'boolean' },
      },
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
  const checkingReport = values.report !== undefined || values.evidence !== undefined;
  if (checkingReport && (!values.report || !values.evidence)) {
    err(`--report and --evidence go together\n${USAGE}\n`);
    return 2;
  }
  const checkingLog = values.export !== undefined || values.checkpoints !== undefined || !checkingReport;
  if ((checkingLog && (!values.export || !values.checkpoints)) || !values['public-key']?.length) {
    err(`${checkingReport ? '--export and --checkpoints go together; ' : '--export, --checkpoints and '}at least one --public-key are required\n${USAGE}\n`);
    return 2;
  }
  let keys: Map<string, PublicSigningKey>;
  let log: Parameters<typeof verifyOffline>[0] | null = null;
  let report: { file: Buffer; evidence: ReportEvidence } | null = null;
  try {
    keys = new Map<string, PublicSigningKey>();
    for (const file of values['public-key']) {
      const found = publicSigningKeysOf(fs.readFileSync(file, 'utf8'));
      if (found.length === 0) throw new Error(`${file}: no PEM public key found`);
      for (const key of found) keys.set(key.keyId, key);
    }
    if (checkingLog) log = { events: eventsOfNdjson(fs.readFileSync(values.export!, 'utf8')), checkpoints: checkpointsOfFile(fs.readFileSync(values.checkpoints!, 'utf8')), keys };
    if (checkingReport) report = { file: fs.readFileSync(values.report!), evidence: evidenceOfFile(fs.readFileSync(values.evidence!, 'utf8')) };
  } catch (error) {
    err(`cannot read the input: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  let valid = true;
  if (log) {
    const result = verifyOffline(log);
    out(summaryOf(result, [...keys.keys()]));
    valid &&= result.valid;
  }
  if (report) {
    // The head the report names must be in a log that itself verified; an unverified export proves nothing.
    const hashes = log && valid ? new Map(log.events.map((e) => [e.sequence as number, e.hash as string])) : undefined;
    const result = verifyReport(report.file, report.evidence, keys, hashes);
    out(reportSummaryOf(result, report.evidence));
    valid &&= result.problems.length === 0;
  }
  return valid ? 0 : 1;
}

function reportSummaryOf(result: ReportVerification, evidence: ReportEvidence): string {
  const lines = [
    `report:      file SHA-256 ${result.fileSha256} (${result.fileHashValid ? 'matches the evidence' : 'does NOT match the evidence'})`,
    `             signature ${evidence.signature.alg} key ${evidence.signature.keyId}: ${result.signatureValid ? 'valid' : 'NOT valid'}`,
    `             log head ${evidence.headSequence} ${evidence.headHash}: ${result.chainHeadPresent === null ? 'not checked (no --export)' : result.chainHeadPresent ? 'present in the verified export' : 'NOT in the export'}`,
  ];
  lines.push(result.problems.length === 0 ? 'VALID: the report is the one the service signed' : `TAMPERED OR NOT PROVEN: ${result.problems.join('; ')}`);
  return lines.join('\n') + '\n';
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
