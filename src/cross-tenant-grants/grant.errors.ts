/** Typed domain errors of cross-tenant grants; src/http/domain-problems.ts maps them to problem+json. */

/** 422: the grant asked for is not acceptable (permissions, expiry); errors carry field paths. */
export class InvalidGrantError extends Error {
  constructor(readonly errors: Array<{ path: string; message: string }>) {
    super(`Invalid grant: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`);
    this.name = 'InvalidGrantError';
  }
}

/** 404: no such grant in the caller's tenant. */
export class GrantNotFoundError extends Error {
  constructor(readonly grantId: string) {
    super(`No cross-tenant grant ${grantId} in your tenant`);
    this.name = 'GrantNotFoundError';
  }
}

/** 409: a grant with this id exists already (ids are server-assigned: a retry of a duplicate command). */
export class GrantAlreadyExistsError extends Error {
  constructor(readonly grantId: string) {
    super(`Cross-tenant grant ${grantId} exists already`);
    this.name = 'GrantAlreadyExistsError';
  }
}
