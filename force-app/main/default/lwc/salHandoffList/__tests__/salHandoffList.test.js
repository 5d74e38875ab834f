import { createElement } from '@lwc/engine-dom';
import { registerSa11yMatcher } from '@sa11y/jest';
import SalHandoffList from 'c/salHandoffList';
import { refreshApex } from '@salesforce/apex';
import leadsWaiting from '@salesforce/apex/SalHandoffController.leadsWaiting';

jest.mock(
  '@salesforce/apex/SalHandoffController.leadsWaiting',
  () => {
    const { createApexTestWireAdapter } = require('@salesforce/sfdx-lwc-jest');
    return { default: createApexTestWireAdapter(jest.fn()) };
  },
  { virtual: true }
);
jest.mock('@salesforce/apex', () => ({ refreshApex: jest.fn(() => Promise.resolve()) }), { virtual: true });
jest.mock('@salesforce/label/c.LF_Sal_Time_Left', () => ({ default: '{0} left to accept' }), {
  virtual: true
});
jest.mock('@salesforce/label/c.LF_Sal_Overdue', () => ({ default: 'Overdue by {0}' }), { virtual: true });
jest.mock('@salesforce/label/c.LF_Sal_Days_Hours', () => ({ default: '{0} d {1} h' }), { virtual: true });
jest.mock('@salesforce/label/c.LF_Sal_Hours_Minutes', () => ({ default: '{0} h {1} min' }), {
  virtual: true
});

// The same records the LWC preview renders (scripts/preview-lwc), at the preview's "now": deadlines 2 h ago,
// in 5 h and in 70 h.
const LEADS = require('./data/leadsWaiting.json');
const TEAM_LEADS = require('./data/teamLeadsWaiting.json');
const NOW = Date.parse('2026-01-04T20:00:00.000Z');

function flushPromises() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function createComponent(scope) {
  const element = createElement('c-sal-handoff-list', { is: SalHandoffList });
  if (scope) {
    element.scope = scope;
  }
  document.body.appendChild(element);
  return element;
}

const table = (element) => element.shadowRoot.querySelector('lightning-datatable');
const names = (element) => table(element).data.map((row) => row.name);

describe('c-sal-handoff-list', () => {
  beforeAll(() => {
    registerSa11yMatcher();
  });

  beforeEach(() => {
    jest.spyOn(Date, 'now').mockReturnValue(NOW);
  });

  afterEach(() => {
    jest.useRealTimers();
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
    jest.clearAllMocks();
    jest.restoreAllMocks();
  });

  it('should list the leads waiting for me with the time left, soonest deadline first', async () => {
    const element = createComponent();
    leadsWaiting.emit([LEADS[2], LEADS[0], LEADS[1]]);
    await flushPromises();

    const rows = table(element).data;
    expect(rows.map((row) => [row.name, row.timeLeft, row.urgencyClass])).toEqual([
      ['Zoe Adams', 'Overdue by 2 h 0 min', 'slds-text-color_error'],
      ['Ann Baker', '5 h 0 min left to accept', 'slds-theme_warning'],
      ['Max Cole', '2 d 22 h left to accept', '']
    ]);
    expect(rows[0].leadUrl).toBe('/00Q000000000001AAA');
    expect(table(element).sortedBy).toBe('timeLeft');
    expect(table(element).columns.every((column) => column.sortable)).toBe(true);
    await expect(element).toBeAccessible();
  });

  it('should sort by any column in either direction', async () => {
    const element = createComponent();
    leadsWaiting.emit(LEADS);
    await flushPromises();

    table(element).dispatchEvent(
      new CustomEvent('sort', { detail: { fieldName: 'company', sortDirection: 'desc' } })
    );
    await flushPromises();
    expect(names(element)).toEqual(['Max Cole', 'Ann Baker', 'Zoe Adams']);

    table(element).dispatchEvent(
      new CustomEvent('sort', { detail: { fieldName: 'leadUrl', sortDirection: 'asc' } })
    );
    await flushPromises();
    expect(names(element)).toEqual(['Ann Baker', 'Max Cole', 'Zoe Adams']);

    table(element).dispatchEvent(
      new CustomEvent('sort', { detail: { fieldName: 'timeLeft', sortDirection: 'desc' } })
    );
    await flushPromises();
    expect(names(element)).toEqual(['Max Cole', 'Ann Baker', 'Zoe Adams']);
    expect(table(element).sortedDirection).toBe('desc');
  });

  it('should count down as time passes', async () => {
    jest.useFakeTimers({ now: NOW });
    const element = createComponent();
    leadsWaiting.emit([LEADS[1]]);
    await Promise.resolve();
    expect(table(element).data[0].timeLeft).toBe('5 h 0 min left to accept');

    jest.advanceTimersByTime(90 * 60 * 1000);
    await Promise.resolve();

    expect(table(element).data[0].timeLeft).toBe('3 h 30 min left to accept');
  });

  it('should say so when no lead is waiting', async () => {
    const element = createComponent();
    leadsWaiting.emit([]);
    await flushPromises();

    expect(element.shadowRoot.querySelector('.empty').textContent).toBe('c.LF_Sal_List_Empty');
    expect(table(element)).toBeNull();
    await expect(element).toBeAccessible();
  });

  it('should show the error when the list cannot be read', async () => {
    const element = createComponent();
    leadsWaiting.error({
      message: 'You do not have access to the Apex class named SalHandoffController.'
    });
    await flushPromises();

    expect(element.shadowRoot.querySelector('c-error-panel')).not.toBeNull();
    expect(table(element)).toBeNull();
    await expect(element).toBeAccessible();
  });

  it('should refresh the list on demand', async () => {
    const element = createComponent();
    leadsWaiting.emit(LEADS);
    await flushPromises();

    element.shadowRoot.querySelector('lightning-button-icon.refresh').click();

    expect(refreshApex).toHaveBeenCalledTimes(1);
  });

  it('should ask for my leads by default and show no owner column', async () => {
    const element = createComponent();
    leadsWaiting.emit(LEADS);
    await flushPromises();

    expect(leadsWaiting.getLastConfig()).toEqual({ scope: 'mine' });
    expect(element.shadowRoot.querySelector('lightning-card').title).toBe('c.LF_Sal_List_Title');
    expect(table(element).columns.map((column) => column.fieldName)).toEqual([
      'leadUrl',
      'company',
      'acceptBy',
      'timeLeft'
    ]);
  });

  it('should show a manager the leads of the team with their owner, sortable by owner', async () => {
    const element = createComponent('team');
    leadsWaiting.emit(TEAM_LEADS);
    await flushPromises();

    expect(leadsWaiting.getLastConfig()).toEqual({ scope: 'team' });
    expect(element.shadowRoot.querySelector('lightning-card').title).toBe('c.LF_Sal_Team_List_Title');
    expect(table(element).columns.map((column) => column.fieldName)).toEqual([
      'leadUrl',
      'ownerName',
      'company',
      'acceptBy',
      'timeLeft'
    ]);
    table(element).dispatchEvent(
      new CustomEvent('sort', { detail: { fieldName: 'ownerName', sortDirection: 'asc' } })
    );
    await flushPromises();
    expect(table(element).data.map((row) => row.ownerName)).toEqual(['Alex Rep', 'Rita Rep']);
    await expect(element).toBeAccessible();
  });

  it('should tell a manager when nothing waits for the team', async () => {
    const element = createComponent('team');
    leadsWaiting.emit([]);
    await flushPromises();

    expect(element.shadowRoot.querySelector('.empty').textContent).toBe('c.LF_Sal_Team_List_Empty');
  });
});
