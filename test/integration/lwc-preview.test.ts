/**
 * The rep's screens in a real browser: every LWC compiled by the real LWC compiler with
 * lightning-base-components and SLDS (scripts/preview-lwc), opened in headless Chromium. Each state is
 * screenshotted and checked by axe-core inside the page, and the findings of issue 16 point 6 are checked
 * the way a rep would notice them.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Locator, Page } from 'playwright-core';
import {
  CHROMIUM,
  contrastRatio,
  INTERACTIONS,
  launchChromium,
  openPreview,
  runAxe,
  screenshotStates,
  stateIds
} from '../../scripts/preview-lwc/browser';
import { servePreview, type PreviewServer } from '../../scripts/preview-lwc/serve';

// Browser globals used inside page.evaluate callbacks (the project's tsconfig has no DOM lib).
declare const document: { createElement(tag: string): { className: string } };
declare const window: { __previewCalls?: unknown };
declare function getComputedStyle(node: unknown): { color: string; backgroundColor: string };

const ROOT = path.resolve(__dirname, '../..');
const haveChromium = fs.existsSync(CHROMIUM);
// In CI chromium is installed by .ci/run, so a missing browser there is a failure, not a skip.
const describeBrowser = haveChromium || process.env.CI ? describe : describe.skip;

const state = (page: Page, id: string): Locator => page.locator(`[data-state="${id}"] .preview-frame`);
const text = async (locator: Locator) => ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();

describeBrowser('LWC preview in headless Chromium', () => {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-lwc-preview-'));
  let server: PreviewServer;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    // The real build, as `npm run preview:lwc` runs it (rollup + @lwc/rollup-plugin are ESM, so a child).
    await promisify(execFile)(
      path.join(ROOT, 'node_modules/.bin/tsx'),
      ['scripts/preview-lwc/main.ts', '--build-only', '--out', outDir],
      { cwd: ROOT }
    );
    server = await servePreview(outDir, 0);
    browser = await launchChromium();
    ({ page, problems } = await openPreview(browser, server.url));
  }, 110_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    fs.rmSync(outDir, { recursive: true, force: true });
  });

  it('should render every component state without console errors and screenshot each', async () => {
    const ids = await stateIds(page);
    expect(ids.length).toBeGreaterThanOrEqual(31);
    expect(new Set(ids.map((id) => id.split('-')[0]))).toEqual(
      new Set(['convert', 'qualification', 'timeline', 'error', 'handoff'])
    );
    expect(ids.filter((id) => id.startsWith('handoff-list-'))).toEqual([
      'handoff-list-mine',
      'handoff-list-team',
      'handoff-list-empty'
    ]);
    const files = await screenshotStates(page, path.join(outDir, 'screenshots'));
    for (const file of files) {
      // A PNG with content: an empty frame of a 40 rem wide component is still several KB.
      expect(fs.readFileSync(file).subarray(1, 4).toString()).toBe('PNG');
      expect(fs.statSync(file).size).toBeGreaterThan(2_000);
    }
    expect(problems).toEqual([]);
  });

  it('should have no serious or critical axe-core violations in any state', async () => {
    const found: string[] = [];
    let checked = 0;
    for (const id of await stateIds(page)) {
      checked += 1;
      for (const violation of await runAxe(page, id)) {
        if (violation.impact === 'serious' || violation.impact === 'critical') {
          found.push(
            `${id}: ${violation.id} (${violation.impact}) ${violation.help} ${violation.targets.join(' ')}`
          );
        }
      }
    }
    expect(found).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(31);
  });

  it('should let axe-core find a violation inside a component (the check can fail)', async () => {
    // An unlabelled input injected into the convert dialog's shadow tree: axe must reach and report it.
    await state(page, 'convert-load-error')
      .locator('.slds-modal__content')
      .evaluate((node) => {
        const input = document.createElement('input');
        input.className = 'deliberate-violation';
        node.appendChild(input);
      });
    const violations = await runAxe(page, 'convert-load-error');
    await state(page, 'convert-load-error')
      .locator('.deliberate-violation')
      .evaluate((node) => node.remove());
    expect(violations.map((violation) => violation.id)).toContain('label');
  });

  describe('convertLead', () => {
    it('should say the contact is reused only when the chosen account is its own', async () => {
      const dialog = state(page, 'convert-ready');
      expect(await text(dialog.locator('.contact-text'))).toBe(
        'The existing contact Quinn Qualified (same email, at Initech Inc) is reused: the lead is added to it.'
      );

      await dialog.getByText('Initech (matched by company name)').click();
      // "Warning" is the icon's text, read before the sentence.
      expect(await text(dialog.locator('.contact-text'))).toBe(
        'Warning' +
          'A new contact is created in the chosen account, although Quinn Qualified already has this email at Initech Inc. ' +
          'Convert into Initech Inc to reuse that contact instead of creating a duplicate.'
      );

      await dialog.getByText('Initech Inc (matched by website domain)').click();
      expect(await text(dialog.locator('.contact-text'))).toContain('is reused');
    });

    it('should show a spinner and disable the choices and Cancel while converting', async () => {
      const dialog = state(page, 'convert-converting');
      await dialog.getByRole('button', { name: 'Convert', exact: true }).click();

      await expect(
        dialog.getByRole('status').filter({ hasText: 'Converting the lead' }).count()
      ).resolves.toBe(1);
      for (const radio of await dialog.getByRole('radio').all()) {
        expect(await radio.isDisabled()).toBe(true);
      }
      expect(await dialog.getByRole('switch').or(dialog.getByRole('checkbox')).first().isDisabled()).toBe(
        true
      );
      expect(await dialog.getByRole('button', { name: 'Cancel' }).isDisabled()).toBe(true);
      expect(await dialog.getByRole('button', { name: 'Convert', exact: true }).isDisabled()).toBe(true);
      await screenshotStates(page, path.join(outDir, 'screenshots'), ['convert-converting']);
    });

    it('should list the duplicate records at the top and clear them when the rep changes the account', async () => {
      const dialog = state(page, 'convert-duplicate');
      await dialog.getByRole('button', { name: 'Convert', exact: true }).click();

      const panel = dialog.locator('.duplicate-error');
      await panel.waitFor();
      expect(await text(panel)).toContain('This conversion would create a duplicate');
      expect(await text(panel.locator('.duplicate-record'))).toBe(
        'Quinn Qualified (Contact, quinn@initech.example, Initech Inc)'
      );
      expect(await text(dialog)).not.toContain('Use one of these records?');
      const panelBox = await panel.boundingBox();
      const accountBox = await dialog.getByRole('heading', { name: 'Account' }).boundingBox();
      expect(panelBox!.y + panelBox!.height).toBeLessThanOrEqual(accountBox!.y);

      await dialog.getByText('Create new account: Initech').click();
      await expect(panel.count()).resolves.toBe(0);
    });

    it('should list the reasons and the next step under a title that fits when the lead is not ready', async () => {
      const dialog = state(page, 'convert-not-ready');
      expect(await text(dialog.locator('.slds-modal__title'))).toBe('Lead not ready to convert');
      expect(await text(dialog)).not.toContain('Convert Qualified Lead');
      const items = await dialog.locator('.missing-criterion').allTextContents();
      expect(items.map((item) => item.replace(/\s+/g, ' ').trim())).toEqual([
        'Need identified: Need Identified must be checked (now unchecked)',
        'Decision maker or influencer: Authority Level must be Decision Maker or Influencer (now empty)'
      ]);
      expect(await text(dialog.locator('.next-step'))).toMatch(/^Next step: /);
      expect(await dialog.getByRole('button', { name: 'Convert', exact: true }).count()).toBe(0);
    });

    it('should show an already converted lead as information, not as a red error', async () => {
      const dialog = state(page, 'convert-already-converted');
      expect(await text(dialog)).not.toContain('Something went wrong');
      const panel = dialog.locator('.panel');
      expect(await panel.getAttribute('class')).toContain('panel_info');
      const background = await panel.evaluate((node) => getComputedStyle(node).backgroundColor);
      expect(background).not.toBe('rgb(186, 5, 23)');
      expect(await dialog.getByRole('button', { name: 'Open Globex - Platform' }).count()).toBe(1);
    });
  });

  describe('leadQualification', () => {
    it('should explain missing criteria with field labels in plain words and show scores with their scale', async () => {
      const card = state(page, 'qualification-missing');
      const reasons = await card.locator('.criterion-reason').allTextContents();
      expect(reasons.map((reason) => reason.trim())).toEqual([
        'Need Identified must be checked (now unchecked)'
      ]);
      expect(await text(card)).not.toMatch(/__c|\(is /);
      expect(await text(card.locator('.fit-score'))).toBe('80 / 100');
      expect(await text(card.locator('.total-score'))).toBe('68 / 100');
    });

    it('should never say ready to convert when no criteria are configured', async () => {
      const card = state(page, 'qualification-no-criteria');
      expect(await text(card)).toContain('No active qualification criteria are configured.');
      expect(await text(card)).not.toContain('Ready to convert');
    });

    it('should draw the Cold grade unlike the Required badges and optional misses unlike blocking ones', async () => {
      const cold = state(page, 'qualification-cold');
      const background = (locator: Locator) =>
        locator.evaluate((node) => getComputedStyle(node).backgroundColor);
      const gradeColour = await background(cold.locator('.grade-badge'));
      const requiredColour = await background(cold.locator('.required-badge').first());
      expect(gradeColour).not.toBe(requiredColour);
      expect(
        contrastRatio(
          await cold.locator('.grade-badge').evaluate((n) => getComputedStyle(n).color),
          gradeColour
        )
      ).toBeGreaterThanOrEqual(4.5);

      const iconKey = (locator: Locator) => locator.locator('svg').first().getAttribute('data-key');
      const missing = state(page, 'qualification-missing');
      const blocking = await iconKey(missing.locator('li.criterion_blocking lightning-icon'));
      const optional = await iconKey(cold.locator('li.criterion_optional lightning-icon').first());
      expect(blocking).toBe('error');
      expect(optional).toBe('info');
    });
  });

  describe('errorPanel', () => {
    it('should draw "Show details" with at least 4.5:1 contrast on the error background', async () => {
      // axe-core cannot judge this one (SLDS alerts may carry a background texture, which it reports as
      // "needs review"), so the ratio is measured from the computed colours.
      const panel = state(page, 'error-panel-error').getByRole('alert');
      const toggle = panel.getByRole('button', { name: 'Show details' });
      const colour = await toggle.evaluate((node) => getComputedStyle(node).color);
      const background = await panel.evaluate((node) => getComputedStyle(node).backgroundColor);
      expect(contrastRatio(colour, background)).toBeGreaterThanOrEqual(4.5);

      await toggle.click();
      expect(await text(panel.locator('.error-messages'))).toBe('Insufficient access rights on object id.');
    });

    it('should announce the title once, after the severity', async () => {
      const snapshot = await state(page, 'error-panel-warning').ariaSnapshot();
      expect(snapshot.match(/Some fields could not be read/g)).toHaveLength(1);
      expect(snapshot).toContain('Warning');
      expect(snapshot).not.toContain('Something went wrong');
    });
  });

  describe('stageTimeline', () => {
    it('should show an SLDS icon, the current stage first and its time so far', async () => {
      const card = state(page, 'timeline');
      // A name missing from SLDS renders an <svg> with nothing in it (standard:timeline did).
      const headerIconPaths = await card.locator('.slds-card__header svg path').count();
      expect(headerIconPaths).toBeGreaterThan(0);
      expect(await card.locator('.stage-name').allTextContents()).toEqual(['SAL', 'MQL', 'Engaged']);
      expect(await text(card.locator('li.stage_current .duration'))).toBe('2 h so far');
      expect(await card.locator('.slds-timeline__item_expandable').count()).toBe(3);
    });

    it('should show a spinner while loading instead of an empty card', async () => {
      const card = state(page, 'timeline-loading');
      expect(await card.getByRole('status').filter({ hasText: 'Loading' }).count()).toBe(1);
    });
  });

  describe('salHandoff', () => {
    const colour = (locator: Locator) => locator.evaluate((node) => getComputedStyle(node).color);
    const WHITE = 'rgb(255, 255, 255)';

    it('should show the deadline and the time left, readable in every urgency', async () => {
      const waiting = state(page, 'handoff-waiting');
      expect(await text(waiting.locator('.accept-by'))).toBe('Jan 6, 2026, 10:00 PM');
      expect(await text(waiting.getByRole('timer'))).toBe('2 d 2 h left to accept');

      const soon = state(page, 'handoff-soon').getByRole('timer');
      expect(await text(soon)).toBe('5 h 30 min left to accept');
      // Under a day the clock changes colour (the class it had before drew it like the others).
      expect(await colour(soon)).not.toBe(await colour(waiting.getByRole('timer')));
      expect(contrastRatio(await colour(soon), WHITE)).toBeGreaterThanOrEqual(4.5);

      const overdue = state(page, 'handoff-overdue');
      expect(await text(overdue.getByRole('timer'))).toBe('Overdue by 3 h 0 min');
      expect(contrastRatio(await colour(overdue.getByRole('timer')), WHITE)).toBeGreaterThanOrEqual(4.5);
      expect(await overdue.getByRole('button', { name: 'Accept' }).isDisabled()).toBe(true);
      expect(await overdue.getByRole('button', { name: 'Return to nurture' }).isDisabled()).toBe(false);
    });

    it('should offer no action once accepted or to another user than the owner', async () => {
      const accepted = state(page, 'handoff-accepted');
      expect(await text(accepted)).toContain('Accepted by sales.');
      expect(await accepted.getByRole('timer').count()).toBe(0);
      expect(await accepted.getByRole('button').count()).toBe(0);

      const notMine = state(page, 'handoff-not-mine');
      expect(await text(notMine.getByRole('status'))).toContain('only its owner can accept it');
      expect(await notMine.getByRole('button').count()).toBe(0);
    });

    it('should move the keyboard focus into the return form and back to its button on Cancel', async () => {
      const card = state(page, 'handoff-waiting');
      const isFocused = (locator: Locator) => locator.evaluate((node) => node.matches(':focus'));
      await card.getByRole('button', { name: 'Return to nurture' }).click();
      expect(await isFocused(card.getByRole('combobox', { name: 'Reason' }))).toBe(true);

      await card.getByRole('button', { name: 'Cancel' }).click();
      expect(await isFocused(card.getByRole('button', { name: 'Return to nurture' }))).toBe(true);
    });

    it('should not send Other without a comment and say why on the comment field', async () => {
      const card = state(page, 'handoff-return-other');
      await INTERACTIONS['handoff-return-other']!(card);

      const comment = card.getByRole('textbox', { name: 'Comment' });
      expect(await comment.getAttribute('aria-invalid')).toBe('true');
      // The message is tied to the field, so a screen reader reads it with the field.
      expect(await comment.getAttribute('aria-describedby')).toBeTruthy();
      const calls = (await page.evaluate(() => window.__previewCalls)) as { method: string }[];
      expect(calls.map((call) => call.method)).not.toContain('SalHandoffController.returnToNurture');

      const found = (await runAxe(page, 'handoff-return-other')).filter(
        (violation) => violation.impact === 'serious' || violation.impact === 'critical'
      );
      expect(found).toEqual([]);
      await screenshotStates(page, path.join(outDir, 'screenshots'), ['handoff-return-other']);
    });

    it('should show a load failure in the error panel, without a clock', async () => {
      const card = state(page, 'handoff-error');
      expect(await text(card.getByRole('alert'))).toContain('The lead was not found');
      expect(await card.getByRole('timer').count()).toBe(0);
    });
  });

  describe('salHandoffList', () => {
    /** The text of one column, row by row (innerText: the cells draw their value in nested shadow trees). */
    const cells = async (id: string, column: number) => {
      const rows = await state(page, id).locator('tbody tr').all();
      return Promise.all(
        rows.map(async (row) =>
          (await row.locator('th, td').nth(column).innerText()).replace(/\s+/g, ' ').trim()
        )
      );
    };

    it('should list my leads soonest deadline first, under a day and overdue set apart', async () => {
      const list = state(page, 'handoff-list-mine');
      expect(await cells('handoff-list-mine', 0)).toEqual(['Zoe Adams', 'Ann Baker', 'Max Cole']);
      expect(await cells('handoff-list-mine', 3)).toEqual([
        'Overdue by 2 h 0 min',
        '5 h 0 min left to accept',
        '2 d 22 h left to accept'
      ]);
      expect(await list.getByRole('columnheader', { name: 'Owner' }).count()).toBe(0);
      const timeLeft = list.locator('tbody tr').nth(1).locator('td').last();
      const style = await timeLeft.evaluate((node) => getComputedStyle(node));
      expect(style.backgroundColor).not.toBe('rgba(0, 0, 0, 0)');
      expect(contrastRatio(style.color, style.backgroundColor)).toBeGreaterThanOrEqual(4.5);
    });

    it('should show a manager the owner of each lead, with nothing cut off', async () => {
      const list = state(page, 'handoff-list-team');
      expect(await text(list.locator('.slds-card__header'))).toContain('Leads waiting for my team');
      expect(await cells('handoff-list-team', 1)).toEqual(['Rita Rep', 'Alex Rep']);
      // Wrapped, not truncated: the full time left is there to read in a narrow column.
      const clipped = await list.locator('tbody tr td').last().locator('.slds-truncate').count();
      expect(clipped).toBe(0);
    });

    it('should say so when no lead waits', async () => {
      const list = state(page, 'handoff-list-empty');
      expect(await text(list.getByRole('status'))).toBe('No leads are waiting for your acceptance.');
      expect(await list.getByRole('grid').count()).toBe(0);
    });
  });

  describe('after every interaction above', () => {
    it('should have had no console errors or failed requests', () => {
      expect(problems).toEqual([]);
    });
  });
});

describe('icon names used by the components', () => {
  it('should all exist in SLDS', () => {
    const lwcDir = path.join(ROOT, 'force-app/main/default/lwc');
    const icons = path.join(ROOT, 'node_modules/@salesforce-ux/design-system/assets/icons');
    const used = new Set<string>();
    for (const name of fs.readdirSync(lwcDir)) {
      for (const file of fs.readdirSync(path.join(lwcDir, name))) {
        if (!/\.(html|js)$/.test(file)) continue;
        const source = fs.readFileSync(path.join(lwcDir, name, file), 'utf8');
        for (const match of source.matchAll(
          /['"](utility|standard|action|doctype|custom):([a-z0-9_]+)['"]/g
        )) {
          used.add(`${match[1]}:${match[2]}`);
        }
      }
    }
    expect(used.size).toBeGreaterThan(5);
    const missing = [...used].filter((icon) => {
      const [category, name] = icon.split(':') as [string, string];
      return !fs.existsSync(path.join(icons, category, `${name}.svg`));
    });
    expect(missing).toEqual([]);
    expect(fs.existsSync(path.join(icons, 'standard', 'timeline.svg'))).toBe(false);
  });
});
