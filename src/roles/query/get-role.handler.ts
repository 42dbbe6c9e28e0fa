import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { RoleNotFoundError } from '../role.errors';
import { toRoleView, TenantRoleView } from '../tenant-roles.read-model';
import { GetRole } from './get-role.query';
import { TenantRolesReader } from './tenant-roles.reader';

@QueryHandler(GetRole)
export class GetRoleHandler implements IQueryHandler<GetRole, TenantRoleView> {
  constructor(private readonly reader: TenantRolesReader) {}

  async execute({ principal, name }: GetRole): Promise<TenantRoleView> {
    const doc = await this.reader.get(principal.tenantId, name);
    if (!doc) throw new RoleNotFoundError(name);
    return toRoleView(doc);
  }
}
