import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { RecordedReceipt, StoredAuditEvent } from '../../src/audit-log/audit-event';

/**
 * Small given/when helpers over the HTTP API for the query-side e2e tests. Every read of audit data
 * is itself recorded in the caller's tenant, so callers account for those records explicitly.
 */
export function auditApi(app: INestApplication) {
  const http = () => request(app.getHttpServer());
  return {
    http,

    /** Records the events as one batch (201) and returns their receipts. */
    async record(writer: string, events: Array<Record<string, unknown>>): Promise<RecordedReceipt[]> {
      const res = await http().post('/v1/audit-events/batch').set('Authorization', writer).send({ events });
      if (res.status !== 201) throw new Error(`batch refused with ${res.status}: ${JSON.stringify(res.body)}`);
      return res.body.results as RecordedReceipt[];
    },

    /** Head sequence of the caller's tenant chain, read through verify (its own record lands right after). */
    async head(verifier: string): Promise<number> {
      const res = await http().get('/v1/integrity/verify').set('Authorization', verifier);
      if (res.status !== 200) throw new Error(`verify answered ${res.status}: ${JSON.stringify(res.body)}`);
      return res.body.headSequence as number;
    },

    /** Lists with read-your-writes: waits until `minSequence` is applied, then returns the items. */
    async list(reader: string, query: string, minSequence?: number): Promise<StoredAuditEvent[]> {
      const sep = query ? '&' : '';
      const res = await http()
        .get(`/v1/audit-events?${query}${minSequence !== undefined ? `${sep}minSequence=${minSequence}` : ''}`)
        .set('Authorization', reader);
      if (res.status !== 200) throw new Error(`list answered ${res.status}: ${JSON.stringify(res.body)}`);
      return res.body.items as StoredAuditEvent[];
    },
  };
}

/** Parses RFC 4180 CSV (quoted cells may hold commas, doubled quotes and line breaks). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/**
 * supertest parser that keeps the body as text (NDJSON and CSV are not one JSON document): use with
 * `.buffer(true).parse(textBody())`. It gives up on a body beyond `maxBytes`, so a response that
 * never ends fails the test instead of hanging it.
 */
export function textBody(maxBytes = 8 * 1024 * 1024) {
  return (res: unknown, done: (err: Error | null, body: unknown) => void): void => {
    const stream = res as NodeJS.ReadableStream & { setEncoding(encoding: string): void; destroy(): void };
    let text = '';
    let finished = false;
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > maxBytes && !finished) {
        finished = true;
        stream.destroy();
        done(new Error(`response body exceeded ${maxBytes} bytes (it should have ended long before)`), text);
      }
    });
    stream.on('end', () => {
      if (!finished) done(null, text);
    });
  };
}
