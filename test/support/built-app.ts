import { ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Running the compiled service and its CLIs as child processes, the way a user (or the Docker
 * image: /app/{dist,config,node_modules}) runs them.
 *
 * The code is compiled with the project's tsconfig.build.json (what `nest build` runs: plain tsc,
 * no plugins or assets) into a private temp directory rather than the shared ./dist: `nest build`
 * deletes ./dist before writing it (deleteOutDir), so a concurrent build by anyone else makes a
 * test that runs ./dist fail at random. Set BUILT_APP_ROOT to a directory holding a ready dist/
 * (e.g. the repository after `npm run build`) to skip compiling.
 */

const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface BuiltApp {
  /** Directory with dist/, config/ and node_modules/; children run with it as cwd. */
  root: string;
  cleanup(): void;
}

export async function buildApp(): Promise<BuiltApp> {
  const prebuilt = process.env.BUILT_APP_ROOT;
  if (prebuilt) {
    if (!fs.existsSync(path.join(prebuilt, 'dist', 'main.js'))) throw new Error(`BUILT_APP_ROOT=${prebuilt} has no dist/main.js`);
    return { root: path.resolve(prebuilt), cleanup: () => undefined };
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-trail-built-'));
  const cleanup = () => fs.rmSync(root, { recursive: true, force: true });
  try {
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
    fs.symlinkSync(path.join(REPO_ROOT, 'config'), path.join(root, 'config'), 'dir');
    fs.writeFileSync(
      path.join(root, 'tsconfig.json'),
      JSON.stringify({
        extends: path.join(REPO_ROOT, 'tsconfig.build.json'),
        compilerOptions: { outDir: path.join(root, 'dist'), typeRoots: [path.join(REPO_ROOT, 'node_modules', '@types')], sourceMap: false },
      }),
    );
    const tsc = require.resolve('typescript/bin/tsc', { paths: [REPO_ROOT] });
    const result = await run(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.json')], { cwd: REPO_ROOT, env: process.env, timeoutMs: 180_000 });
    if (result.code !== 0) throw new Error(`compiling src/ failed (exit ${result.code}):\n${result.stdout}${result.stderr}`);
    return { root, cleanup };
  } catch (error) {
    cleanup();
    throw error;
  }
}

export interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const children = new Set<ChildProcess>();

/** SIGKILLs every child started here that is still running (for afterAll). */
export function killAllChildren(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
}

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Runs a command to completion, collecting its output; SIGKILLed after timeoutMs. */
export function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Exited> {
  return new Promise((resolve, reject) => {
    const child = track(spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The environment of a child: PATH and HOME only, plus what the test sets (no inherited JWT_* or NODE_ENV). */
export function childEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR };
  return Object.fromEntries(Object.entries({ ...base, ...env }).filter(([, v]) => v !== undefined));
}

/** Runs `node <root>/<script> ...args` in the built app. */
export function runNode(app: BuiltApp, script: string, args: string[], env: Record<string, string | undefined>, timeoutMs = 30_000): Promise<Exited> {
  return run(process.execPath, [path.join(app.root, script), ...args], { cwd: app.root, env: childEnv(env), timeoutMs });
}

/** A JSON log line's fields, or undefined if the line is not JSON. */
export function jsonLine(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export interface RunningService {
  /** e.g. http://127.0.0.1:43817 */
  url: string;
  process: ChildProcess;
  output(): { stdout: string; stderr: string };
  /** SIGTERM, then waits for the process to exit (SIGKILL after timeoutMs). */
  stop(timeoutMs?: number): Promise<Exited>;
  /** Waits for the process to exit without signalling it (SIGKILL after timeoutMs), e.g. after the test sent its own signal. */
  waitForExit(timeoutMs?: number): Promise<Exited>;
}

/**
 * Starts `node dist/main.js` on 127.0.0.1 with PORT=0 (the OS picks a free port, so nothing to retry)
 * and resolves once its "listening" log line names the URL it is bound to.
 */
export function startService(app: BuiltApp, env: Record<string, string | undefined>, timeoutMs = 20_000): Promise<RunningService> {
  env = withSigningKeyInProduction(env);
  return new Promise((resolve, reject) => {
    const child = track(
      spawn(process.execPath, [path.join(app.root, 'dist', 'main.js')], {
        cwd: app.root,
        env: childEnv({ LOG_LEVEL: 'info', ...env, PORT: '0', HOST: '127.0.0.1' }),
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    let stdout = '';
    let stderr = '';
    let pending = '';
    let started = false;
    const exited = new Promise<Exited>((done) => child.once('close', (code, signal) => done({ code, signal, stdout, stderr })));
    const waitForExit = async (exitTimeoutMs = 10_000): Promise<Exited> => {
      const killer = setTimeout(() => child.kill('SIGKILL'), exitTimeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(killer);
      }
    };
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${why}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    };
    const timer = setTimeout(() => fail(`the service did not report "listening" within ${timeoutMs} ms`), timeoutMs);
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (started) return;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const fields = jsonLine(line);
        if (fields?.msg === 'listening' && typeof fields.url === 'string') {
          started = true;
          clearTimeout(timer);
          resolve({
            url: fields.url.replace('[::1]', '127.0.0.1'),
            process: child,
            output: () => ({ stdout, stderr }),
            stop: async (stopTimeoutMs = 10_000) => {
              if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
              return waitForExit(stopTimeoutMs);
            },
            waitForExit,
          });
          return;
        }
      }
    });
    child.once('error', (error) => fail(`could not start the service: ${error.message}`));
    void exited.then((result) => {
      if (!started) fail(`the service exited before listening (code ${result.code}, signal ${result.signal})`);
    });
  });
}

/**
 * Production requires SIGNING_KEY_FILE (ADR 017) and WEBHOOK_SECRETS_KEY_FILE (ADR 020): give a service
 * started without them keys in its DATA_DIR.
 */
function withSigningKeyInProduction(env: Record<string, string | undefined>): Record<string, string | undefined> {
  if (env.NODE_ENV !== 'production' || !env.DATA_DIR) return env;
  const keys: Record<string, string> = {};
  if (env.SIGNING_KEY_FILE === undefined) {
    const file = path.join(env.DATA_DIR, 'signing-key.pem');
    if (!fs.existsSync(file)) {
      fs.mkdirSync(env.DATA_DIR, { recursive: true });
      fs.writeFileSync(file, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    }
    keys.SIGNING_KEY_FILE = file;
  }
  if (env.WEBHOOK_SECRETS_KEY_FILE === undefined) {
    const file = path.join(env.DATA_DIR, 'webhook-secrets.key');
    if (!fs.existsSync(file)) {
      fs.mkdirSync(env.DATA_DIR, { recursive: true });
      fs.writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
    }
    keys.WEBHOOK_SECRETS_KEY_FILE = file;
  }
  return { ...env, ...keys };
}
