import { Module } from '@nestjs/common';
import { ChainVerifier } from './verify-chain/chain-verifier';
import { VerifyChainController } from './verify-chain/verify-chain.controller';

@Module({ providers: [ChainVerifier], controllers: [VerifyChainController], exports: [ChainVerifier] })
export class IntegrityModule {}
