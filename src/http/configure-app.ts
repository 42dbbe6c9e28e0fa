import { INestApplication, ValidationPipe } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { MAX_BATCH_BYTES } from '../audit-log/audit-event';
import { RequestValidationError } from './request-validation.error';
import { HttpAdapterHost } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ProblemDetailsFilter } from './problem-details.filter';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { applyHttpServerLimits } from './http-server-limits';

/** Everything about the HTTP surface that main.ts and the e2e tests must share. */
export function configureApp(app: INestApplication): INestApplication {
  const express = app as NestExpressApplication;
  express.useBodyParser('json', { limit: MAX_BATCH_BYTES });
  express.set('trust proxy', false);
  express.disable('x-powered-by');
  applyHttpServerLimits(app.getHttpServer(), app.get<AppConfig>(APP_CONFIG).httpLimits);
  app.useGlobalFilters(new ProblemDetailsFilter(app.get(HttpAdapterHost)));
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) => RequestValidationError.from(errors),
    }),
  );
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Compliance & Audit Trail')
      .setDescription('Immutable per-tenant audit log, compliance reports, monitoring rules and alerts.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}
