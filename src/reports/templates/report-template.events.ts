import { Decider, DomainEvent } from '../../event-sourcing/decider';
import { RecordedEvent } from '../../event-store/event-store.port';
import { aggregateStreamOf, aggregateStreamPrefix } from '../../event-store/stream-names';
import { ReportTemplateConflictError, ReportTemplateNotFoundError } from '../reports.errors';
import { TEMPLATE_ID_PATTERN, TemplateDefinition } from './configurable-template';

/**
 * A tenant's configurable template: `report_template-<tenantId>-<id with "-" written as "_">` (template
 * ids are [a-z0-9-], so the mapping is one-to-one, as for rules). Every change is a new version.
 */
export function templateStreamOf(tenantId: string, templateId: string): string {
  if (!TEMPLATE_ID_PATTERN.test(templateId)) throw new Error(`Invalid template id "${templateId}"`);
  return aggregateStreamOf('report_template', tenantId, templateId.replace(/-/g, '_'));
}

export const TEMPLATE_STREAM_PREFIX = aggregateStreamPrefix('report_template');
export const REPORT_TEMPLATE_VERSION_CREATED = 'ReportTemplateVersionCreated.v1';

export type ReportTemplateVersionCreated = DomainEvent<
  typeof REPORT_TEMPLATE_VERSION_CREATED,
  { tenantId: string; templateId: string; version: number; definition: TemplateDefinition; by: string; at: string }
>;

export function decodeTemplateEvent(recorded: RecordedEvent): ReportTemplateVersionCreated {
  if (recorded.type !== REPORT_TEMPLATE_VERSION_CREATED) throw new Error(`Unknown event type ${recorded.type} in template stream ${recorded.stream}`);
  return { type: recorded.type, data: recorded.data } as unknown as ReportTemplateVersionCreated;
}

export interface TemplateState {
  /** 0: no version yet. */
  version: number;
  definition: TemplateDefinition | null;
}

export interface TemplateCommand {
  kind: 'create' | 'update';
  tenantId: string;
  definition: TemplateDefinition;
  by: string;
  at: string;
}

/**
 * `exampleVersion` is 1 for the industry examples (their version 1 is built in, so the tenant's first
 * own version is 2), else 0. `create` refuses an existing template; `update` needs one.
 */
export function templateDecider(exampleVersion: 0 | 1): Decider<TemplateCommand, TemplateState, ReportTemplateVersionCreated> {
  return {
    initialState: { version: exampleVersion, definition: null },
    decide(command, state) {
      const id = command.definition.id;
      if (command.kind === 'create' && state.version > 0) {
        throw new ReportTemplateConflictError(`Report template ${id} already exists (version ${state.version}); PUT /v1/report-templates/${id} adds a version`);
      }
      if (command.kind === 'update' && state.version === 0) throw new ReportTemplateNotFoundError(id);
      const data = { tenantId: command.tenantId, templateId: id, version: state.version + 1, definition: command.definition, by: command.by, at: command.at };
      return [{ type: REPORT_TEMPLATE_VERSION_CREATED, data }];
    },
    evolve: (_state, event) => ({ version: event.data.version, definition: event.data.definition }),
  };
}
