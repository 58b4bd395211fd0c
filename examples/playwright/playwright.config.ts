import { defineConfig } from '@playwright/test';

// Debian's Chromium (apt-get install chromium): nothing downloads a browser.
export default defineConfig({
  testDir: 'tests',
  reporter: 'list',
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
