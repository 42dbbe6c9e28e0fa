import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { BuiltApp, buildApp, childEnv, jsonLine, killAllChildren, startService } from '../support/built-app';
import { makeTempDir } from '../support/temp-dir';

/**
 * Stopping the service the ways a user does: a signal to the process they started, whether that is
 * `node dist/main.js` or `npm start`. The port must be free afterwards.
 */

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const STOP_WITHIN_MS = 15_000;

let app: BuiltApp;
const cleanups: Array<() => void> = [];
/** Process groups of the `npm start` runs (npm, its shell, the service): SIGKILLed if a test leaves one behind. */
const npmGroups: number[] = [];

beforeAll(async () => {
  app = await buildApp();
  // `npm start` needs the package manifest next to dist/ (the compiled temp root has none).
  const manifest = path.join(app.root, 'package.json');
  if (!fs.existsSync(manifest)) {
    fs.copyFileSync(path.join(REPO_ROOT, 'package.json'), manifest);
    cleanups.push(() => fs.rmSync(manifest, { force: true }));
  }
}, 180_000);

afterAll(() => {
  for (const group of npmGroups) {
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  killAllChildren();
  for (const cleanup of cleanups) cleanup();
  app?.cleanup();
});

function dataDir(): string {
  const temp = makeTempDir('audit-trail-lifecycle-');
  cleanups.push(temp.cleanup);
  return temp.dir;
}

/** Resolves true once nothing accepts connections on the port (polling), false after the timeout. */
async function portFreed(port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const accepting = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (!accepting) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

interface Started {
  child: ChildProcess;
  port: number;
  servicePid: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `npm start` in the built app and waits for the service's "listening" line. */
function npmStart(env: Record<string, string>): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['start'], {
      cwd: app.root,
      env: childEnv({ npm_config_update_notifier: 'false', LOG_LEVEL: 'info', ...env, PORT: '0', HOST: '127.0.0.1' }),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so that cleanup reaches the service even if npm left it behind
    });
    npmGroups.push(child.pid!);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
    let output = '';
    const timer = setTimeout(() => {
      process.kill(-child.pid!, 'SIGKILL');
      reject(new Error(`npm start did not report "listening" within 30 s:\n${output}`));
    }, 30_000);
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      for (const line of output.split('\n')) {
        const fields = jsonLine(line);
        if (fields?.msg === 'listening' && typeof fields.url === 'string' && typeof fields.pid === 'number') {
          clearTimeout(timer);
          resolve({ child, port: Number(new URL(fields.url.replace('[::1]', '127.0.0.1')).port), servicePid: fields.pid, exited });
          return;
        }
      }
    });
  });
}

describe('stopping the service', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('node dist/main.js on %s: shuts down, logs it, exits and frees the port', async (signal) => {
    const service = await startService(app, { NODE_ENV: 'development', DATA_DIR: dataDir() });
    const port = Number(new URL(service.url).port);
    service.process.kill(signal);
    // Only the test's own signal: a second one racing it could be the one the process ends on.
    const exited = await service.waitForExit(STOP_WITHIN_MS);
    expect({ code: exited.code, signal: exited.signal, endedByItsSignal: exited.signal === signal || exited.code === 0 }).toMatchObject({ endedByItsSignal: true });
    expect(await portFreed(port, 1000)).toBe(true);
    const stopped = exited.stdout.split('\n').map(jsonLine).find((l) => l?.msg === 'shutting down');
    expect(stopped).toMatchObject({ signal });
  }, 60_000);

  it.each(['SIGTERM', 'SIGINT'] as const)('npm start, %s to the npm process: the service (its child) stops too and the port is freed', async (signal) => {
    const started = await npmStart({ NODE_ENV: 'development', DATA_DIR: dataDir() });
    expect(started.servicePid).not.toBe(started.child.pid);
    started.child.kill(signal);
    await started.exited;
    expect(await portFreed(started.port, STOP_WITHIN_MS)).toBe(true);
    const deadline = Date.now() + STOP_WITHIN_MS;
    while (alive(started.servicePid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(alive(started.servicePid)).toBe(false);
  }, 90_000);
});
