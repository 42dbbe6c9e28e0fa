import { DynamicModule, Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { PROJECTIONS_OPTIONS, ProjectionRegistry, ProjectionsOptions } from './projection-registry.service';

@Global()
@Module({})
export class ProjectionsModule {
  static forRoot(options: ProjectionsOptions = { autoStart: true }): DynamicModule {
    return {
      module: ProjectionsModule,
      imports: [DiscoveryModule],
      providers: [{ provide: PROJECTIONS_OPTIONS, useValue: options }, ProjectionRegistry],
      exports: [ProjectionRegistry],
    };
  }
}
