import { randomUUID } from 'node:crypto';
import { NewEvent } from '../../src/event-store/event-store.port';

export function newEvent(overrides: Partial<NewEvent> = {}): NewEvent {
  return {
    id: randomUUID(),
    type: 'ContractTestHappened.v1',
    data: { n: Math.random(), nested: { list: [1, 'two', null], flag: true } },
    metadata: { correlationId: randomUUID() },
    ...overrides,
  };
}

export function newEvents(count: number, type = 'ContractTestHappened.v1'): NewEvent[] {
  return Array.from({ length: count }, (_, i) => newEvent({ type, data: { i } }));
}
