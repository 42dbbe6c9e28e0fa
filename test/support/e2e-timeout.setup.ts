// End-to-end tests drive a whole app (HTTP, projections, background reactors) on a busy 2-core CI
// machine: five seconds per test is too tight there. Waits inside tests stay bounded by their own timeouts.
jest.setTimeout(30_000);
