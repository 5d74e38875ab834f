/**
 * The HTML funnel report opened in real headless Chromium (Debian's, driven by playwright-core):
 * it renders its charts (funnel, and the monthly lead to SQL / lead to sale trend per channel), logs no console
 * errors and produces a screenshot.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { computeFunnelReport, renderHtml, type FunnelTimeline, type StageVisit } from '../../src/reports';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = fs.existsSync(CHROMIUM);
// In CI chromium is installed by .ci/run, so a missing browser there is a failure, not a skip.
const describeBrowser = haveChromium || process.env.CI ? describe : describe.skip;

const NOW = new Date(Date.UTC(2026, 11, 15));

/** 48 leads over the year in four channels (deeper funnels on Web), plus 6 lead-less deals. */
function sampleTimelines(): FunnelTimeline[] {
  const channels = ['Web', 'Trade Show', 'Partner Referral', 'Advertisement'];
  const leads: FunnelTimeline[] = Array.from({ length: 48 }, (_, i) => {
    const created = new Date(Date.UTC(2026, i % 12, 1 + (i % 27)));
    const hours = (h: number) => new Date(created.getTime() + h * 3_600_000);
    const depth = i % 5;
    const v = (stage: string, kind: StageVisit['kind'], from: number, to: number | null): StageVisit => ({
      stage, kind, enteredAt: hours(from), exitedAt: to === null ? null : hours(to), timed: true
    });
    const visits: StageVisit[] = [v('Name', 'lead', 0, depth === 0 ? null : 24)];
    if (depth >= 1) visits.push(v('MQL', 'lead', 24, depth === 1 ? null : 72));
    if (depth >= 2) visits.push(v('SQL', 'lead', 72, depth === 2 ? null : 100));
    if (depth >= 3) visits.push(v('Prospecting', 'opportunity', 100, depth === 4 ? 400 : null));
    if (depth === 4) visits.push(v('Closed Won', 'won', 400, null));
    return {
      key: `L${i}`, kind: 'lead', leadId: `L${i}`, opportunityId: depth >= 3 ? `O${i}` : null,
      channel: channels[i % channels.length]!, createdAt: created, visits,
      amount: depth >= 3 ? 1000 * (i + 1) : null, currency: depth >= 3 ? 'EUR' : null, won: depth === 4, lost: false
    };
  });
  const deals: FunnelTimeline[] = Array.from({ length: 6 }, (_, i) => {
    const created = new Date(Date.UTC(2026, i * 2, 3));
    return {
      key: `D${i}`, kind: 'deal', leadId: null, opportunityId: `D${i}`, channel: 'Web', createdAt: created,
      visits: [{ stage: 'Prospecting', kind: 'opportunity', enteredAt: created, exitedAt: null, timed: true }],
      amount: 500, currency: 'EUR', won: false, lost: false
    };
  });
  return [...leads, ...deals];
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

  it('should render the funnel and the monthly trend charts per channel without console errors', async () => {
    const report = computeFunnelReport(sampleTimelines(), NOW, { currency: 'EUR' });
    const file = path.join(dir, 'report.html');
    fs.writeFileSync(file, renderHtml(report));
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`file://${file}`);

    // Funnel bars: one per stage in funnel order.
    const funnel = page.getByRole('img', { name: /Leads: funnel passes/ });
    expect(await funnel.locator('rect').count()).toBe(report.stageOrder.length);

    for (const name of [/Lead to SQL by month/, /Lead to sale by month/]) {
      const chart = page.getByRole('img', { name });
      expect(await chart.isVisible()).toBe(true);
      const box = await chart.boundingBox();
      expect(box!.width).toBeGreaterThan(600);
      expect(box!.height).toBeGreaterThan(200);
      // One line group per channel plus "All channels", each labelled in the legend.
      const series = chart.locator('g.series');
      expect(await series.count()).toBe(5);
      // Busiest channel first; the four channels tie here (12 leads each), so by name.
      expect(await chart.locator('text.legend').allTextContents()).toEqual(['All channels', 'Advertisement', 'Partner Referral', 'Trade Show', 'Web']);
      // Twelve months on the axis; the current month is marked partial.
      const months = await chart.locator('text.month').allTextContents();
      expect(months[0]).toBe('2026-01');
      expect(months.at(-1)).toBe('2026-12*');
      // Every point says what it is: channel, month, rate and sample size.
      const tips = await chart.locator('circle title').allTextContents();
      expect(tips.length).toBeGreaterThan(12);
      expect(tips.every((t) => / \d{4}-\d{2}( \(partial\))?: \d+\.\d% \(\d+ of \d+\)$/.test(t))).toBe(true);
      // Points sit inside the plot area.
      for (const circle of await chart.locator('circle').all()) {
        const c = await circle.boundingBox();
        expect(c!.y).toBeGreaterThanOrEqual(box!.y);
        expect(c!.y + c!.height).toBeLessThanOrEqual(box!.y + box!.height);
      }
    }
    // Web's lead to sale in January, counted by hand: Web in January is i = 0, 12, 24, 36 (i % 4 = 0, i % 12 = 0);
    // of those only i = 24 is won (i % 5 = 4).
    const webJan = await page.getByRole('img', { name: /Lead to sale by month/ }).locator('g.series[data-channel="Web"] circle title').first().textContent();
    expect(webJan).toBe('Web 2026-01: 25.0% (1 of 4)');

    expect(await page.getByRole('heading', { name: 'Deals without a lead' }).isVisible()).toBe(true);
    expect(await page.locator('text=EUR').first().isVisible()).toBe(true);

    const shot = path.join(dir, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(fs.statSync(shot).size).toBeGreaterThan(10_000);
    expect(errors).toEqual([]);
  });
});
