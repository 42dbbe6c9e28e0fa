import { JsonLogger } from './json-logger';
import { RequestContext } from './request-context';

describe(JsonLogger.name, () => {
  const capture = (level: ConstructorParameters<typeof JsonLogger>[0]) => {
    const lines: Array<Record<string, unknown>> = [];
    return { logger: new JsonLogger(level, (line) => lines.push(JSON.parse(line))), lines };
  };

  it('writes one JSON object per line with level, context, fields, request id and tenant', () => {
    const { logger, lines } = capture('info');
    RequestContext.run({ requestId: 'req-1' }, () => {
      RequestContext.setTenant('acme');
      logger.log({ msg: 'appended', count: 3 }, 'Writer');
    });
    logger.warn('plain text', 'Other');
    expect(lines).toEqual([
      { time: expect.any(String), level: 'info', context: 'Writer', requestId: 'req-1', tenantId: 'acme', msg: 'appended', count: 3 },
      { time: expect.any(String), level: 'warn', context: 'Other', msg: 'plain text' },
    ]);
  });

  it('drops lines below the threshold and keeps error stacks', () => {
    const { logger, lines } = capture('warn');
    logger.log('hidden');
    logger.debug('hidden');
    logger.error(new Error('boom'), 'Ctx');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'error', context: 'Ctx', msg: 'boom', stack: expect.stringContaining('Error: boom') });
  });
});
