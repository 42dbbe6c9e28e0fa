import { Injectable } from '@nestjs/common';
import { RecordedEvent } from '../../event-store/event-store.port';
import { Projection, ProjectionWriter } from '../../projections/projection';
import { ReadModelProjection } from '../../projections/read-model-projection.decorator';
import { ProjectionDefinition } from '../../read-store/read-store.port';
import { MONITORING_RULES, MONITORING_RULES_COLLECTION, MONITORING_RULES_PROJECTION, MonitoringRuleDocument, ruleDocumentId } from './monitoring-rules.read-model';
import { RULE_STREAM_PREFIX } from './rule-stream';
import { decodeRuleEvent, isRuleEvent, MONITORING_RULE_DELETED } from './rule.events';

/** Rule configuration for the rules API, one document per rule as its last event left it. */
@ReadModelProjection()
@Injectable()
export class MonitoringRulesProjection implements Projection {
  readonly definition: ProjectionDefinition = { name: MONITORING_RULES_PROJECTION, version: 1, collections: [MONITORING_RULES_COLLECTION] };
  readonly streamPrefixes = [RULE_STREAM_PREFIX];

  apply(recorded: RecordedEvent, writer: ProjectionWriter): void {
    if (!isRuleEvent(recorded)) return;
    const event = decodeRuleEvent(recorded);
    const id = ruleDocumentId(event.data.tenantId, event.data.ruleId);
    if (event.type === MONITORING_RULE_DELETED) return writer.delete(MONITORING_RULES, id);
    const doc: MonitoringRuleDocument = { id, tenantId: event.data.tenantId, ruleId: event.data.ruleId, rule: event.data.rule };
    writer.put(MONITORING_RULES, doc);
  }
}
