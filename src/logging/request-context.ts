import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestContextData {
  requestId: string;
  tenantId?: string;
}

const storage = new AsyncLocalStorage<RequestContextData>();

/** Per-request data that the logger adds to every line written while handling the request. */
export const RequestContext = {
  run<T>(data: RequestContextData, fn: () => T): T {
    return storage.run(data, fn);
  },
  current(): RequestContextData | undefined {
    return storage.getStore();
  },
  setTenant(tenantId: string): void {
    const data = storage.getStore();
    if (data) data.tenantId = tenantId;
  },
};
