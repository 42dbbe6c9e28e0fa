/**
 * The distributed adapters need servers that cannot be installed on our build machines; their
 * contract runs happen where these variables are set (docker-compose, .github/workflows/ci.yml).
 */
export const EVENTSTORE_CONNECTION_STRING = process.env.EVENTSTORE_CONNECTION_STRING || undefined;
export const MONGODB_URI = process.env.MONGODB_URI || undefined;

export const SKIP_ESDB_REASON = 'SKIPPED: EVENTSTORE_CONNECTION_STRING is not set (no EventStoreDB server on this machine)';
export const SKIP_MONGO_REASON = 'SKIPPED: MONGODB_URI is not set (no MongoDB server on this machine)';

/** A short unique token so runs against a shared server never see each other's data. */
export function runToken(): string {
  return `r${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}
