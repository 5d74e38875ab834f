/**
 * The HTML funnel report opened in real headless Chromium (Debian's, driven by playwright-core):
 * it renders its charts, logs no console errors and produces a screenshot.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { computeFunnelReport, renderHtml, type FunnelTimeline } from '../../src/reports';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = fs.existsSync(CHROMIUM);
// In CI chromium is installed by .ci/run, so a missing browser there is a failure, not a skip.
const describeBrowser = haveChromium || process.env.CI ? describe : describe.skip;

function sampleTimelines(): FunnelTimeline[] {
  const channels = ['Web', 'Trade Show', 'Partner Referral', 'Advertisement'];
  return Array.from({ length: 40 }, (_, i) => {
    const created = new Date(Date.UTC(2026, i % 12, 1 + (i % 27)));
    const hours = (h: number) => new Date(created.getTime() + h * 3_600_000);
    const depth = i % 5;
    const visits: FunnelTimeline['visits'] = [{ stage: 'Name', funnelStage: 'Name', enteredAt: created, exitedAt: hours(24) }];
    if (depth >= 1) visits.push({ stage: 'MQL', funnelStage: 'MQL', enteredAt: hours(24), exitedAt: hours(72) });
    if (depth >= 2) visits.push({ stage: 'SQL', funnelStage: 'SQL', enteredAt: hours(72), exitedAt: hours(100) });
    if (depth >= 3) visits.push({ stage: 'Prospecting', funnelStage: 'Opportunity', enteredAt: hours(100), exitedAt: depth === 4 ? hours(400) : null });
    if (depth === 4) visits.push({ stage: 'Closed Won', funnelStage: 'Customer', enteredAt: hours(400), exitedAt: null });
    return {
      key: `L${i}`,
      leadId: `L${i}`,
      opportunityId: depth >= 3 ? `O${i}` : null,
      channel: channels[i % channels.length]!,
      createdAt: created,
      visits,
      amount: depth >= 3 ? 1000 * (i + 1) : null,
      won: depth === 4,
      lost: false
    };
  });
}

describeBrowser('HTML funnel report in headless Chromium', () => {
  let browser: Browser;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-report-'));

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run'
      ]
    });
  });
  afterAll(async () => {
    await browser?.close();
    if (!process.env.KEEP_REPORT_SCREENSHOT) fs.rmSync(dir, { recursive: true, force: true });
    else console.log(`screenshot kept in ${dir}`);
  });

  it('should render the funnel, channel and time-in-stage charts without console errors', async () => {
    const file = path.join(dir, 'report.html');
    fs.writeFileSync(file, renderHtml(computeFunnelReport(sampleTimelines())));
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`file://${file}`);

    const charts = page.locator('svg[role="img"]');
    expect(await charts.count()).toBe(3);
    expect(await page.getByRole('img', { name: /Funnel/ }).locator('rect').count()).toBe(8);
    expect(await page.locator('text=Lead to sale').first().isVisible()).toBe(true);
    const box = await charts.first().boundingBox();
    expect(box?.width).toBeGreaterThan(300);

    const shot = path.join(dir, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(fs.statSync(shot).size).toBeGreaterThan(10_000);
    expect(errors).toEqual([]);
  });
});
