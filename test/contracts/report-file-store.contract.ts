import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { ReportFileStore } from '../../src/reports/storage/report-file-store.port';

export interface ReportFileStoreFixture {
  open(): Promise<ReportFileStore>;
  cleanup(): Promise<void>;
}

async function* chunksOf(...parts: Array<string | Buffer>): AsyncGenerator<Buffer> {
  for (const part of parts) yield Buffer.isBuffer(part) ? part : Buffer.from(part, 'utf8');
}

async function readAll(stream: Readable | null): Promise<Buffer | null> {
  if (!stream) return null;
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** The behaviour every report file store adapter must have (embedded files, GridFS). */
export function reportFileStoreContract(fixture: () => ReportFileStoreFixture): void {
  let f: ReportFileStoreFixture;
  let store: ReportFileStore;

  beforeEach(async () => {
    f = fixture();
    store = await f.open();
  });
  afterEach(async () => {
    await store.close();
    await f.cleanup();
  });

  it('stores the chunks and reads back the same bytes, reporting their length and SHA-256', async () => {
    const big = Buffer.alloc(600 * 1024, 7);
    const written = await store.write('acme/r1.csv', chunksOf('a,b\r\n', big, 'é\r\n'));
    const expected = Buffer.concat([Buffer.from('a,b\r\n'), big, Buffer.from('é\r\n', 'utf8')]);
    expect(written).toEqual({ bytes: expected.length, sha256: sha256(expected) });
    expect((await readAll(await store.open('acme/r1.csv')))!.equals(expected)).toBe(true);
  });

  it('answers null for a key that was never written, and for the same report id of another tenant (also one whose id differs by a "-")', async () => {
    await store.write('acme/r1.pdf', chunksOf('%PDF'));
    await store.write('acme-eu/r2.pdf', chunksOf('%PDF'));
    expect(await store.open('acme/nothing.pdf')).toBeNull();
    expect(await store.open('globex/r1.pdf')).toBeNull();
    expect(await store.open('acme/r2.pdf')).toBeNull();
    expect(await store.open('acme-eu/r1.pdf')).toBeNull();
  });

  it('a rewrite replaces the file whole', async () => {
    await store.write('acme/r2.csv', chunksOf('first version, longer\r\n'));
    await store.write('acme/r2.csv', chunksOf('second\r\n'));
    expect((await readAll(await store.open('acme/r2.csv')))!.toString()).toBe('second\r\n');
  });

  it('a write whose chunks fail midway leaves no file (and an earlier file under the key intact)', async () => {
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.from('partial');
      throw new Error('generation crashed');
    }
    await expect(store.write('acme/r3.csv', failing())).rejects.toThrow('generation crashed');
    expect(await store.open('acme/r3.csv')).toBeNull();
    await store.write('acme/r4.csv', chunksOf('kept'));
    await expect(store.write('acme/r4.csv', failing())).rejects.toThrow('generation crashed');
    expect((await readAll(await store.open('acme/r4.csv')))!.toString()).toBe('kept');
  });

  it('delete removes the file; deleting a missing file is not an error', async () => {
    await store.write('acme/r5.csv', chunksOf('x'));
    await store.delete('acme/r5.csv');
    expect(await store.open('acme/r5.csv')).toBeNull();
    await expect(store.delete('acme/r5.csv')).resolves.toBeUndefined();
  });

  it('refuses keys that could escape the tenant folder', async () => {
    await expect(store.write('../etc/passwd.csv', chunksOf('x'))).rejects.toThrow('Invalid report file key');
    await expect(store.open('acme/../../x.csv')).rejects.toThrow('Invalid report file key');
  });
}
