import { ConflictException, NotFoundException, ServiceUnavailableException, UnprocessableEntityException } from '@nestjs/common';

const BASE = 'https://problems.audit-trail.dev';

/** 404: no such schedule in the caller's tenant. */
export class ReportScheduleNotFoundError extends NotFoundException {
  constructor(readonly scheduleId: string) {
    super({ type: `${BASE}/not-found`, title: 'Not Found', status: 404, detail: `No report schedule ${scheduleId} in your tenant` });
  }
}

/** 409: the id is taken (a create with the same generated id: practically never). */
export class ReportScheduleExistsError extends ConflictException {
  constructor(readonly scheduleId: string) {
    super({ type: `${BASE}/report-schedule-exists`, title: 'Conflict', status: 409, detail: `A report schedule ${scheduleId} already exists in your tenant` });
  }
}

/** 422: well-formed but not acceptable here (e-mail without SMTP, unknown template); nothing was changed. */
export class ReportScheduleRefusedError extends UnprocessableEntityException {
  constructor(readonly errors: Array<{ path: string; message: string }>) {
    super({ type: `${BASE}/validation-failed`, title: 'Validation Failed', status: 422, detail: `${errors.map((e) => `${e.path} ${e.message}`).join('; ')}; nothing was changed.`, errors });
  }
}

/** 503: report generation is not available in this service (REPORT_REQUESTS missing). */
export class ReportGenerationUnavailableError extends ServiceUnavailableException {
  constructor() {
    super({ type: `${BASE}/report-generation-unavailable`, title: 'Service Unavailable', status: 503, detail: 'Report generation is not available in this service; nothing was requested.' });
  }
}
