import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { CHECKPOINT_CLOCK, CheckpointClock } from './checkpoints/checkpoint-clock';
import { CheckpointComparison } from './checkpoints/checkpoint-comparison';
import { CheckpointReader } from './checkpoints/checkpoint-reader';
import { Checkpointer } from './checkpoints/checkpointer';
import { CheckpointsController } from './checkpoints/checkpoints.controller';
import { SigningKeyController } from './signing/signing-key.controller';
import { loadSigningKeys, SIGNING_KEYS } from './signing/signing-keys';
import { ChainHashWorker } from './verify-chain/chain-hash-worker';
import { ChainVerifier } from './verify-chain/chain-verifier';
import { VerifyChainController } from './verify-chain/verify-chain.controller';

@Module({
  providers: [
    ChainHashWorker,
    ChainVerifier,
    // Without a key in production the service refuses to start (assertServiceConfig); command-line tools
    // that build the application (projection rebuild) never sign, so they get no key instead of failing.
    { provide: SIGNING_KEYS, useFactory: (config: AppConfig) => (config.signing.kind === 'missing' ? null : loadSigningKeys(config)), inject: [APP_CONFIG] },
    { provide: CHECKPOINT_CLOCK, useValue: (() => new Date()) satisfies CheckpointClock },
    CheckpointReader,
    CheckpointComparison,
    Checkpointer,
  ],
  controllers: [VerifyChainController, CheckpointsController, SigningKeyController],
  exports: [ChainVerifier, SIGNING_KEYS, Checkpointer, CheckpointComparison],
})
export class IntegrityModule {}
