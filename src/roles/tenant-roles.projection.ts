import { Injectable } from '@nestjs/common';
import { RecordedEvent } from '../event-store/event-store.port';
import { aggregateStreamPrefix, idsOfStreamRest } from '../event-store/stream-names';
import { Projection, ProjectionWriter } from '../projections/projection';
import { ReadModelProjection } from '../projections/read-model-projection.decorator';
import { ProjectionDefinition } from '../read-store/read-store.port';
import { decodeRoleEvent, isRoleEvent, TENANT_ROLE_CHANGED, TENANT_ROLE_DEFINED, TENANT_ROLE_DELETED } from './role.events';
import { TENANT_ROLES, TENANT_ROLES_COLLECTION, TENANT_ROLES_PROJECTION, TenantRoleDocument, tenantRoleDocumentId } from './tenant-roles.read-model';

/**
 * Custom roles per tenant, one document per live role (deleted roles are removed). A role stream
 * with a parked event is held (later events wait for a rebuild) and its role removed from the read
 * model: it grants nothing rather than permissions its history may have taken away (ADR 009).
 */
@ReadModelProjection()
@Injectable()
export class TenantRolesProjection implements Projection {
  readonly definition: ProjectionDefinition = { name: TENANT_ROLES_PROJECTION, version: 1, collections: [TENANT_ROLES_COLLECTION] };
  readonly streamPrefixes = [aggregateStreamPrefix('role')];

  parked(recorded: RecordedEvent, _error: string, writer: ProjectionWriter): void {
    const [tenantId, name] = idsOfStreamRest(recorded.stream.slice(aggregateStreamPrefix('role').length));
    if (tenantId && name) writer.delete(TENANT_ROLES, tenantRoleDocumentId(tenantId, name));
  }

  async apply(recorded: RecordedEvent, writer: ProjectionWriter): Promise<void> {
    if (!isRoleEvent(recorded)) return;
    const event = decodeRoleEvent(recorded);
    const id = tenantRoleDocumentId(event.data.tenantId, event.data.name);
    switch (event.type) {
      case TENANT_ROLE_DEFINED: {
        const doc: TenantRoleDocument = {
          id,
          tenantId: event.data.tenantId,
          name: event.data.name,
          permissions: event.data.permissions,
          description: event.data.description,
          createdAt: event.data.at,
          createdBy: event.data.by,
          updatedAt: event.data.at,
          updatedBy: event.data.by,
          revision: recorded.revision,
        };
        writer.put(TENANT_ROLES, doc);
        return;
      }
      case TENANT_ROLE_CHANGED: {
        const previous = (await writer.get(TENANT_ROLES, id)) as TenantRoleDocument | null;
        if (!previous) return; // the projection already reflects a later deletion (replay)
        writer.put(TENANT_ROLES, { ...previous, permissions: event.data.permissions, description: event.data.description, updatedAt: event.data.at, updatedBy: event.data.by, revision: recorded.revision });
        return;
      }
      case TENANT_ROLE_DELETED:
        writer.delete(TENANT_ROLES, id);
        return;
    }
  }
}
