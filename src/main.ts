import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { assertServiceConfig, ConfigValidationError, loadAppConfig } from './config/app-config';
import { configureApp } from './http/configure-app';
import { JsonLogger } from './logging/json-logger';

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadAppConfig();
    assertServiceConfig(config);
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      new JsonLogger('error', (line) => process.stderr.write(line + '\n')).fatal({ msg: 'refusing to start', problems: error.problems }, 'Config');
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = new JsonLogger(config.logLevel);
  const app = await NestFactory.create(AppModule.forRoot(config), { logger });
  configureApp(app);
  // configureApp enables Nest's shutdown hooks: on these signals the app closes (HTTP server, projections, stores) and exits.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => logger.log({ msg: 'shutting down', signal }, 'Bootstrap'));
  await app.listen(config.http.port, config.http.host);
  logger.log(
    { msg: 'listening', url: await app.getUrl(), pid: process.pid, eventStore: config.eventStore.kind, readStore: config.readStore.kind, dataDir: config.dataDir },
    'Bootstrap',
  );
}

void bootstrap();
