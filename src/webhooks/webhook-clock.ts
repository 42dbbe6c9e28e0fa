import { Injectable } from '@nestjs/common';

/** The webhooks module's time (signature timestamps, retry due times, secret overlap): replaceable in tests. */
@Injectable()
export class WebhookClock {
  private source: () => number = Date.now;

  now(): number {
    return this.source();
  }

  /** Tests: read the time from here from now on. */
  use(source: () => number): void {
    this.source = source;
  }
}
