/** Typed domain errors of monitoring rules; src/http/domain-problems.ts maps them to problem+json. */

/** 404: no such rule in the caller's tenant. */
export class RuleNotFoundError extends Error {
  constructor(readonly ruleId: string) {
    super(`No monitoring rule ${ruleId} in your tenant`);
    this.name = 'RuleNotFoundError';
  }
}

/** 409: a rule with that id exists (or is a built-in id). */
export class RuleAlreadyExistsError extends Error {
  constructor(readonly ruleId: string) {
    super(`A monitoring rule ${ruleId} already exists in your tenant`);
    this.name = 'RuleAlreadyExistsError';
  }
}

/** 409: built-in rules can be edited and disabled, never deleted. */
export class BuiltInRuleDeletionError extends Error {
  constructor(readonly ruleId: string) {
    super(`${ruleId} is a built-in rule: it can be disabled, not deleted`);
    this.name = 'BuiltInRuleDeletionError';
  }
}
