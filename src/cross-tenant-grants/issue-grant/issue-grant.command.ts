import { Principal } from '../../auth/principal';

/** Grant a platform administrator read access to the caller's tenant until `expiresAt`. */
export class IssueGrant {
  constructor(
    readonly principal: Principal,
    readonly grantee: string,
    readonly granteeTenant: string,
    readonly permissions: string[],
    readonly expiresAt: string,
  ) {}
}
