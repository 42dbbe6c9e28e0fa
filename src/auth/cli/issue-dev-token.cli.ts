import { Logger } from '@nestjs/common';
import * as jwt from 'jsonwebtoken';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigValidationError, loadAppConfig } from '../../config/app-config';
import { DEV_SECRET_FILE, resolveJwtVerification } from '../jwt-keys';
import { JsonLogger } from '../../logging/json-logger';
import { ACTOR_TYPES } from '../principal';
import { STREAM_ID_PATTERN } from '../../event-store/stream-names';

const TENANT_ID = STREAM_ID_PATTERN;

const USAGE = `usage: npm run token -- --tenant <id> --sub <user> [--roles r1,r2] [--sid <session>] [--actor-type user|admin|ai_agent|service] [--ttl 3600]
Signs a development token with the configured JWT_SECRET, or with the secret the service generated
into DATA_DIR/${DEV_SECRET_FILE} at its first start (DATA_DIR resolves against the current directory,
as for the service; npm run runs in the repository root). It never creates that secret itself.
In production, tokens come from your identity provider; this command refuses to run there.`;

function main(): number {
  const { values } = parseArgs({
    options: {
      tenant: { type: 'string' },
      sub: { type: 'string' },
      roles: { type: 'string', default: '' },
      sid: { type: 'string' },
      'actor-type': { type: 'string', default: 'user' },
      ttl: { type: 'string', default: '3600' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || !values.tenant || !values.sub) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 64;
  }
  if (!TENANT_ID.test(values.tenant)) {
    process.stderr.write('--tenant must be 1-128 of A-Z a-z 0-9 _ . : - (the service rejects anything else)\n');
    return 64;
  }
  const ttl = Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl <= 0) {
    process.stderr.write('--ttl must be a positive number of seconds\n');
    return 64;
  }
  const actorType = values['actor-type'] as string;
  if (!(ACTOR_TYPES as readonly string[]).includes(actorType)) {
    process.stderr.write(`--actor-type must be one of ${ACTOR_TYPES.join(', ')}\n`);
    return 64;
  }
  const config = loadAppConfig();
  // stdout carries only the token (TOKEN=$(npm run token …)); diagnostics go to stderr.
  Logger.overrideLogger(new JsonLogger(config.logLevel, (line) => process.stderr.write(`${line}\n`)));
  if (config.nodeEnv === 'production' || config.jwt.key.kind === 'public-key') {
    process.stderr.write('refusing: development tokens are only signed with a shared secret outside production\n');
    return 77;
  }
  if (ttl > config.jwt.maxLifetimeSeconds) {
    process.stderr.write(`--ttl must not exceed JWT_MAX_LIFETIME_SECONDS (${config.jwt.maxLifetimeSeconds}): the service refuses longer-lived tokens\n`);
    return 64;
  }
  if (config.jwt.key.kind === 'dev-generated') {
    // Minting a secret here would sign with one the service never sees ("invalid signature" on every call).
    const secretFile = path.join(config.dataDir, DEV_SECRET_FILE);
    if (!fs.existsSync(secretFile)) {
      process.stderr.write(
        `no development secret at ${secretFile}: the service generates it when it first starts without JWT_SECRET.\n` +
          `Start the service first, then run this with the DATA_DIR the service uses (its "listening" log line names it), ` +
          `e.g. DATA_DIR=${config.dataDir} npm run token -- …, or give both the same JWT_SECRET.\n`,
      );
      return 78; // EX_CONFIG
    }
    process.stderr.write(`token: signed with the development secret in ${secretFile}\n`);
  }
  const { key, issuer, audience } = resolveJwtVerification(config);
  const token = jwt.sign(
    {
      tenant: values.tenant,
      roles: (values.roles as string).split(',').map((r) => r.trim()).filter(Boolean),
      actor_type: actorType,
      ...(values.sid ? { sid: values.sid } : {}),
    },
    key,
    { algorithm: 'HS256', subject: values.sub, expiresIn: ttl, ...(issuer ? { issuer } : {}), ...(audience ? { audience } : {}) },
  );
  process.stdout.write(`${token}\n`);
  return 0;
}

try {
  process.exit(main());
} catch (error) {
  process.stderr.write(`${error instanceof ConfigValidationError ? error.message : String(error)}\n`);
  process.exit(1);
}
