import { Principal } from '../../auth/principal';

/** One custom role of the caller's tenant (404 if the tenant has none of that name). */
export class GetRole {
  constructor(
    readonly principal: Principal,
    readonly name: string,
  ) {}
}
