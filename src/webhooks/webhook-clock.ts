import * as dns from 'node:dns';
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

/** Name resolution of webhook deliveries (the SSRF check runs on its answers): replaceable in tests. */
@Injectable()
export class WebhookResolver {
  lookup: typeof dns.lookup = dns.lookup;
}
