import { ConfigValidationError, loadAppConfig } from './app-config';

describe(`${loadAppConfig.name}: report PDFs, e-mail and schedules`, () => {
  it('defaults to 2 PDF pages, a 180 s render timeout, no SMTP and a 30 s schedule tick', () => {
    const config = loadAppConfig({});
    expect(config.reportPdf).toEqual({ maxPages: 2, timeoutMs: 180_000 });
    expect(config.smtp).toEqual({ url: undefined, from: 'Compliance Audit Trail <reports@localhost>' });
    expect(config.reportSchedules).toEqual({ tickMs: 30_000 });
  });

  it('reads SMTP_URL, SMTP_FROM, REPORT_PDF_MAX_PAGES, REPORT_PDF_TIMEOUT_SECONDS and REPORT_SCHEDULE_TICK_SECONDS', () => {
    const config = loadAppConfig({ SMTP_URL: 'smtps://reports:pw@mail.example.com:465', SMTP_FROM: 'Audit <audit@example.com>', REPORT_PDF_MAX_PAGES: '4', REPORT_PDF_TIMEOUT_SECONDS: '60', REPORT_SCHEDULE_TICK_SECONDS: '5' });
    expect(config.smtp).toEqual({ url: 'smtps://reports:pw@mail.example.com:465', from: 'Audit <audit@example.com>' });
    expect(config.reportPdf).toEqual({ maxPages: 4, timeoutMs: 60_000 });
    expect(config.reportSchedules).toEqual({ tickMs: 5_000 });
  });

  it('refuses an SMTP_URL that is not smtp:// or smtps://, without echoing it (it may hold a password)', () => {
    let error: unknown;
    try {
      loadAppConfig({ SMTP_URL: 'http://user:secret@mail.example.com' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect(String((error as Error).message)).toContain('SMTP_URL');
    expect(String((error as Error).message)).not.toContain('secret');
  });

  it.each([
    ['REPORT_PDF_MAX_PAGES', '0'],
    ['REPORT_PDF_MAX_PAGES', '17'],
    ['REPORT_PDF_TIMEOUT_SECONDS', '1'],
    ['REPORT_SCHEDULE_TICK_SECONDS', '0'],
  ])('refuses %s=%s', (name, value) => {
    expect(() => loadAppConfig({ [name]: value })).toThrow(name);
  });
});
