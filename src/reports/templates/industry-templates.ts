import { templateDefinitionOf } from './configurable-template';

/**
 * The two industry examples, written in exactly the body a tenant POSTs to /v1/report-templates and
 * validated by the same code: they are version 1 of every tenant's template with that id, and a tenant
 * adapts one by PUTting its own definition (version 2, ...).
 */
const STANDARD_COLUMNS = ['occurredAt', 'sequence', 'actor.id', 'actor.role', 'action', 'outcome', 'resource.type', 'resource.id'];
const PHI_RESOURCE_TYPES = ['patient', 'patient_record', 'medical_record', 'lab_result', 'prescription', 'phi'];

export const HIPAA_PHI_ACCESS_BODY = {
  id: 'hipaa-phi-access',
  name: 'HIPAA PHI access (45 CFR 164.312(b))',
  framework: 'HIPAA',
  description: 'Audit controls: who accessed protected health information, per user, with denied attempts and exports.',
  sections: [
    { title: 'PHI accesses', description: `Resource types: ${PHI_RESOURCE_TYPES.join(', ')}.`, match: { resourceTypes: PHI_RESOURCE_TYPES }, columns: STANDARD_COLUMNS },
    { title: 'Accesses per user', match: { resourceTypes: PHI_RESOURCE_TYPES }, columns: ['actor.id'], groupBy: 'actor.id' },
    { title: 'Denied or failed PHI accesses', match: { resourceTypes: PHI_RESOURCE_TYPES, outcomes: ['denied', 'failure'] }, columns: STANDARD_COLUMNS },
    { title: 'PHI exports', match: { resourceTypes: PHI_RESOURCE_TYPES, actions: ['*.export'] }, columns: STANDARD_COLUMNS },
  ],
  summary: [
    { name: 'accesses', label: 'PHI accesses', section: 'PHI accesses', aggregate: 'count' },
    { name: 'users', label: 'Users (distinct)', section: 'PHI accesses', aggregate: 'distinct', field: 'actor.id' },
    { name: 'records', label: 'Records accessed (distinct)', section: 'PHI accesses', aggregate: 'distinct', field: 'resource.id' },
    { name: 'deniedOrFailed', label: 'Denied or failed', section: 'Denied or failed PHI accesses', aggregate: 'count' },
    { name: 'exports', label: 'Exports', section: 'PHI exports', aggregate: 'count' },
  ],
};

export const PCI_DSS_REQ10_BODY = {
  id: 'pci-dss-req10',
  name: 'PCI DSS requirement 10: log and monitor all access',
  framework: 'PCI DSS',
  description: 'The events of requirement 10.2.1: access to cardholder data, administrative actions, access to audit logs, invalid access attempts and changes to identification and authentication.',
  sections: [
    { title: '10.2.1.1 Access to cardholder data', match: { resourceTypes: ['cardholder_data', 'payment_card', 'card'] }, columns: STANDARD_COLUMNS },
    { title: '10.2.1.2 Actions by administrators', match: { actorTypes: ['admin'] }, columns: STANDARD_COLUMNS },
    { title: '10.2.1.3 Access to audit logs', match: { actions: ['audit_log.*', 'audit_event.*', 'report.*'] }, columns: STANDARD_COLUMNS },
    { title: '10.2.1.4 Invalid logical access attempts', match: { outcomes: ['denied'] }, columns: STANDARD_COLUMNS },
    { title: '10.2.1.5 Changes to identification and authentication', match: { resourceTypes: ['user', 'role', 'credential', 'api_key', 'mfa'], actions: ['*.create', '*.update', '*.delete', '*.assign', '*.revoke'] }, columns: STANDARD_COLUMNS },
  ],
  summary: [
    { name: 'cardholderDataAccesses', label: 'Accesses to cardholder data', section: '10.2.1.1 Access to cardholder data', aggregate: 'count' },
    { name: 'adminActions', label: 'Administrative actions', section: '10.2.1.2 Actions by administrators', aggregate: 'count' },
    { name: 'auditLogAccesses', label: 'Accesses to audit logs', section: '10.2.1.3 Access to audit logs', aggregate: 'count' },
    { name: 'invalidAccessAttempts', label: 'Invalid access attempts', section: '10.2.1.4 Invalid logical access attempts', aggregate: 'count' },
    { name: 'authenticationChanges', label: 'Changes to identification and authentication', section: '10.2.1.5 Changes to identification and authentication', aggregate: 'count' },
  ],
};

export const INDUSTRY_TEMPLATE_DEFINITIONS = [HIPAA_PHI_ACCESS_BODY, PCI_DSS_REQ10_BODY].map((body) => templateDefinitionOf(body, body.id));
