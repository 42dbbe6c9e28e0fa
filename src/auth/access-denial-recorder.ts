import { Principal } from './principal';

/** Records refused requests of authenticated callers (privilege escalation attempts are evidence too). */
export const ACCESS_DENIAL_RECORDER = Symbol('ACCESS_DENIAL_RECORDER');

export interface DeniedRequest {
  method: string;
  route: string;
  ip?: string;
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, unknown>;
}

export interface AccessDenialRecorder {
  /** `reason`: why, when it is not simply a missing permission (e.g. no active cross-tenant grant). */
  recordDenial(principal: Principal, request: DeniedRequest, required: string[], reason?: string): Promise<void>;
}
