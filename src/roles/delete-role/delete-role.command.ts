import { Principal } from '../../auth/principal';

/** Delete a custom role of the caller's tenant: tokens naming it grant nothing through it any more. */
export class DeleteRole {
  constructor(
    readonly principal: Principal,
    readonly name: string,
  ) {}
}
