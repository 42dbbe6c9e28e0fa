import { Principal } from '../../auth/principal';

/** Revoke a grant of the caller's tenant: it stops working the moment this is recorded. */
export class RevokeGrant {
  constructor(
    readonly principal: Principal,
    readonly grantId: string,
  ) {}
}
