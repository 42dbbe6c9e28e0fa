import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { toRoleView, TenantRoleView } from '../tenant-roles.read-model';
import { ListRoles } from './list-roles.query';
import { TenantRolesReader } from './tenant-roles.reader';

@QueryHandler(ListRoles)
export class ListRolesHandler implements IQueryHandler<ListRoles, { items: TenantRoleView[] }> {
  constructor(private readonly reader: TenantRolesReader) {}

  async execute({ principal }: ListRoles): Promise<{ items: TenantRoleView[] }> {
    return { items: (await this.reader.list(principal.tenantId)).map(toRoleView) };
  }
}
