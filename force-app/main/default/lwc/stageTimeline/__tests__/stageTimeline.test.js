import { createElement } from '@lwc/engine-dom';
import { registerSa11yMatcher } from '@sa11y/jest';
import StageTimeline, { formatDuration, REFRESH_INTERVAL_MS } from 'c/stageTimeline';
import getStageChanges from '@salesforce/apex/StageTimelineController.getStageChanges';
import { getRecord } from 'lightning/uiRecordApi';
import { refreshApex } from '@salesforce/apex';

const mockStageChanges = require('./data/stageChanges.json');

jest.mock(
  '@salesforce/apex/StageTimelineController.getStageChanges',
  () => {
    const { createApexTestWireAdapter } = require('@salesforce/sfdx-lwc-jest');
    return { default: createApexTestWireAdapter(jest.fn()) };
  },
  { virtual: true }
);

jest.mock('@salesforce/apex', () => ({ refreshApex: jest.fn(() => Promise.resolve()) }), { virtual: true });

// Real label texts for durations, so the tests read what the rep reads.
jest.mock('@salesforce/label/c.LF_Duration_Hours', () => ({ default: '{0} h' }), { virtual: true });
jest.mock('@salesforce/label/c.LF_Duration_Days', () => ({ default: '{0} d {1} h' }), { virtual: true });
jest.mock('@salesforce/label/c.LF_Duration_So_Far', () => ({ default: '{0} so far' }), { virtual: true });

function flushPromises() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function createComponent() {
  const element = createElement('c-stage-timeline', { is: StageTimeline });
  element.recordId = '00Q000000000001AAA';
  element.objectApiName = 'Lead';
  document.body.appendChild(element);
  return element;
}

describe('c-stage-timeline', () => {
  beforeAll(() => {
    registerSa11yMatcher();
  });

  afterEach(() => {
    jest.useRealTimers();
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
    jest.clearAllMocks();
  });

  it('should list the stages newest first, current stage on top, with the time spent in each', async () => {
    const element = createComponent();

    getStageChanges.emit(mockStageChanges);
    await flushPromises();

    const root = element.shadowRoot;
    const names = [...root.querySelectorAll('.stage-name')].map((n) => n.textContent);
    expect(names).toEqual(['SAL', 'MQL', 'Engaged']);
    const durations = [...root.querySelectorAll('.duration')].map((d) => d.textContent);
    expect(durations[0]).toMatch(/ so far$/);
    expect(durations.slice(1)).toEqual(['3 d 3 h', '6 h']);
    expect(root.querySelectorAll('li.stage_current')).toHaveLength(1);
    expect(root.querySelector('li.stage:first-child').classList).toContain('stage_current');
    expect(root.querySelectorAll('.current-badge')).toHaveLength(1);
  });

  it('should use SLDS timeline items and an icon that exists in SLDS', async () => {
    const element = createComponent();

    getStageChanges.emit(mockStageChanges);
    await flushPromises();

    const root = element.shadowRoot;
    expect(root.querySelector('lightning-card').iconName).toBe('standard:sales_path');
    expect(root.querySelector('ul.slds-timeline')).not.toBeNull();
    expect(root.querySelectorAll('.slds-timeline__item_expandable')).toHaveLength(3);
  });

  it('should show a spinner until the changes arrive', async () => {
    const element = createComponent();
    await flushPromises();

    expect(element.shadowRoot.querySelector('lightning-spinner').alternativeText).toBe('c.LF_Loading');

    getStageChanges.emit(mockStageChanges);
    await flushPromises();
    expect(element.shadowRoot.querySelector('lightning-spinner')).toBeNull();
  });

  it('should keep counting the current stage while the page stays open, whatever the server cached', async () => {
    jest.useFakeTimers({ now: new Date('2026-01-04T20:00:00.000Z') });
    const element = createComponent();
    // The cached answer says 2.25 h for the open stage; the rep must see the time since it was entered.
    getStageChanges.emit(mockStageChanges);
    await Promise.resolve();

    const current = () => element.shadowRoot.querySelector('li.stage_current .duration').textContent;
    expect(current()).toBe('2 h so far');

    jest.advanceTimersByTime(30 * REFRESH_INTERVAL_MS);
    await Promise.resolve();
    expect(current()).toBe('2.5 h so far');

    jest.advanceTimersByTime(24 * 60 * REFRESH_INTERVAL_MS);
    await Promise.resolve();
    expect(current()).toBe('1 d 3 h so far');
  });

  it('should stop its clock when removed from the page', () => {
    jest.useFakeTimers();
    const element = createComponent();
    expect(jest.getTimerCount()).toBe(1);

    document.body.removeChild(element);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('should say so when there are no stage changes', async () => {
    const element = createComponent();

    getStageChanges.emit([]);
    await flushPromises();

    expect(element.shadowRoot.querySelector('.no-changes').textContent).toBe('c.LF_No_Stage_Changes');
    expect(element.shadowRoot.querySelector('ul.stages')).toBeNull();
  });

  it('should show the error panel when the changes cannot be read', async () => {
    const element = createComponent();

    getStageChanges.error({
      message: 'Stage history is only available on leads, contacts and opportunities.'
    });
    await flushPromises();

    expect(element.shadowRoot.querySelector('c-error-panel')).not.toBeNull();
    expect(element.shadowRoot.querySelector('ul.stages')).toBeNull();
  });

  it('should read the timeline again when the lead moves to another funnel stage', async () => {
    createComponent();
    getStageChanges.emit(mockStageChanges);
    const lead = (stage) => ({
      apiName: 'Lead',
      id: '00Q000000000001AAA',
      fields: { Funnel_Stage__c: { value: stage } }
    });

    getRecord.emit(lead('SAL'));
    await flushPromises();
    expect(refreshApex).not.toHaveBeenCalled();
    getRecord.emit(lead('SAL'));
    await flushPromises();
    expect(refreshApex).not.toHaveBeenCalled();

    getRecord.emit(lead('SQL'));
    await flushPromises();
    expect(refreshApex).toHaveBeenCalledTimes(1);
    expect(getRecord.getLastConfig().optionalFields.map((field) => field.fieldApiName)).toEqual([
      'Funnel_Stage__c'
    ]);
  });

  it('should request the changes of the page record', async () => {
    createComponent();
    await flushPromises();

    expect(getStageChanges.getLastConfig()).toEqual({ recordId: '00Q000000000001AAA' });
  });

  it('should be accessible: the timeline is a labelled list', async () => {
    const element = createComponent();

    getStageChanges.emit(mockStageChanges);
    await flushPromises();

    const list = element.shadowRoot.querySelector('ul.stages');
    expect(list.getAttribute('aria-label')).toBe('c.LF_Stage_Timeline_Title');
    expect(list.querySelectorAll('li')).toHaveLength(3);
    await expect(element).toBeAccessible();
  });

  it.each([
    ['empty', []],
    ['loading', undefined]
  ])('should be accessible when %s', async (_state, data) => {
    const element = createComponent();
    if (data) {
      getStageChanges.emit(data);
    }
    await flushPromises();

    await expect(element).toBeAccessible();
  });
});

describe('formatDuration', () => {
  it.each([
    [null, ''],
    [6, '6 h'],
    [5.55, '5.6 h'],
    [75, '3 d 3 h']
  ])('should format %p hours as %p', (hours, expected) => {
    expect(formatDuration(hours)).toBe(expected);
  });
});
