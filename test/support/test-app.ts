import { DynamicModule, INestApplication, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../src/app.module';
import { AppConfig, loadAppConfig } from '../../src/config/app-config';
import { configureApp } from '../../src/http/configure-app';
import { makeTempDir } from './temp-dir';

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  close(): Promise<void>;
}

/** The real application over embedded stores in a temp dir, plus any extra test modules. */
export async function createTestApp(options: { env?: NodeJS.ProcessEnv; imports?: Array<DynamicModule | typeof Module | object> } = {}): Promise<TestApp> {
  const temp = makeTempDir();
  const config = loadAppConfig({ DATA_DIR: temp.dir, LOG_LEVEL: 'error', ...options.env });
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot(config), ...((options.imports ?? []) as DynamicModule[])],
  }).compile();
  const app = configureApp(moduleRef.createNestApplication({ logger: false }));
  await app.init();
  return {
    app,
    config,
    close: async () => {
      await app.close();
      temp.cleanup();
    },
  };
}
