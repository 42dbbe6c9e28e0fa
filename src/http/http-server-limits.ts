import { Server } from 'node:http';

/** Longest pause between two checks of the server for requests past their deadline. */
const MAX_CHECK_INTERVAL_MS = 1000;

/**
 * Bounds how long a client may take to send a request: a body still arriving `requestTimeoutMs`
 * after the request began is answered 408 by Node and the connection closed, so slow-body clients
 * cannot hold connections (and the memory behind them) open. Headers get no longer than the whole
 * request. Node enforces both on a periodic check, whose interval is set here (it is read when the
 * server starts listening) so that the deadline holds to within a second.
 */
export function applyHttpServerLimits(server: Server, limits: { requestTimeoutMs: number }): void {
  server.requestTimeout = limits.requestTimeoutMs;
  server.headersTimeout = Math.min(server.headersTimeout, limits.requestTimeoutMs);
  // Node reads it when listening starts; @types/node does not declare it as a property.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.min(MAX_CHECK_INTERVAL_MS, Math.max(10, Math.floor(limits.requestTimeoutMs / 4)));
}
