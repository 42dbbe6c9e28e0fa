import { ProblemDetails } from '../http/problem-details.filter';
import { ReportInputError } from './templates/report-template';

/** Typed domain errors of reports and report templates; src/http/domain-problems.ts maps them to problem+json. */
const BASE = 'https://problems.audit-trail.dev';

/** 404: no such report in the caller's tenant. */
export class ReportNotFoundError extends Error {
  constructor(readonly reportId: string) {
    super(`No report ${reportId} in your tenant`);
  }
}

/** 404: no such template (built-in, example or the tenant's own), or no such version of it. */
export class ReportTemplateNotFoundError extends Error {
  constructor(readonly templateId: string, version?: number) {
    super(version === undefined ? `No report template ${templateId} in your tenant` : `Report template ${templateId} has no version ${version}`);
  }
}

/** 409: the id is taken (POST a new id, or PUT to add a version), or names a built-in template that cannot be changed. */
export class ReportTemplateConflictError extends Error {}

/** 409: the report is not ready (download, verify). */
export class ReportNotReadyError extends Error {
  constructor(readonly reportId: string, readonly status: string) {
    super(`Report ${reportId} is ${status}, not ready`);
  }
}

/** 503: a PDF was asked for where no PDF renderer runs. */
export class PdfRenderingUnavailableError extends Error {}

export function reportsProblemOf(error: unknown): Omit<ProblemDetails, 'instance' | 'requestId'> | null {
  if (error instanceof ReportInputError) {
    return { type: `${BASE}/validation-failed`, title: 'Validation Failed', status: 422, detail: `${error.message}; nothing was recorded.`, errors: error.errors };
  }
  if (error instanceof ReportNotFoundError || error instanceof ReportTemplateNotFoundError) return { type: `${BASE}/not-found`, title: 'Not Found', status: 404, detail: error.message };
  if (error instanceof ReportTemplateConflictError) return { type: `${BASE}/report-template-conflict`, title: 'Conflict', status: 409, detail: error.message };
  if (error instanceof ReportNotReadyError) return { type: `${BASE}/report-not-ready`, title: 'Conflict', status: 409, detail: error.message };
  if (error instanceof PdfRenderingUnavailableError) return { type: `${BASE}/pdf-rendering-unavailable`, title: 'Service Unavailable', status: 503, detail: error.message };
  return null;
}
