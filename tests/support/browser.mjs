// Browser tests: Debian's Chromium driven by playwright-core, pages served
// by scripts/serve.mjs with the repo at / and the shared data at /shared/.
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

import { serve } from '../../scripts/serve.mjs';
import { isCI, repoRoot, sharedDir } from './shared.mjs';

export const CHROMIUM = process.env.BODYPIX_CHROMIUM || '/usr/bin/chromium';

// From /work/shared/notes/toolchain.md: no sandbox (we run as root in a
// container), nothing that talks to the network on its own, and software
// WebGL allowed (there is no GPU).
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run', '--disable-quic', '--enable-unsafe-swiftshader',
];

// Launches Chromium for the test file (closed after it), with args added to
// the usual flags. Without Chromium: fails under CI=true, else skips loudly
// and returns null.
export async function launchBrowser(t, { args = [] } = {}) {
  if (!fs.existsSync(CHROMIUM)) {
    const msg = `${CHROMIUM} is missing: run scripts/setup.sh (apt package chromium)`;
    if (isCI) throw new Error(`[CI] ${msg}`);
    console.warn(`\n*** SKIPPING browser tests in "${t.name}": ${msg} ***\n`);
    t.skip(msg);
    return null;
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, ...args] });
  t.after(() => browser.close());
  return browser;
}

// Serves the repo and the shared data (closed after t). isolation: false
// drops the COOP/COEP headers, so pages are not cross-origin isolated.
export async function startServer(t, { isolation = true, headers } = {}) {
  const server = await serve({ mounts: { '/': repoRoot, '/shared': sharedDir }, isolation, headers });
  t.after(() => server.close());
  return server;
}

// The URL path under which the server shows a file of the shared folder.
export function sharedUrl(absolutePath) {
  return `/shared/${path.relative(sharedDir, absolutePath).split(path.sep).join('/')}`;
}

// Opens url in a fresh context (closed after t). errors collects console
// errors and uncaught page errors, for tests to assert on.
export async function openPage(t, browser, url) {
  const context = await browser.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()} (${m.location().url || 'no url'})`);
  });
  page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
  await page.goto(url);
  return { page, errors };
}

export const bytesOf = (base64) => new Uint8Array(Buffer.from(base64, 'base64'));
