import { Principal } from '../../auth/principal';

/** Define a custom role in the caller's tenant. */
export class DefineRole {
  constructor(
    readonly principal: Principal,
    readonly name: string,
    readonly permissions: string[],
    readonly description?: string | null,
  ) {}
}
