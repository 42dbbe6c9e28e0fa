import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { READ_STORE, ReadStore } from '../../read-store/read-store.port';
import { CROSS_TENANT_GRANTS, CrossTenantGrantDocument, CrossTenantGrantView, toGrantView } from '../cross-tenant-grants.read-model';
import { ListGrants } from './list-grants.query';

@QueryHandler(ListGrants)
export class ListGrantsHandler implements IQueryHandler<ListGrants, { items: CrossTenantGrantView[] }> {
  constructor(@Inject(READ_STORE) private readonly store: ReadStore) {}

  async execute({ principal }: ListGrants): Promise<{ items: CrossTenantGrantView[] }> {
    const docs = (await this.store.find(CROSS_TENANT_GRANTS, { tenantId: principal.tenantId }, { sort: [['issuedAt', -1]] })) as unknown as CrossTenantGrantDocument[];
    const now = new Date();
    return { items: docs.map((doc) => toGrantView(doc, now)) };
  }
}
