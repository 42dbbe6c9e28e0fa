import { Logger } from '@nestjs/common';

// Keep test output readable: Nest's loggers are silent unless TEST_LOGS=1.
if (!process.env.TEST_LOGS) Logger.overrideLogger(false);

// The e2e tier's second pass runs the read store on a Mongo-wire server (FerretDB) over loopback,
// several times slower per write than embedded SQLite: give its tests more time, not looser checks.
if (process.env.E2E_READ_STORE === 'mongodb') jest.setTimeout(30_000);
