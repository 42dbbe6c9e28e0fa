import { SERVICE_NAME } from '../audit-event';
import { MAX_JSON_DEPTH } from '../audit-event';
import { AUDIT_EVENT_SCHEMA } from './audit-event.schema';

// AUDIT_EVENT_SCHEMA is also the OpenAPI schema of the ingestion endpoints: it must state the limits.
describe('AUDIT_EVENT_SCHEMA (also the OpenAPI request schema)', () => {
  it('states the depth, Unicode and number limits that no JSON Schema keyword expresses', () => {
    expect(AUDIT_EVENT_SCHEMA.description).toContain(`nest at most ${MAX_JSON_DEPTH} levels`);
    expect(AUDIT_EVENT_SCHEMA.description).toContain('lone surrogate');
    expect(AUDIT_EVENT_SCHEMA.description).toContain(String(Number.MAX_SAFE_INTEGER));
    expect(AUDIT_EVENT_SCHEMA.properties.metadata.description).toContain(String(MAX_JSON_DEPTH));
  });

  it('gives occurredAt an RFC 3339 pattern that refuses a space for T, long fractions and missing offsets', () => {
    const pattern = new RegExp(AUDIT_EVENT_SCHEMA.properties.occurredAt.pattern);
    expect(['2026-11-26T09:15:00Z', '2026-11-26T09:15:00.123456789+01:00'].every((t) => pattern.test(t))).toBe(true);
    expect(['2026-11-26 09:15:00Z', '2026-11-26T09:15:00.1234567890Z', '2026-11-26T09:15:00', '2026-11-26T09:15:00+0100'].some((t) => pattern.test(t))).toBe(false);
    expect(AUDIT_EVENT_SCHEMA.properties.occurredAt.format).toBe('date-time');
  });

  it('says that the service name is refused as context.sourceService', () => {
    expect(AUDIT_EVENT_SCHEMA.properties.context.properties.sourceService.description).toContain(`"${SERVICE_NAME}"`);
  });
});
