import { ProblemDetails } from '../http/problem-details.filter';
import { AlertNotFoundError, AlertTransitionError } from './alerts/alert-triage';
import { BuiltInRuleDeletionError, RuleAlreadyExistsError, RuleNotFoundError } from './rules/rule.errors';

const BASE = 'https://problems.audit-trail.dev';

/** This module's domain errors as problem details (consulted by src/http/domain-problems.ts). */
export function monitoringProblemOf(error: unknown): Omit<ProblemDetails, 'instance' | 'requestId'> | null {
  if (error instanceof RuleNotFoundError || error instanceof AlertNotFoundError) return { type: `${BASE}/not-found`, title: 'Not Found', status: 404, detail: error.message };
  if (error instanceof RuleAlreadyExistsError) return { type: `${BASE}/rule-exists`, title: 'Conflict', status: 409, detail: error.message };
  if (error instanceof BuiltInRuleDeletionError) return { type: `${BASE}/built-in-rule`, title: 'Conflict', status: 409, detail: error.message };
  if (error instanceof AlertTransitionError) return { type: `${BASE}/alert-status-conflict`, title: 'Conflict', status: 409, detail: error.message };
  return null;
}
