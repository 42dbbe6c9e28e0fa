import { INestApplication, ValidationPipe } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { MAX_BATCH_BYTES } from '../audit-log/audit-event';
import { RequestValidationError } from './request-validation.error';
import { HttpAdapterHost } from '@nestjs/core';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { RequestLoggingMiddleware } from '../logging/request-logging.middleware';
import { ProblemDetailsFilter } from './problem-details.filter';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { applyHttpServerLimits } from './http-server-limits';
import { refuseDeepBodies, refuseNonJsonBodies, requireUtf8 } from './request-body-policy';

/** The OpenAPI description: what exists, and what is designed but not there yet. */
export const API_DESCRIPTION = [
  'Immutable per-tenant audit log: ingestion with a hash chain per tenant, search, detail with a field-level diff, ' +
    'export (NDJSON or CSV with every field; see docs/export-formats.md in the repository) and a live tail (SSE), ' +
    'integrity verification with signed checkpoints, custom roles and audited cross-tenant grants, monitoring rules and alerts, ' +
    'notifications, webhooks to SIEMs (Standard Webhooks), compliance reports (PDF/CSV with signed evidence, on demand and scheduled) ' +
    'and retention. Errors are application/problem+json with a requestId.',
].join('\n\n');

/** Everything about the HTTP surface that main.ts and the e2e tests must share. */
export function configureApp(app: INestApplication): INestApplication {
  const express = app as NestExpressApplication;
  // Before the body parser, so that its refusals (malformed JSON, too large) carry the request id too.
  const requestContext = new RequestLoggingMiddleware();
  express.use(requestContext.use.bind(requestContext));
  express.use(refuseNonJsonBodies);
  express.useBodyParser('json', { limit: MAX_BATCH_BYTES, verify: requireUtf8 });
  express.use(refuseDeepBodies(['/v1/audit-events', '/v1/audit-events/batch']));
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
      .setDescription(API_DESCRIPTION)
      .setVersion('1')
      .addBearerAuth()
      .addServer('/', 'This service (paths are relative to where it is reached)')
      .build(),
  );
  declarePublicOperations(document);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}

/** The @Public() routes: no bearer token. */
const PUBLIC_PATHS = ['/health'];

/**
 * Public operations say so with an empty `security` list, so that a client generator never guesses.
 * Every other operation must declare bearer auth itself: Redocly's `security-defined` rule (test
 * `openapi-lint`) fails the build for one that does not.
 */
function declarePublicOperations(document: OpenAPIObject): void {
  for (const path of PUBLIC_PATHS) {
    const item = document.paths[path];
    if (item?.get) item.get.security = [];
  }
}
