import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page, type Route } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { CsmsDatabase } from '../src/csms/db.js';
import { CsmsStore } from '../src/csms/store.js';
import { startCli, startTestCsms } from './helpers/cli.js';
import { countPixels, decodePng } from './helpers/png.js';
import { BOOT_16, connectStation, type RawStation } from './helpers/station.js';

/** Debian's Chromium, as CI installs it (`apt-get install chromium`); never a downloaded browser. */
const CHROMIUM = '/usr/bin/chromium';

let context: BrowserContext | undefined;
const dirs: string[] = [];
const stations: RawStation[] = [];

afterEach(async () => {
  await context?.close();
  context = undefined;
  await Promise.all(stations.splice(0).map((s) => s.close().catch(() => {})));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

async function browser(): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `the web-page test drives Debian's Chromium at ${CHROMIUM}: install it (apt-get install chromium), as .ci/run does`,
    );
  context = await chromium.launchPersistentContext(tempDir('ocpp-chromium-'), {
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

async function station(url: string, identity: string, protocol = 'ocpp1.6'): Promise<RawStation> {
  const s = await connectStation(url, identity, protocol);
  stations.push(s);
  return s;
}

const iso = (ms: number) => new Date(ms).toISOString();
const energy = (wh: number, at: number) => ({
  timestamp: iso(at),
  sampledValue: [{ value: String(wh), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }],
});

/** How many of a table's data rows lie wholly inside its scroll box, and the box's height. */
function fit(page: Page, table: string) {
  return page.locator(`#${table}`).evaluate((t) => {
    const el = t.parentElement!;
    const b = el.getBoundingClientRect();
    const rows = [...el.querySelectorAll('tr[data-station], tr[data-transaction]')];
    const visible = rows.filter((r) => {
      const x = r.getBoundingClientRect();
      return x.top >= b.top && x.bottom <= b.bottom + 0.5;
    });
    return { rows: rows.length, visible: visible.length, height: b.height };
  });
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
    const heartbeat = page.locator('#frames tr[data-from="station"][data-action="Heartbeat"]');
    await heartbeat.first().waitFor({ timeout: 10_000 });
    expect(await heartbeat.first().textContent()).toMatch(
      /station → csmsHeartbeat\[2,"[^"]+","Heartbeat",\{\}\]$/,
    );

    // The Start button remote-starts a session: a running transaction appears, then Stop ends it.
    await row.locator('button[data-op="remote-start"]').click();
    const tx = page.locator('#transactions tbody tr.r').first();
    await expect.poll(() => tx.textContent(), { timeout: 10_000 }).toContain('charging');
    expect(await tx.textContent()).toContain('SIM-0001');
    await expect.poll(() => page.locator('#status').textContent()).toContain('"status":"Accepted"');
    await tx.locator('button[data-op="remote-stop"]').click();
    await expect
      .poll(() => tx.locator('td.state').textContent(), { timeout: 10_000 })
      .toBe('Ended · Remote');
  }, 60_000);

  it('takes the token from the address, and shows an open transaction of a station that went away', async () => {
    const csms = await startTestCsms(['--quiet']);
    const gone = await connectStation(csms.url, 'WEB-GONE');
    await gone.call('BootNotification', BOOT_16);
    await gone.call('StartTransaction', {
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
    const tx = page.locator('#transactions tbody tr.r').first();
    await expect.poll(() => tx.textContent(), { timeout: 15_000 }).toContain('charging');
    expect(await tx.getAttribute('data-station-connected')).toBe('true');
    expect(await tx.locator('button[data-op="remote-stop"]').count()).toBe(1);

    await gone.close();
    await expect
      .poll(() => tx.textContent(), { timeout: 10_000 })
      .toContain('station disconnected');
    expect(await tx.getAttribute('data-station-connected')).toBe('false');
    expect(await tx.locator('button[data-op="remote-stop"]').count()).toBe(0);
    await expect
      .poll(() => page.locator('#stations tr[data-station="WEB-GONE"]').textContent())
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

  it('draws the first screen from the snapshot, before the live feed has answered', async () => {
    const csms = await startTestCsms(['--quiet']);
    const s = await station(csms.url, 'WEB-LOAD');
    await s.call('BootNotification', BOOT_16);
    await s.call('StatusNotification', {
      connectorId: 1,
      errorCode: 'NoError',
      status: 'Available',
    });
    const page = await (await browser()).newPage();
    await page.setViewportSize({ width: 1600, height: 900 });
    // The live feed is held unanswered: whatever the page shows comes from elsewhere.
    const held: Route[] = [];
    await page.route('**/api/events', (route) => {
      held.push(route);
    });
    await page.goto(csms.pageUrl);
    const row = page.locator('tr[data-station="WEB-LOAD"]');
    await row.waitFor({ timeout: 10_000 });
    expect(held).toHaveLength(1);
    expect(await page.locator('#live').textContent()).toBe('connecting');
    expect(await row.locator('td.link').textContent()).toBe('connected');
    expect(await row.locator('td.status').textContent()).toBe('1 Available');

    // And it is drawn: the screenshot has the green of "connected" where the row's cell is.
    const file = join(tempDir('ocpp-shot-'), 'load.png');
    await page.screenshot({ path: file });
    const cell = (await row.locator('td.link').boundingBox())!;
    const image = decodePng(readFileSync(file));
    expect(image.width).toBe(1600);
    const green = countPixels(image, cell, (r, g, b) => g > r + 50 && g > b + 30);
    expect(green).toBeGreaterThan(15);
    const ink = countPixels(
      image,
      (await row.locator('td.id').boundingBox())!,
      (r, g, b) => r + g + b < 300,
    );
    expect(ink).toBeGreaterThan(15);

    // Then the feed follows.
    await held[0]!.continue();
    await expect.poll(() => page.locator('#live').getAttribute('class')).toBe('live on');
  }, 60_000);

  it('grows its panels with the window: 20 stations and 20 transactions fit in 1920 × 1080', async () => {
    const csms = await startTestCsms(['--quiet']);
    for (let i = 1; i <= 20; i++) {
      const s = await station(csms.url, `FIT-${String(i).padStart(2, '0')}`);
      await s.call('BootNotification', BOOT_16);
      await s.call('StartTransaction', {
        connectorId: 1,
        idTag: `TAG${i}`,
        meterStart: 0,
        timestamp: new Date().toISOString(),
      });
    }
    const page = await (await browser()).newPage();
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.goto(csms.pageUrl);
    await expect.poll(() => page.locator('#transactions tr[data-transaction]').count()).toBe(20);
    await expect.poll(() => page.locator('#stations tr[data-station]').count()).toBe(20);
    const big = {
      stations: await fit(page, 'stations'),
      txs: await fit(page, 'transactions'),
    };
    expect(big.stations).toMatchObject({ rows: 20, visible: 20 });
    expect(big.txs).toMatchObject({ rows: 20, visible: 20 });

    await page.setViewportSize({ width: 1280, height: 720 });
    await expect
      .poll(async () => (await fit(page, 'stations')).height)
      .toBeLessThan(big.stations.height - 200);
    const small = {
      stations: await fit(page, 'stations'),
      txs: await fit(page, 'transactions'),
    };
    expect(small.txs.height).toBeLessThan(big.txs.height - 200);
    expect(small.stations.visible).toBeLessThan(20);
    expect(small.stations.visible).toBeGreaterThan(8);
  }, 60_000);

  it('pages in thousands of stations and renders only the rows in view', async () => {
    // A database with 3,000 stations (disconnected a moment ago) and 1,200 ended transactions.
    const file = join(tempDir('ocpp-web-db-'), 'csms.db');
    const db = CsmsDatabase.open(file);
    const store = new CsmsStore({}, Date.now, db);
    for (let i = 0; i < 3000; i++) {
      const id = `VS-${String(i).padStart(4, '0')}`;
      store.connected(id, 'ocpp1.6');
      if (i < 1200) {
        store.transactionStarted(id, 'ocpp1.6', String(i + 1), { evseId: 1, meterStartWh: 0 });
        store.transactionStopped(id, String(i + 1), { meterStopWh: 1000, reason: 'Local' });
      }
      store.disconnected(id);
    }
    db.close();
    const csms = await startTestCsms(['--quiet', '--db', file]);
    const page = await (await browser()).newPage();
    await page.setViewportSize({ width: 1600, height: 900 });
    await page.goto(csms.pageUrl);
    const box = page.locator('#stations-box');
    await expect.poll(() => box.getAttribute('data-rows'), { timeout: 15_000 }).toBe('3000');
    await expect.poll(() => page.locator('#stations-total').textContent()).toBe('3000');
    await expect
      .poll(() => page.locator('#transactions-box').getAttribute('data-rows'), { timeout: 15_000 })
      .toBe('1200');
    expect(await page.locator('#counts').textContent()).toBe(
      '0 of 3000 stations connected · 0 transactions running',
    );
    // Only what is in view (and a margin) is in the document.
    expect(await page.locator('#stations tr.r').count()).toBeLessThan(100);
    await box.evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await page.locator('tr[data-station="VS-2999"]').waitFor();
    expect(await page.locator('tr[data-station="VS-0000"]').count()).toBe(0);
    expect(await page.locator('#stations tr.r').count()).toBeLessThan(100);
    // The filter works on all of them.
    await page.locator('#filter').fill('VS-17');
    await expect.poll(() => box.getAttribute('data-rows')).toBe('100');
    await expect.poll(() => page.locator('#stations-total').textContent()).toBe('100 of 3000');
  }, 60_000);

  it('shows last seen, neutral statuses, ended transactions, energy, the log and the chart', async () => {
    const csms = await startTestCsms(['--quiet']);
    const now = Date.now();
    const s16 = await station(csms.url, 'WEB-16');
    await s16.call('BootNotification', BOOT_16);
    await s16.call('StatusNotification', {
      connectorId: 1,
      errorCode: 'NoError',
      status: 'Charging',
    });
    await s16.call('StatusNotification', {
      connectorId: 2,
      errorCode: 'NoError',
      status: 'Available',
    });
    const running = (await s16.call('StartTransaction', {
      connectorId: 1,
      idTag: 'TAG-RUN',
      meterStart: 1000,
      timestamp: iso(now - 10 * 60_000),
    })) as { transactionId: number };
    await s16.call('MeterValues', {
      connectorId: 1,
      transactionId: running.transactionId,
      meterValue: [energy(4000, now - 60_000)],
    });
    const start = now - 30 * 60_000;
    const ended = (await s16.call('StartTransaction', {
      connectorId: 2,
      idTag: 'TAG-END',
      meterStart: 10_000,
      timestamp: iso(start),
    })) as { transactionId: number };
    await s16.call('StopTransaction', {
      transactionId: ended.transactionId,
      meterStop: 17_500,
      timestamp: iso(start + 25 * 60_000),
      reason: 'EVDisconnected',
    });
    const s201 = await station(csms.url, 'WEB-201', 'ocpp2.0.1');
    await s201.call('BootNotification', {
      reason: 'PowerUp',
      chargingStation: { model: 'M', vendorName: 'V' },
    });
    await s201.call('StatusNotification', {
      timestamp: iso(now),
      connectorStatus: 'Occupied',
      evseId: 1,
      connectorId: 1,
    });

    const page = await (await browser()).newPage();
    await page.setViewportSize({ width: 1600, height: 1000 });
    await page.goto(csms.pageUrl);
    await expect.poll(() => page.locator('#live').getAttribute('class')).toBe('live on');

    // Last seen: any message counts, not only heartbeats (this station sends none).
    const seen = page.locator('tr[data-station="WEB-16"] td.seen');
    const api16 = (await csms.api('/api/stations/WEB-16')).body;
    expect(api16.lastHeartbeat).toBeUndefined();
    expect(await seen.getAttribute('data-at')).toBe(api16.lastSeen);
    expect(await seen.textContent()).toMatch(/^\d\d:\d\d:\d\d$/);
    const before = api16.lastSeen as string;
    await s16.call('DataTransfer', { vendorId: 'com.example', data: 'x'.repeat(2000) });
    await expect.poll(() => seen.getAttribute('data-at')).not.toBe(before);
    expect(Date.parse((await seen.getAttribute('data-at'))!)).toBeGreaterThan(Date.parse(before));

    // The same state in the same words for 1.6 and 2.x, with the word 1.6 used beside it.
    const badge = (identity: string) =>
      page.locator(`tr[data-station="${identity}"] td.status .badge`).first();
    expect(await badge('WEB-16').getAttribute('data-status')).toBe('Occupied');
    expect(await badge('WEB-16').getAttribute('data-sent')).toBe('Charging');
    expect(await badge('WEB-16').textContent()).toBe('1 Occupied · Charging');
    expect(await badge('WEB-201').getAttribute('data-status')).toBe('Occupied');
    expect(await badge('WEB-201').textContent()).toBe('1 Occupied');

    // An ended transaction: Ended and why, its stop time, its duration and its energy.
    const endedRow = page.locator(`tr[data-transaction="${ended.transactionId}"]`);
    expect(await endedRow.locator('td.state').textContent()).toBe('Ended · EVDisconnected');
    expect(Date.parse((await endedRow.locator('td.stopped').getAttribute('data-at'))!)).toBe(
      start + 25 * 60_000,
    );
    expect(await endedRow.locator('td.stopped').textContent()).toMatch(/\d\d:\d\d:\d\d$/);
    expect(await endedRow.locator('td.duration').textContent()).toBe('0:25:00');
    expect(await endedRow.locator('td.energy').textContent()).toBe('7.50');
    const runningRow = page.locator(`tr[data-transaction="${running.transactionId}"]`);
    expect(await runningRow.locator('td.state').textContent()).toBe('charging');
    expect(await runningRow.locator('td.energy').textContent()).toBe('3.00');
    expect(await runningRow.locator('td.duration').textContent()).toMatch(/^0:1\d:\d\d$/);
    expect(await runningRow.locator('td.stopped').textContent()).toBe('');
    // Energy totals: 3 kWh running + 7.5 kWh ended.
    await expect
      .poll(() => page.locator('#energy').textContent())
      .toBe('10.50 kWh delivered · 3.00 kWh charging · 0.0 kW');
    expect(await page.locator('#totals').textContent()).toContain(
      'energy delivered10.50 kWh (2 transactions kept)',
    );

    // The frame log: an action column (an answer has its call's action), filters, a whole frame.
    const log = page.locator('#frames tbody tr.r');
    await page
      .locator('#frames tr[data-from="csms"][data-action="StartTransaction"]')
      .first()
      .waitFor();
    const all = (attr: string) =>
      log.evaluateAll((rows, a) => [...new Set(rows.map((r) => r.getAttribute(a)))], attr);
    await page.locator('#f-station').fill('WEB-201');
    await expect.poll(() => all('data-identity')).toEqual(['WEB-201']);
    await page.locator('#f-station').fill('');
    await page.locator('#f-action').fill('statusnotification');
    await expect.poll(() => all('data-action')).toEqual(['StatusNotification']);
    expect(await log.count()).toBe(6); // 3 calls, 3 answers
    await page.locator('#f-dir').selectOption('csms');
    await expect.poll(() => all('data-from')).toEqual(['csms']);
    expect(await log.count()).toBe(3);
    await page.locator('#f-action').fill('DataTransfer');
    await page.locator('#f-dir').selectOption('station');
    await expect.poll(() => all('data-from')).toEqual(['station']);
    expect(await log.count()).toBe(1);
    const long = log.first();
    const shown = (await long.locator('td.frame').textContent())!;
    expect(shown.length).toBeLessThan(310);
    expect(shown.endsWith(' …')).toBe(true);
    await long.click();
    const detail = page.locator('#frames tr.detail pre');
    await detail.waitFor();
    expect(JSON.parse((await detail.textContent())!)[3].data).toBe('x'.repeat(2000));
    expect(await page.locator('#pause').isChecked()).toBe(true);
    await long.click();
    await expect.poll(() => detail.count()).toBe(0);
    await page.locator('#pause').uncheck();

    // Connects and disconnects, between the frames.
    await page.locator('#f-action').fill('');
    await page.locator('#f-dir').selectOption('connection');
    await expect.poll(() => all('data-from')).toEqual(['connection']);
    expect(await page.locator('#frames tr[data-identity="WEB-16"]').textContent()).toMatch(
      /WEB-16connectedfrom 127\.0\.0\.1 · ocpp1\.6$/,
    );
    await s201.close(1000, 'bye');
    const left = page.locator('#frames tr[data-identity="WEB-201"]').first();
    await expect.poll(() => left.textContent()).toMatch(/WEB-201disconnectedcode 1000 · bye$/);

    // The chart: a sample a second of calls/s and connected stations.
    const chart = page.locator('#chart');
    const samples = async () => Number(await chart.getAttribute('data-samples'));
    const first = await samples();
    await expect.poll(samples, { timeout: 10_000 }).toBeGreaterThan(first + 1);
    await expect.poll(() => chart.getAttribute('data-connected'), { timeout: 10_000 }).toBe('1');
    const points = await chart.locator('polyline.calls').getAttribute('points');
    expect(points!.split(' ')).toHaveLength(await samples());
    await expect
      .poll(() => page.locator('#legend').textContent())
      .toMatch(/calls\/s .* 1 connected$/);
  }, 60_000);

  it('keeps what stations choose as text: identities, boot fields, id tokens, frames, close reasons', async () => {
    const csms = await startTestCsms(['--quiet']);
    const s = await station(csms.url, 'WEB-<b id=x1>');
    await s.call('BootNotification', {
      chargePointVendor: '<img src=x id=x2>',
      chargePointModel: '"\'&<',
    });
    await s.call('StartTransaction', {
      connectorId: 1,
      idTag: '<b id=x3>t</b>',
      meterStart: 0,
      timestamp: new Date().toISOString(),
    });
    await s.call('DataTransfer', { vendorId: '<b id=x4>', data: '<script id=x5>x</script>' });
    const page = await (await browser()).newPage();
    await page.setViewportSize({ width: 1600, height: 900 });
    await page.goto(csms.pageUrl);
    await expect.poll(() => page.locator('#live').getAttribute('class')).toBe('live on');
    const row = page.locator('#stations tr.r').first();
    expect(await row.getAttribute('data-station')).toBe('WEB-<b id=x1>');
    expect(await row.locator('td.id').textContent()).toBe('WEB-<b id=x1>');
    expect(await row.locator('td.model').textContent()).toBe('<img src=x id=x2> "\'&<');
    expect(await page.locator('#transactions tr.r').first().textContent()).toContain(
      '<b id=x3>t</b>',
    );
    await page.locator('#frames tr[data-action="DataTransfer"][data-from="station"]').click();
    expect(await page.locator('#frames tr.detail pre').textContent()).toContain(
      '"data": "<script id=x5>x</script>"',
    );
    await page.locator('#pause').uncheck();
    await s.close(1000, '<b id=x6>');
    await expect
      .poll(() => page.locator('#frames tr[data-from="connection"]').first().textContent())
      .toContain('code 1000 · <b id=x6>');
    expect(await page.locator('[id^="x"], b, img, script:not(body > script)').count()).toBe(0);
  }, 60_000);
});
