import { Principal } from '../../auth/principal';

/** The cross-tenant grants the caller's tenant issued, newest first, with their status now. */
export class ListGrants {
  constructor(readonly principal: Principal) {}
}
