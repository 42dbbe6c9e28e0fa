import { createHash } from 'node:crypto';
import { PublicSigningKey, verifyText } from '../signing/ed25519';

/** What a report's evidence says about its file (ARCHITECTURE §10), as served by GET /v1/reports/{id}. */
export interface ReportEvidence {
  tenantId: string;
  headSequence: number;
  headHash: string;
  fileSha256: string;
  signature: { alg: string; keyId: string; value: string };
}

export interface ReportVerification {
  fileSha256: string;
  fileHashValid: boolean;
  signatureValid: boolean;
  /** Whether the given export holds the log head the report was generated from; null without an export. */
  chainHeadPresent: boolean | null;
  problems: string[];
}

/** The evidence in a file: the body of GET /v1/reports/{id} (its `evidence` member) or the evidence object itself. */
export function evidenceOfFile(text: string): ReportEvidence {
  const parsed = JSON.parse(text) as { evidence?: unknown } & Record<string, unknown>;
  const evidence = (parsed.evidence ?? parsed) as Partial<ReportEvidence>;
  const signature = evidence.signature;
  if (typeof evidence.fileSha256 !== 'string' || !signature || typeof signature.keyId !== 'string' || typeof signature.value !== 'string') {
    throw new Error('expected the body of GET /v1/reports/{id} or its evidence: fileSha256 and signature {alg, keyId, value} are required');
  }
  return evidence as ReportEvidence;
}

/**
 * Checks a report file against its evidence without the service: the file's SHA-256, the Ed25519
 * signature over that SHA-256 (hex text) with one of the given public keys, and, when the tenant's
 * verified export is given, that the log still holds the head event the report was generated from.
 */
export function verifyReport(
  file: Buffer,
  evidence: ReportEvidence,
  keys: Map<string, PublicSigningKey>,
  exportedHashes?: Map<number, string>,
): ReportVerification {
  const problems: string[] = [];
  const fileSha256 = createHash('sha256').update(file).digest('hex');
  const fileHashValid = fileSha256 === evidence.fileSha256;
  if (!fileHashValid) problems.push(`the file's SHA-256 is ${fileSha256}, the evidence says ${evidence.fileSha256}: the file was altered or is another file`);
  const key = keys.get(evidence.signature.keyId);
  if (!key) problems.push(`no public key with id ${evidence.signature.keyId} was given (GET /v1/reports/signing-key lists it, or its previousKeys)`);
  const signatureValid = key !== undefined && evidence.signature.alg === 'Ed25519' && verifyText(key.key, evidence.fileSha256, evidence.signature.value);
  if (key && !signatureValid) problems.push(`the signature does not verify with key ${evidence.signature.keyId}: the evidence was altered`);
  let chainHeadPresent: boolean | null = null;
  if (exportedHashes) {
    chainHeadPresent = evidence.headSequence < 0 || exportedHashes.get(evidence.headSequence) === evidence.headHash;
    if (!chainHeadPresent) problems.push(`the export has no event at sequence ${evidence.headSequence} with hash ${evidence.headHash}: the log the report was generated from is not this one`);
  }
  return { fileSha256, fileHashValid, signatureValid: signatureValid && fileHashValid, chainHeadPresent, problems };
}
