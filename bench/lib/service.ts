import { ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as jwt from 'jsonwebtoken';

export const BENCH_SECRET = 'bench-only-secret-0123456789abcdef0123456789';
const ROOT = path.resolve(__dirname, '..', '..');

export interface RunningService {
  url: string;
  pid: number;
  child: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Production requires a signing key (ADR 017): one per bench data dir, kept with it. */
function benchSigningKey(dataDir: string): string {
  const file = path.join(dataDir, 'bench-signing-key.pem');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }
  return file;
}

/** Production requires a key for webhook secrets (ADR 020): one per bench data dir, kept with it. */
function benchWebhookSecretsKey(dataDir: string): string {
  const file = path.join(dataDir, 'bench-webhook-secrets.key');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
  }
  return file;
}

/**
 * Starts the built service (dist/main.js) on 127.0.0.1 with embedded stores in `dataDir`. `nodeArgs`:
 * options for node itself, e.g. `--cpu-prof` (which NODE_OPTIONS does not allow).
 */
export async function startService(dataDir: string, port: number, logFile: string, env: NodeJS.ProcessEnv = {}, nodeArgs: string[] = []): Promise<RunningService> {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'main.js'))) throw new Error('Build first: npm run build');
  const log = fs.openSync(logFile, 'a');
  // BENCH_NODE_ARGS: node options for the service in any bench, e.g. "--trace-gc".
  const extraArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...extraArgs, ...nodeArgs, path.join(ROOT, 'dist', 'main.js')], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      JWT_SECRET: BENCH_SECRET,
      SIGNING_KEY_FILE: benchSigningKey(dataDir),
      WEBHOOK_SECRETS_KEY_FILE: benchWebhookSecretsKey(dataDir),
      LOG_LEVEL: 'info',
      NODE_ENV: 'production',
      ...env,
    },
    stdio: ['ignore', log, log],
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + Number(process.env.BENCH_START_TIMEOUT_MS ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}; see ${logFile}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`service did not become healthy; see ${logFile}`);
    await sleep(100);
  }
  return {
    url,
    pid: child.pid!,
    child,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

export function token(roles: string[], sub = 'bench', tenant = 'acme'): string {
  return jwt.sign({ tenant, roles, actor_type: roles.includes('audit_writer') ? 'service' : 'user' }, BENCH_SECRET, {
    algorithm: 'HS256',
    subject: sub,
    expiresIn: 24 * 3600,
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resident set size of a process, in MB (Linux). */
export function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/**
 * VmRSS split into anonymous memory (heaps, buffers) and file pages mapped into the process (the
 * query side reads both stores through a memory map, ADR 032: those pages are the page cache, shared
 * and reclaimable, but VmRSS counts the ones this process touched).
 */
export function rssBreakdownMb(pid: number): { rss: number; anon: number; file: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, anon: kb('RssAnon') / 1024, file: kb('RssFile') / 1024 };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
