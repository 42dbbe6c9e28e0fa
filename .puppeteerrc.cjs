// Puppeteer configuration.
// Where a system Chromium exists (Debian's `chromium` package, as on our build machines, which cannot
// download browser builds) we use it and skip the download. Elsewhere puppeteer downloads its own
// browser as usual. PUPPETEER_EXECUTABLE_PATH / PUPPETEER_SKIP_DOWNLOAD still override both.
const fs = require('node:fs');

const systemChromium = process.env.PUPPETEER_EXECUTABLE_PATH || '/usr/bin/chromium';
const useSystem = fs.existsSync(systemChromium);

module.exports = {
  skipDownload: useSystem || process.env.PUPPETEER_SKIP_DOWNLOAD === 'true',
  ...(useSystem ? { executablePath: systemChromium } : {}),
};
