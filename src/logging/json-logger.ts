import { LoggerService } from '@nestjs/common';
import { LOG_LEVELS, LogLevel } from '../config/app-config';
import { RequestContext } from './request-context';

const NEST_TO_LEVEL: Record<string, LogLevel> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'verbose',
};

/**
 * One JSON object per line on stdout: time, level, context, message fields, and the request id and
 * tenant of the request being handled, if any. Objects passed as messages are merged into the line.
 */
export class JsonLogger implements LoggerService {
  private readonly threshold: number;

  constructor(
    level: LogLevel = 'info',
    private readonly write: (line: string) => void = (line) => process.stdout.write(line + '\n'),
  ) {
    this.threshold = LOG_LEVELS.indexOf(level);
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.emit('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.emit('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.emit('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.emit('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.emit('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.emit('fatal', message, rest);
  }

  private emit(nestLevel: string, message: unknown, rest: unknown[]): void {
    const level = NEST_TO_LEVEL[nestLevel];
    if (LOG_LEVELS.indexOf(level) > this.threshold) return;
    // Nest passes the context name last; an error's stack comes before it.
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const stack = typeof rest[0] === 'string' ? rest[0] : rest[0] instanceof Error ? rest[0].stack : undefined;
    const request = RequestContext.current();
    const fields =
      message instanceof Error
        ? { msg: message.message, stack: message.stack }
        : typeof message === 'object' && message !== null
          ? (message as Record<string, unknown>)
          : { msg: String(message) };
    this.write(
      JSON.stringify({
        time: new Date().toISOString(),
        level,
        ...(context ? { context } : {}),
        ...(request ? { requestId: request.requestId, ...(request.tenantId ? { tenantId: request.tenantId } : {}) } : {}),
        ...fields,
        ...(stack ? { stack } : {}),
      }),
    );
  }
}
