import { DynamicModule, INestApplication, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../src/app.module';
import { AppConfig, loadAppConfig } from '../../src/config/app-config';
import { configureApp } from '../../src/http/configure-app';
import { makeTempDir } from './temp-dir';
import { TEST_JWT_SECRET } from './tokens';

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  dataDir: string;
  close(): Promise<void>;
}

/** The real application over embedded stores in a temp dir, plus any extra test modules. */
export async function createTestApp(options: { env?: NodeJS.ProcessEnv; imports?: Array<DynamicModule | typeof Module | object> } = {}): Promise<TestApp> {
  const temp = makeTempDir();
  const config = loadAppConfig({ DATA_DIR: temp.dir, LOG_LEVEL: 'error', JWT_SECRET: TEST_JWT_SECRET, PROJECTION_MODE: 'inline', ...options.env });
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot(config), ...((options.imports ?? []) as DynamicModule[])],
  }).compile();
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
