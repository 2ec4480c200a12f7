// Takes docs/web-page.png for the README: `ocpp csms` with a small mixed fleet charging, the page
// opened (at the address the CSMS prints, token included) in Debian's headless Chromium, once the
// chart has half a minute and some sessions have ended. Run after building:
// `node scripts/screenshot.mjs`.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const bin = fileURLToPath(new URL('../bin/ocpp.js', import.meta.url));
const out = fileURLToPath(new URL('../docs/web-page.png', import.meta.url));
const children = [];
const run = (args) => {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return child;
};
const stopAll = () => {
  for (const c of children) c.kill('SIGTERM');
};
setTimeout(() => {
  console.error('screenshot: gave up after 60 s');
  stopAll();
  process.exit(1);
}, 60_000).unref();

const csms = run([
  'csms',
  '--db',
  ':memory:',
  '--port',
  '0',
  '--quiet',
  '--heartbeat-interval',
  '5',
]);
let text = '';
const [url, pageUrl] = await new Promise((resolve) => {
  csms.stdout.on('data', (d) => {
    text += d;
    const m = /listening on (ws:\/\/[^/\s]+)\//.exec(text);
    const p = /open the web page at (\S+)/.exec(text);
    if (m && p) resolve([m[1], p[1]]);
  });
});
run([
  'simulate',
  '--url',
  url,
  '--stations',
  '12',
  '--identity-prefix',
  'CS-',
  '--connectors',
  '2',
  '--scenario',
  'charge-session',
  '--session-duration',
  '20',
  '--meter-interval',
  '2',
  '--duration',
  '60',
]).stdout.resume();
const profile = mkdtempSync(join(tmpdir(), 'ocpp-shot-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1920, height: 1080 },
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
});
const page = await context.newPage();
await page.goto(pageUrl);
await page.waitForSelector('tr[data-station="CS-0012"]');
await page.waitForFunction(
  () =>
    Number(document.getElementById('chart')?.dataset.samples) >= 30 &&
    document.querySelector('#transactions tr[data-active="false"]') !== null,
  undefined,
  { timeout: 50_000 },
);
await page.screenshot({ path: out });
await context.close();
rmSync(profile, { recursive: true, force: true });
stopAll();
console.log(`wrote ${out}`);
process.exit(0);
