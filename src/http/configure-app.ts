import { INestApplication, ValidationPipe } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { MAX_BATCH_BYTES } from '../audit-log/audit-event';
import { RequestValidationError } from './request-validation.error';
import { HttpAdapterHost } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { RequestLoggingMiddleware } from '../logging/request-logging.middleware';
import { ProblemDetailsFilter } from './problem-details.filter';

/** Everything about the HTTP surface that main.ts and the e2e tests must share. */
export function configureApp(app: INestApplication): INestApplication {
  const express = app as NestExpressApplication;
  // Before the body parser, so that its refusals (malformed JSON, too large) carry the request id too.
  const requestContext = new RequestLoggingMiddleware();
  express.use(requestContext.use.bind(requestContext));
  express.useBodyParser('json', { limit: MAX_BATCH_BYTES });
  express.set('trust proxy', false);
  express.disable('x-powered-by');
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
