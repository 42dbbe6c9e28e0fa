import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { Principal } from './principal';

/** The authenticated caller of this request (set by AccessGuard). */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  return context.switchToHttp().getRequest<{ user: Principal }>().user;
});
