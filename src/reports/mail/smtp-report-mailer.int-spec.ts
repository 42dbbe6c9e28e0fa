import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { EmailDeliveryNotConfiguredError, SmtpReportMailer } from './smtp-report-mailer';

interface Received {
  from: string;
  to: string[];
  raw: string;
  user?: string;
}

/** A local SMTP server on 127.0.0.1 (no TLS); with `credentials`, only that login is accepted. */
async function localSmtp(credentials?: { user: string; pass: string }): Promise<{ port: number; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = new SMTPServer({
    disabledCommands: credentials ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !credentials,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (credentials && auth.username === credentials.user && auth.password === credentials.pass) return callback(null, { user: auth.username });
      return callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          user: session.user as string | undefined,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(3000, 7), Buffer.from('\n%%EOF')]);
const mail = {
  to: ['auditor@example.com', 'cfo@example.com'],
  subject: 'SOX Privileged Access Review, March 2026 (acme)',
  text: 'The report is attached. Verify it with GET /v1/reports/r1/verify.',
  attachment: { filename: 'sox-privileged-access-2026-03.pdf', contentType: 'application/pdf', content: pdf },
};

describe(SmtpReportMailer.name, () => {
  it('delivers the report over SMTP to every recipient, with the subject, the text and the file attached byte for byte', async () => {
    const smtp = await localSmtp();
    const mailer = new SmtpReportMailer({ url: `smtp://127.0.0.1:${smtp.port}`, from: 'Compliance <reports@audit.example>' });
    try {
      await mailer.send(mail);
      expect(smtp.received).toHaveLength(1);
      const [message] = smtp.received;
      expect(message.from).toBe('reports@audit.example');
      expect(message.to).toEqual(['auditor@example.com', 'cfo@example.com']);
      expect(message.raw).toContain('Subject: SOX Privileged Access Review, March 2026 (acme)');
      expect(message.raw).toContain('Verify it with GET /v1/reports/r1/verify.');
      expect(message.raw).toMatch(/Content-Type: application\/pdf; name=sox-privileged-access-2026-03\.pdf/);
      const part = message.raw.split('Content-Disposition: attachment; filename=sox-privileged-access-2026-03.pdf')[1];
      const base64 = part.split(/\r?\n\r?\n/)[1].split(/\r?\n--/)[0].replace(/\s/g, '');
      expect(Buffer.from(base64, 'base64').equals(pdf)).toBe(true);
    } finally {
      mailer.onApplicationShutdown();
      await smtp.close();
    }
  });

  it('logs in with the credentials of SMTP_URL, and rejects the send when the server refuses them', async () => {
    const smtp = await localSmtp({ user: 'reports', pass: 's3cret' });
    const good = new SmtpReportMailer({ url: `smtp://reports:s3cret@127.0.0.1:${smtp.port}`, from: 'reports@audit.example' });
    const bad = new SmtpReportMailer({ url: `smtp://reports:wrong@127.0.0.1:${smtp.port}`, from: 'reports@audit.example' });
    try {
      await good.send(mail);
      expect(smtp.received.map((m) => m.user)).toEqual(['reports']);
      await expect(bad.send(mail)).rejects.toThrow(/Invalid username or password|auth/i);
      expect(smtp.received).toHaveLength(1);
    } finally {
      good.onApplicationShutdown();
      bad.onApplicationShutdown();
      await smtp.close();
    }
  });

  it('refuses to send, naming SMTP_URL, when no SMTP server is configured', async () => {
    const mailer = new SmtpReportMailer({ from: 'reports@audit.example' });
    expect(mailer.configured).toBe(false);
    await expect(mailer.send(mail)).rejects.toThrow(EmailDeliveryNotConfiguredError);
    await expect(mailer.send(mail)).rejects.toThrow(/SMTP_URL is not set/);
  });
});
