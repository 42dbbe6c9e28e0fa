import { Principal } from '../../auth/principal';

/** Replace the permissions of a custom role of the caller's tenant. */
export class ChangeRole {
  constructor(
    readonly principal: Principal,
    readonly name: string,
    readonly permissions: string[],
    readonly description?: string | null,
  ) {}
}
