import { Principal } from '../../auth/principal';

/** The custom roles of the caller's tenant, by name. */
export class ListRoles {
  constructor(readonly principal: Principal) {}
}
