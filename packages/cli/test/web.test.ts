import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { startCli, startTestCsms } from './helpers/cli.js';
import { BOOT_16, connectStation } from './helpers/station.js';

/** Debian's Chromium, as CI installs it (`apt-get install chromium`); never a downloaded browser. */
const CHROMIUM = '/usr/bin/chromium';

let context: BrowserContext | undefined;
let profile: string | undefined;

afterEach(async () => {
  await context?.close();
  context = undefined;
  if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
  profile = undefined;
});

async function browser(): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `the web-page test drives Debian's Chromium at ${CHROMIUM}: install it (apt-get install chromium), as .ci/run does`,
    );
  profile = mkdtempSync(join(tmpdir(), 'ocpp-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
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
  return context;
}

describe('the web page of ocpp csms, in headless Chromium', () => {
  it('shows a connected station and frames arriving live; its buttons start and stop a session', async () => {
    const csms = await startTestCsms(['--quiet']);
    startCli([
      'simulate',
      '--url',
      csms.url,
      '--stations',
      '2',
      '--protocol',
      'ocpp2.0.1',
      '--scenario',
      'idle',
      '--duration',
      '25',
      '--heartbeat-interval',
      '0.5',
      '--session-duration',
      '60',
      '--meter-interval',
      '0.5',
    ]);
    const page = await (await browser()).newPage();
    await page.goto(csms.pageUrl);
    const row = page.locator('tr[data-station="SIM-0001"]');
    await expect.poll(() => row.textContent(), { timeout: 15_000 }).toContain('connected');
    // The station's security event at boot, in its provisioning column.
    await expect.poll(() => row.textContent(), { timeout: 15_000 }).toContain('1 events');
    await expect.poll(() => page.locator('#live').getAttribute('class')).toBe('live on');
    expect(await row.textContent()).toContain('ocpp2.0.1');
    expect(await row.textContent()).toContain('Available');

    // Frames keep arriving over Server-Sent Events, without reloading the page.
    const newestSeq = async () =>
      Number((await page.locator('#frames tbody tr').first().getAttribute('data-seq')) ?? 0);
    const seen = await newestSeq();
    await expect.poll(newestSeq, { timeout: 10_000 }).toBeGreaterThan(seen);
    await expect
      .poll(() => page.locator('#frames tbody').textContent(), { timeout: 10_000 })
      .toMatch(/station → csms\[2,"[^"]+","Heartbeat",\{\}\]/);

    // The Start button remote-starts a session: a running transaction appears, then Stop ends it.
    await row.locator('button[data-op="remote-start"]').click();
    const tx = page.locator('#transactions tbody tr').first();
    await expect.poll(() => tx.textContent(), { timeout: 10_000 }).toContain('charging');
    expect(await tx.textContent()).toContain('SIM-0001');
    await expect.poll(() => page.locator('#status').textContent()).toContain('"status":"Accepted"');
    await tx.locator('button[data-op="remote-stop"]').click();
    await expect.poll(() => tx.textContent(), { timeout: 10_000 }).toContain('Remote');
  }, 60_000);

  it('takes the token from the address, and shows an open transaction of a station that went away', async () => {
    const csms = await startTestCsms(['--quiet']);
    const station = await connectStation(csms.url, 'WEB-GONE');
    await station.call('BootNotification', BOOT_16);
    await station.call('StartTransaction', {
      connectorId: 1,
      idTag: 'TAG',
      meterStart: 0,
      timestamp: new Date().toISOString(),
    });
    const page = await (await browser()).newPage();
    const feedAuth = page.waitForRequest((r) => r.url().endsWith('/api/events'));
    await page.goto(csms.pageUrl);
    // The token is sent as a header, and taken out of the address bar (and the history).
    expect((await feedAuth).headers().authorization).toBe(`Bearer ${csms.adminToken}`);
    expect(page.url()).toBe(csms.adminUrl);
    const tx = page.locator('#transactions tbody tr').first();
    await expect.poll(() => tx.textContent(), { timeout: 15_000 }).toContain('charging');
    expect(await tx.getAttribute('data-station-connected')).toBe('true');
    expect(await tx.locator('button[data-op="remote-stop"]').count()).toBe(1);

    await station.close();
    await expect
      .poll(() => tx.textContent(), { timeout: 10_000 })
      .toContain('station disconnected');
    expect(await tx.getAttribute('data-station-connected')).toBe('false');
    expect(await tx.locator('button[data-op="remote-stop"]').count()).toBe(0);
    await expect
      .poll(() => page.locator('tr[data-station="WEB-GONE"]').textContent())
      .toContain('offline');

    // A reload keeps working (the tab kept the token); a page without it says what to do.
    await page.reload();
    await expect.poll(() => page.locator('#live').getAttribute('class')).toBe('live on');
    const bare = await page.context().newPage();
    await bare.goto(csms.adminUrl);
    await expect
      .poll(() => bare.locator('#status').textContent())
      .toContain('needs the admin token');
  }, 60_000);
});
