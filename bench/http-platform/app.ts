/**
 * Minimal Nest app for the HTTP platform benchmark (see run.ts).
 * Run as a child process: `app.ts <express|fastify> <validate|novalidate>`.
 * Listens on 127.0.0.1:<free port> and reports the port to the parent over IPC.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Body, Controller, HttpCode, Module, Post, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize, ArrayMinSize, IsArray, IsEnum, IsIP, IsISO8601, IsNotEmpty, IsObject,
  IsOptional, IsString, IsUUID, MaxLength, ValidateNested,
} from 'class-validator';

export enum ActorType { user = 'user', admin = 'admin', ai_agent = 'ai_agent', service = 'service', system = 'system' }
export enum Outcome { success = 'success', failure = 'failure', denied = 'denied' }
export enum Sensitivity { public = 'public', internal = 'internal', personal = 'personal', financial = 'financial', restricted = 'restricted' }
export enum Channel { ui = 'ui', api = 'api', workflow = 'workflow', system = 'system' }

export class ActorDto {
  @IsString() @IsNotEmpty() @MaxLength(200) id!: string;
  @IsEnum(ActorType) type!: ActorType;
  @IsOptional() @IsString() @MaxLength(100) role?: string;
  @IsOptional() @IsString() @MaxLength(200) sessionId?: string;
  @IsOptional() @IsIP() ip?: string;
  @IsOptional() @IsString() @MaxLength(1000) userAgent?: string;
}

export class ResourceDto {
  @IsString() @IsNotEmpty() @MaxLength(100) type!: string;
  @IsString() @IsNotEmpty() @MaxLength(200) id!: string;
  @IsOptional() @IsString() @MaxLength(500) name?: string;
  @IsOptional() @IsEnum(Sensitivity) sensitivity?: Sensitivity;
}

export class ChangesDto {
  @IsOptional() @IsObject() before?: Record<string, unknown>;
  @IsOptional() @IsObject() after?: Record<string, unknown>;
}

export class ContextDto {
  @IsOptional() @IsString() @MaxLength(200) requestId?: string;
  @IsOptional() @IsString() @MaxLength(200) correlationId?: string;
  @IsOptional() @IsString() @MaxLength(200) sourceService?: string;
}

export class AuditEventDto {
  @IsOptional() @IsUUID() id?: string;
  @IsISO8601() occurredAt!: string;
  @ValidateNested() @Type(() => ActorDto) actor!: ActorDto;
  @IsString() @IsNotEmpty() @MaxLength(200) action!: string;
  @IsOptional() @IsEnum(Outcome) outcome?: Outcome;
  @ValidateNested() @Type(() => ResourceDto) resource!: ResourceDto;
  @IsOptional() @ValidateNested() @Type(() => ChangesDto) changes?: ChangesDto;
  @IsEnum(Channel) channel!: Channel;
  @IsOptional() @ValidateNested() @Type(() => ContextDto) context?: ContextDto;
  @IsOptional() @IsObject() metadata?: Record<string, unknown>;
}

export class BatchDto {
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(1000)
  @ValidateNested({ each: true }) @Type(() => AuditEventDto)
  events!: AuditEventDto[];
}

@Controller('v1/audit-events')
export class AuditEventsController {
  @Post('batch')
  @HttpCode(201)
  ingest(@Body() body: BatchDto) {
    // No storage: we only measure HTTP + parsing + validation + serialization.
    return { results: body.events.map((e, sequence) => ({ id: e.id ?? randomUUID(), sequence })) };
  }
}

@Module({ controllers: [AuditEventsController] })
export class BenchModule {}

export type Platform = 'express' | 'fastify';
const BODY_LIMIT = 5 * 1024 * 1024;

export async function createApp(platform: Platform, validate: boolean) {
  const logger = ['error', 'warn'] as const;
  const app =
    platform === 'express'
      ? await NestFactory.create<NestExpressApplication>(BenchModule, { logger: [...logger] })
      : await NestFactory.create<NestFastifyApplication>(BenchModule, new FastifyAdapter({ bodyLimit: BODY_LIMIT }), { logger: [...logger] });
  if (platform === 'express') (app as NestExpressApplication).useBodyParser('json', { limit: BODY_LIMIT });
  if (validate) app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  return app;
}

if (require.main === module) {
  (async () => {
    const [platform, mode] = process.argv.slice(2) as [Platform, string];
    const app = await createApp(platform, mode === 'validate');
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    // Parent asks for CPU usage snapshots to compute server CPU time per request.
    process.on('message', (msg) => {
      if (msg === 'cpu') process.send!({ cpu: process.cpuUsage() });
    });
    process.send!({ port });
  })().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
