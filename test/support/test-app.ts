import { DynamicModule, INestApplication, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../src/app.module';
import { AppConfig, loadAppConfig } from '../../src/config/app-config';
import { configureApp } from '../../src/http/configure-app';
import { MONGODB_URI, runToken } from './distributed-stores';
import { makeTempDir } from './temp-dir';
import { TEST_JWT_SECRET } from './tokens';

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * Read store of the e2e tier: embedded SQLite, or with `E2E_READ_STORE=mongodb` the MongoDB adapter on
 * MONGODB_URI (a private database per app; the test server's data is temporary). `.ci/run` runs the tier both ways.
 */
export function readStoreEnv(): { env: NodeJS.ProcessEnv } {
  if (process.env.E2E_READ_STORE !== 'mongodb') return { env: {} };
  if (!MONGODB_URI) throw new Error('E2E_READ_STORE=mongodb needs MONGODB_URI (scripts/ferretdb.sh start prints one)');
  const url = new URL(MONGODB_URI);
  url.pathname = `/e2e_${runToken()}`;
  return { env: { READ_STORE: 'mongodb', MONGODB_URI: url.toString() } };
}

/** Environment that opens the same stores as `app` (a restart of the service on its data). */
export function sameStoresEnv(app: TestApp): NodeJS.ProcessEnv {
  const readStore = app.config.readStore;
  return { DATA_DIR: app.dataDir, ...(readStore.kind === 'mongodb' ? { READ_STORE: 'mongodb', MONGODB_URI: readStore.uri } : {}) };
}

/** The real application over embedded stores in a temp dir (or the e2e read store), plus any extra test modules. */
export interface ProviderOverride {
  /** A token, or a class provided as itself. */
  provide: string | symbol | (abstract new (...args: never[]) => unknown);
  useValue: unknown;
}

/** `overrides`: providers of the app replaced by test doubles (e.g. a recording renderer), by token. */
export async function createTestApp(
  options: { env?: NodeJS.ProcessEnv; imports?: Array<DynamicModule | typeof Module | object>; overrides?: ProviderOverride[] } = {},
): Promise<TestApp> {
  const temp = makeTempDir();
  const readStore = readStoreEnv();
  const config = loadAppConfig({
    DATA_DIR: temp.dir,
    LOG_LEVEL: 'error',
    JWT_SECRET: TEST_JWT_SECRET,
    PROJECTION_MODE: 'inline',
    ...readStore.env,
    ...options.env,
  });
  let builder = Test.createTestingModule({
    imports: [AppModule.forRoot(config), ...((options.imports ?? []) as DynamicModule[])],
  });
  for (const override of options.overrides ?? []) builder = builder.overrideProvider(override.provide).useValue(override.useValue);
  const moduleRef = await builder.compile();
  const app = configureApp(moduleRef.createNestApplication({ logger: false }));
  await app.init();
  return {
    app,
    config,
    dataDir: temp.dir,
    close: async () => {
      await app.close();
      temp.cleanup();
    },
  };
}
