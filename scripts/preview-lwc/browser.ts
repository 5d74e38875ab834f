/**
 * Drives the built preview in headless Chromium (Debian's /usr/bin/chromium through playwright-core; no
 * browser is downloaded): opens the page with a fixed clock, screenshots each state and runs axe-core inside
 * the page. Shared by the browser test and `npm run preview:lwc -- --screenshots DIR`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** The page's global object, for the functions below that run inside the browser (no DOM lib in tsconfig). */
declare const window: Record<string, unknown>;

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** "Now" in the preview: two hours after the mock lead entered its current stage (SAL, 18:00 UTC). */
export const PREVIEW_NOW = new Date('2026-01-04T20:00:00.000Z');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
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
}

export interface OpenedPreview {
  page: Page;
  /** Console errors and uncaught exceptions seen while the page ran. */
  problems: string[];
}

export async function openPreview(browser: Browser, url: string): Promise<OpenedPreview> {
  const page = await browser.newPage({
    viewport: { width: 1000, height: 900 },
    locale: 'en-US',
    timezoneId: 'UTC'
  });
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // The browser asks for /favicon.ico on its own; that 404 is not the page's.
    if (message.type() === 'error' && !message.location().url.endsWith('/favicon.ico')) {
      problems.push(`console error: ${message.text()}`);
    }
  });
  page.on('response', (response) => {
    if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) {
      problems.push(`HTTP ${response.status()} ${response.url()}`);
    }
  });
  await page.clock.setFixedTime(PREVIEW_NOW);
  await page.goto(url);
  // Every state that loads data shows it (the loading states never do).
  await page.locator('[data-state="timeline"] .stage-name').first().waitFor();
  await page.locator('[data-state="qualification-missing"] .criterion').first().waitFor();
  await page.locator('[data-state="convert-ready"] .contact-text').waitFor();
  await page.locator('[data-state="handoff-waiting"] .clock').waitFor();
  await page.locator('[data-state="handoff-list-mine"] tbody tr').first().waitFor();
  await page.waitForLoadState('networkidle');
  // The same array the listeners fill: problems that come later (after a click) are reported too.
  return { page, problems };
}

export async function stateIds(page: Page): Promise<string[]> {
  return page
    .locator('[data-state]')
    .evaluateAll((sections) => sections.map((s) => s.getAttribute('data-state') ?? ''));
}

/** States that show what they are about only after the rep acts: the admin guide shows them after the click. */
export const INTERACTIONS: Record<string, (frame: ReturnType<Page['locator']>) => Promise<void>> = {
  'convert-converting': (frame) => frame.getByRole('button', { name: 'Convert', exact: true }).click(),
  'convert-duplicate': async (frame) => {
    await frame.getByRole('button', { name: 'Convert', exact: true }).click();
    await frame.locator('.duplicate-error').waitFor();
  },
  'handoff-return-other': async (frame) => {
    await frame.getByRole('button', { name: 'Return to nurture' }).click();
    await frame.getByRole('combobox', { name: 'Reason' }).click();
    await frame.getByRole('option', { name: 'Other' }).click();
    await frame.getByRole('button', { name: 'Return lead' }).click();
    await frame.getByText('Add a comment: the reason Other needs one.').waitFor();
  }
};

/** Runs INTERACTIONS on the page (once), so screenshots show the converting and refused states. */
export async function interact(page: Page): Promise<void> {
  for (const [id, act] of Object.entries(INTERACTIONS)) {
    await act(page.locator(`[data-state="${id}"] .preview-frame`));
  }
}

/** One PNG per state (the component frame only), named <state>.png. */
export async function screenshotStates(page: Page, dir: string, ids?: string[]): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (const id of ids ?? (await stateIds(page))) {
    const file = path.join(dir, `${id}.png`);
    await page
      .locator(`[data-state="${id}"] .preview-frame`)
      .screenshot({ path: file, animations: 'disabled' });
    files.push(file);
  }
  return files;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** axe-core run inside the page on one state's section (all WCAG A/AA rules axe enables by default). */
export async function runAxe(page: Page, stateId: string): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => 'axe' in window);
  if (!loaded) {
    await page.addScriptTag({ content: fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8') });
  }
  return page.evaluate(async (id) => {
    type AxeResult = {
      violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[];
    };
    const axe = (
      window as unknown as { axe: { run(context: unknown, options: unknown): Promise<AxeResult> } }
    ).axe;
    // The states live in the preview app's (synthetic) shadow tree: a shadow-DOM selector reaches them.
    const context = {
      include: [{ fromShadowDom: ['preview-app', `section[data-state="${id}"] .preview-frame`] }]
    };
    const result = await axe.run(context, { resultTypes: ['violations'] });
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.map((node) => JSON.stringify(node.target))
    }));
  }, stateId);
}

/** WCAG relative luminance contrast of two CSS rgb()/rgba() colours (alpha ignored: both opaque here). */
export function contrastRatio(foreground: string, background: string): number {
  const luminance = (css: string) => {
    const [r = 0, g = 0, b = 0] = (css.match(/[\d.]+/g) ?? []).map(Number);
    const channel = (value: number) => {
      const c = value / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const [light, dark] = [luminance(foreground), luminance(background)].sort((a, b) => b - a) as [
    number,
    number
  ];
  return (light + 0.05) / (dark + 0.05);
}
