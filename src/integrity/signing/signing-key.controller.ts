import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../../auth/access.decorators';
import { ProblemResponses } from '../../http/problem-responses.decorator';
import { SelfAudited } from '../../self-audit/self-audit.decorators';
import { SIGNING_ALGORITHM } from './ed25519';
import { SIGNING_KEYS, SigningKeys } from './signing-keys';

interface PublicKeyAnswer {
  keyId: string;
  algorithm: typeof SIGNING_ALGORITHM;
  publicKey: string;
}

@ApiTags('reports')
@ApiBearerAuth()
@Controller('v1/reports')
export class SigningKeyController {
  constructor(@Inject(SIGNING_KEYS) private readonly keys: SigningKeys | null) {}

  @Get('signing-key')
  @RequirePermission('reports:read')
  @SelfAudited({ action: 'signing_key.read', kind: 'read', resource: { type: 'signing_key' } })
  @ApiOperation({ summary: 'The public Ed25519 key checkpoints and reports are signed with, and earlier keys still valid for verification' })
  @ApiOkResponse({
    schema: {
      type: 'object',
      properties: {
        keyId: { type: 'string', description: 'First 16 hex characters of SHA-256 over the SPKI DER' },
        algorithm: { type: 'string', enum: [SIGNING_ALGORITHM] },
        publicKey: { type: 'string', description: 'PEM (SPKI)' },
        previousKeys: { type: 'array', items: { type: 'object', properties: { keyId: { type: 'string' }, algorithm: { type: 'string' }, publicKey: { type: 'string' } } } },
      },
    },
  })
  @ProblemResponses(401, 403)
  signingKey(): PublicKeyAnswer & { previousKeys: PublicKeyAnswer[] } {
    const keys = this.keys;
    if (!keys) throw new ServiceUnavailableException('No signing key is configured (SIGNING_KEY_FILE)');
    return {
      keyId: keys.keyId,
      algorithm: SIGNING_ALGORITHM,
      publicKey: keys.publicKeyPem,
      previousKeys: keys.previous.map((key) => ({ keyId: key.keyId, algorithm: SIGNING_ALGORITHM, publicKey: key.publicKeyPem })),
    };
  }
}
