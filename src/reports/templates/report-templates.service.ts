import { Inject, Injectable, Logger } from '@nestjs/common';
import { Principal } from '../../auth/principal';
import { decideAndProject } from '../../event-sourcing/decide-and-project';
import { EVENT_STORE, EventStore } from '../../event-store/event-store.port';
import { ProjectionRegistry } from '../../projections/projection-registry.service';
import { READ_STORE, ReadStore } from '../../read-store/read-store.port';
import { AuditedChanges } from '../../self-audit/self-audit.decorators';
import { REPORT_TEMPLATES, REPORTS_PROJECTION, ReportTemplateDocument, templateDocumentId } from '../reports.read-model';
import { ReportTemplateConflictError, ReportTemplateNotFoundError } from '../reports.errors';
import { BUILT_IN_TEMPLATES, builtInTemplate } from './builtin-templates';
import { configurableTemplate, TEMPLATE_ID_PATTERN, TemplateDefinition, templateDefinitionOf } from './configurable-template';
import { INDUSTRY_TEMPLATE_DEFINITIONS } from './industry-templates';
import { decodeTemplateEvent, templateDecider, templateStreamOf } from './report-template.events';
import { ReportInputError, ReportTemplate, ReportTemplateInfo } from './report-template';

const TEMPLATE_PROJECTION_WAIT_MS = 5000;

export interface ReportTemplateView extends ReportTemplateInfo {
  /** The definition of a configurable template (sections, summary); absent for the six built-in ones. */
  definition?: TemplateDefinition;
  updatedAt: string | null;
  updatedBy: string | null;
}

const exampleOf = (id: string) => INDUSTRY_TEMPLATE_DEFINITIONS.find((d) => d.id === id);

function viewOf(template: ReportTemplate, definition?: TemplateDefinition, updated?: { createdAt: string; createdBy: string }): ReportTemplateView {
  const { calculator: _calculator, ...info } = template;
  return { ...info, ...(definition ? { definition } : {}), updatedAt: updated?.createdAt ?? null, updatedBy: updated?.createdBy ?? null };
}

/**
 * The templates a tenant can generate: the six built-in ones (fixed), the industry examples (version
 * 1, or the tenant's later versions of them) and the tenant's own configurable templates.
 */
@Injectable()
export class ReportTemplatesService {
  private readonly logger = new Logger('ReportTemplates');

  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly store: ReadStore,
    private readonly projections: ProjectionRegistry,
  ) {}

  async list(tenantId: string): Promise<ReportTemplateView[]> {
    const own = (await this.store.find(REPORT_TEMPLATES, { tenantId }, { sort: [['templateId', 1]] })) as unknown as ReportTemplateDocument[];
    const byId = new Map<string, ReportTemplateView>();
    for (const template of BUILT_IN_TEMPLATES) byId.set(template.id, viewOf(template));
    for (const definition of INDUSTRY_TEMPLATE_DEFINITIONS) byId.set(definition.id, viewOf(configurableTemplate(definition, 1, true), definition));
    for (const doc of own.filter((d) => d.tenantId === tenantId)) {
      const latest = doc.versions.reduce((a, b) => (b.version > a.version ? b : a));
      byId.set(doc.templateId, viewOf(configurableTemplate(latest.definition, latest.version, false), latest.definition, latest));
    }
    return [...byId.values()];
  }

  async view(tenantId: string, templateId: string, version?: number): Promise<ReportTemplateView> {
    const builtIn = builtInTemplate(templateId);
    if (builtIn) {
      if (version !== undefined && version !== 1) throw new ReportTemplateNotFoundError(templateId, version);
      return viewOf(builtIn);
    }
    const { definition, version: found, updated } = await this.definitionOf(tenantId, templateId, version);
    return viewOf(configurableTemplate(definition, found, updated === undefined), definition, updated);
  }

  /** The template at a version (default: the latest) for generating a report. */
  async resolve(tenantId: string, templateId: string, version?: number): Promise<ReportTemplate> {
    const builtIn = builtInTemplate(templateId);
    if (builtIn) {
      if (version !== undefined && version !== 1) throw new ReportTemplateNotFoundError(templateId, version);
      return builtIn;
    }
    const { definition, version: found, updated } = await this.definitionOf(tenantId, templateId, version);
    return configurableTemplate(definition, found, updated === undefined);
  }

  /** POST (a new id) or PUT (a new version of an existing one). Validates before anything is written. */
  async save(principal: Principal, kind: 'create' | 'update', templateId: string, body: unknown, now = new Date()): Promise<{ template: ReportTemplateView; changes: AuditedChanges }> {
    if (builtInTemplate(templateId)) throw new ReportTemplateConflictError(`${templateId} is a built-in template (ARCHITECTURE §10) and cannot be changed; create a configurable template with another id`);
    if (kind === 'update' && body !== null && typeof body === 'object' && 'id' in body && (body as { id: unknown }).id !== templateId) {
      throw new ReportInputError('Invalid report template', [{ path: 'id', message: 'must be the id in the path (or left out)' }]);
    }
    if (!TEMPLATE_ID_PATTERN.test(templateId)) throw new ReportInputError('Invalid report template', [{ path: 'id', message: 'required: 1-64 of a-z 0-9 -' }]);
    const definition = templateDefinitionOf(body, templateId);
    const result = await decideAndProject(this.events, this.projections, principal, {
      stream: templateStreamOf(principal.tenantId, templateId),
      decider: templateDecider(exampleOf(templateId) ? 1 : 0),
      decode: decodeTemplateEvent,
      command: { kind, tenantId: principal.tenantId, definition, by: principal.subject, at: now.toISOString() },
      projection: REPORTS_PROJECTION,
      waitMs: TEMPLATE_PROJECTION_WAIT_MS,
      logger: this.logger,
      describe: { template: templateId },
    });
    const template = viewOf(configurableTemplate(definition, result.after.version, false), definition, { createdAt: now.toISOString(), createdBy: principal.subject });
    const before = result.before.definition ?? exampleOf(templateId) ?? null;
    return {
      template,
      changes: { before: before ? { version: result.before.version, ...before } : null, after: { version: result.after.version, ...definition } },
    };
  }

  private async definitionOf(tenantId: string, templateId: string, version?: number): Promise<{ definition: TemplateDefinition; version: number; updated?: { createdAt: string; createdBy: string } }> {
    if (!TEMPLATE_ID_PATTERN.test(templateId)) throw new ReportTemplateNotFoundError(templateId);
    const doc = (await this.store.findById(REPORT_TEMPLATES, templateDocumentId(tenantId, templateId))) as unknown as ReportTemplateDocument | null;
    const versions = doc && doc.tenantId === tenantId ? doc.versions : [];
    const wanted = version ?? (versions.length > 0 ? Math.max(...versions.map((v) => v.version)) : 1);
    const own = versions.find((v) => v.version === wanted);
    if (own) return { definition: own.definition, version: own.version, updated: own };
    const example = exampleOf(templateId);
    if (example && wanted === 1) return { definition: example, version: 1 };
    throw new ReportTemplateNotFoundError(templateId, version);
  }
}
