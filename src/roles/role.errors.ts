/** Typed domain errors of custom roles; src/http/domain-problems.ts maps them to problem+json. */

/** The requested definition is not acceptable (unknown permissions…): 422 with field paths. */
export class InvalidRoleError extends Error {
  constructor(readonly errors: Array<{ path: string; message: string }>) {
    super(`Invalid role: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`);
    this.name = 'InvalidRoleError';
  }
}

/** 409: a role of that name exists in the tenant. */
export class RoleAlreadyExistsError extends Error {
  constructor(readonly roleName: string) {
    super(`A role named ${roleName} already exists in your tenant`);
    this.name = 'RoleAlreadyExistsError';
  }
}

/** 409: built-in role names (config/roles.json) cannot be redefined, in any letter case. */
export class BuiltInRoleNameError extends Error {
  constructor(readonly roleName: string) {
    super(`${roleName} is a built-in role name and cannot be defined or changed`);
    this.name = 'BuiltInRoleNameError';
  }
}

/** 404: no such role in the caller's tenant. */
export class RoleNotFoundError extends Error {
  constructor(readonly roleName: string) {
    super(`No custom role named ${roleName} in your tenant`);
    this.name = 'RoleNotFoundError';
  }
}
