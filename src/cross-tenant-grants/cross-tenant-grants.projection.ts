import { Injectable } from '@nestjs/common';
import { RecordedEvent } from '../event-store/event-store.port';
import { GRANT_STREAM_PREFIX } from '../event-store/stream-names';
import { Projection, ProjectionWriter } from '../projections/projection';
import { ReadModelProjection } from '../projections/read-model-projection.decorator';
import { ProjectionDefinition } from '../read-store/read-store.port';
import {
  CROSS_TENANT_GRANTS,
  CROSS_TENANT_GRANTS_COLLECTION,
  CROSS_TENANT_GRANTS_PROJECTION,
  CrossTenantGrantDocument,
  grantDocumentId,
} from './cross-tenant-grants.read-model';
import { CROSS_TENANT_GRANT_ISSUED, CROSS_TENANT_GRANT_ISSUED_V1, CROSS_TENANT_GRANT_REVOKED, decodeGrantEvent, isGrantEvent } from './grant.events';

/** Every cross-tenant grant of every tenant, revoked ones included (the list shows them). */
@ReadModelProjection()
@Injectable()
export class CrossTenantGrantsProjection implements Projection {
  readonly definition: ProjectionDefinition = { name: CROSS_TENANT_GRANTS_PROJECTION, version: 1, collections: [CROSS_TENANT_GRANTS_COLLECTION] };
  readonly streamPrefixes = [GRANT_STREAM_PREFIX];

  async apply(recorded: RecordedEvent, writer: ProjectionWriter): Promise<void> {
    if (!isGrantEvent(recorded)) return;
    const event = decodeGrantEvent(recorded);
    const id = grantDocumentId(event.data.tenantId, event.data.grantId);
    switch (event.type) {
      case CROSS_TENANT_GRANT_ISSUED:
      case CROSS_TENANT_GRANT_ISSUED_V1: {
        const doc: CrossTenantGrantDocument = {
          id,
          tenantId: event.data.tenantId,
          grantId: event.data.grantId,
          grantee: event.data.grantee,
          granteeTenant: event.type === CROSS_TENANT_GRANT_ISSUED ? event.data.granteeTenant : null,
          permissions: event.data.permissions,
          expiresAt: event.data.expiresAt,
          issuedAt: event.data.at,
          issuedBy: event.data.by,
          status: 'issued',
          revokedAt: null,
          revokedBy: null,
        };
        writer.put(CROSS_TENANT_GRANTS, doc);
        return;
      }
      case CROSS_TENANT_GRANT_REVOKED: {
        const previous = (await writer.get(CROSS_TENANT_GRANTS, id)) as CrossTenantGrantDocument | null;
        if (!previous) return;
        writer.put(CROSS_TENANT_GRANTS, { ...previous, status: 'revoked', revokedAt: event.data.at, revokedBy: event.data.by });
        return;
      }
    }
  }
}
