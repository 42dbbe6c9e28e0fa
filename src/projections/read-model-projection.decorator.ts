import { DiscoveryService } from '@nestjs/core';

/** Marks a provider implementing {@link Projection} so that the projection runner picks it up. */
export const ReadModelProjection = DiscoveryService.createDecorator<void>();
