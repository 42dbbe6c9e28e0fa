import { Logger } from '@nestjs/common';
import { existsSync } from 'node:fs';
import puppeteer, { Browser, Page } from 'puppeteer';

/** Chromium flags for a headless renderer that never talks to the network on its own. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];

/** PUPPETEER_EXECUTABLE_PATH, else Debian's /usr/bin/chromium when present, else puppeteer's own browser. */
export function chromiumExecutable(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.PUPPETEER_EXECUTABLE_PATH) return env.PUPPETEER_EXECUTABLE_PATH;
  return existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
}

export interface ChromiumBrowserOptions {
  /** Pages open at once; more renders wait for a free page. */
  maxPages: number;
  executablePath?: string;
}

/**
 * One headless Chromium, launched on first use and reused by every render, with at most `maxPages`
 * pages open at once. If the browser dies (crash, OOM kill) the next `withPage` launches a new one.
 * `close` shuts it down (app shutdown) and refuses further work.
 */
export class ChromiumBrowser {
  private readonly logger = new Logger('ChromiumBrowser');
  private browser: Promise<Browser> | null = null;
  private openPages = 0;
  private readonly waiting: Array<() => void> = [];
  private closed = false;

  constructor(private readonly options: ChromiumBrowserOptions) {}

  /** The running browser's process id (tests kill it to prove the relaunch). */
  async pid(): Promise<number | undefined> {
    return (await this.current()).process()?.pid;
  }

  async withPage<T>(work: (page: Page) => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      const browser = await this.current();
      const page = await browser.newPage();
      try {
        return await work(page);
      } finally {
        await page.close().catch(() => undefined);
      }
    } finally {
      this.release();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const browser = this.browser;
    this.browser = null;
    if (!browser) return;
    const running = await browser.catch(() => null);
    if (running) await running.close().catch((error: unknown) => this.logger.warn({ msg: 'closing Chromium failed', error: String(error) }));
  }

  private current(): Promise<Browser> {
    if (this.closed) return Promise.reject(new Error('The PDF renderer is shut down'));
    if (!this.browser) {
      const launching = this.launch();
      this.browser = launching;
      launching.catch(() => {
        if (this.browser === launching) this.browser = null;
      });
    }
    return this.browser;
  }

  private async launch(): Promise<Browser> {
    const browser = await puppeteer.launch({ headless: true, executablePath: this.options.executablePath, args: CHROMIUM_ARGS, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false });
    this.logger.log({ msg: 'Chromium started', pid: browser.process()?.pid, executable: this.options.executablePath ?? 'puppeteer default' });
    const launched = this.browser;
    browser.on('disconnected', () => {
      if (this.closed) return;
      this.logger.warn({ msg: 'Chromium exited; the next render starts a new one', pid: browser.process()?.pid });
      if (this.browser === launched) this.browser = null;
    });
    return browser;
  }

  private acquire(): Promise<void> {
    if (this.openPages < this.options.maxPages) {
      this.openPages++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.openPages--;
  }
}
