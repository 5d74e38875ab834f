import { createElement } from '@lwc/engine-dom';
import StageTimeline, { formatDuration } from 'c/stageTimeline';
import getStageChanges from '@salesforce/apex/StageTimelineController.getStageChanges';

const mockStageChanges = require('./data/stageChanges.json');

jest.mock(
  '@salesforce/apex/StageTimelineController.getStageChanges',
  () => {
    const { createApexTestWireAdapter } = require('@salesforce/sfdx-lwc-jest');
    return { default: createApexTestWireAdapter(jest.fn()) };
  },
  { virtual: true }
);

function flushPromises() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function createComponent() {
  const element = createElement('c-stage-timeline', { is: StageTimeline });
  element.recordId = '00Q000000000001AAA';
  document.body.appendChild(element);
  return element;
}

describe('c-stage-timeline', () => {
  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
    jest.clearAllMocks();
  });

  it('should list the stages oldest first with the time spent in each when data arrives', async () => {
    const element = createComponent();

    getStageChanges.emit(mockStageChanges);
    await flushPromises();

    const root = element.shadowRoot;
    const names = [...root.querySelectorAll('.stage-name')].map((n) => n.textContent);
    expect(names).toEqual(['Engaged', 'MQL', 'SAL']);
    const durations = [...root.querySelectorAll('.duration')].map((d) => d.textContent);
    expect(durations).toEqual(['c.LF_Duration_Hours', 'c.LF_Duration_Days', 'c.LF_Duration_Hours']);
    expect(root.querySelectorAll('li.stage_current')).toHaveLength(1);
    expect(root.querySelector('li.stage_current .stage-name').textContent).toBe('SAL');
    expect(root.querySelectorAll('.current-badge')).toHaveLength(1);
  });

  it('should say so when there are no stage changes', async () => {
    const element = createComponent();

    getStageChanges.emit([]);
    await flushPromises();

    expect(element.shadowRoot.querySelector('.no-changes').textContent).toBe('c.LF_No_Stage_Changes');
    expect(element.shadowRoot.querySelector('ol.stages')).toBeNull();
  });

  it('should show the error panel when the changes cannot be read', async () => {
    const element = createComponent();

    getStageChanges.error({
      message: 'Stage history is only available on leads, contacts and opportunities.'
    });
    await flushPromises();

    expect(element.shadowRoot.querySelector('c-error-panel')).not.toBeNull();
    expect(element.shadowRoot.querySelector('ol.stages')).toBeNull();
  });

  it('should request the changes of the page record', async () => {
    createComponent();
    await flushPromises();

    expect(getStageChanges.getLastConfig()).toEqual({ recordId: '00Q000000000001AAA' });
  });

  it('should be accessible: the timeline is a labelled ordered list', async () => {
    const element = createComponent();

    getStageChanges.emit(mockStageChanges);
    await flushPromises();

    const list = element.shadowRoot.querySelector('ol.stages');
    expect(list.getAttribute('aria-label')).toBe('c.LF_Stage_Timeline_Title');
    expect(list.querySelectorAll('li')).toHaveLength(3);
    element.shadowRoot
      .querySelectorAll('lightning-badge')
      .forEach((badge) => expect(badge.label).toBeTruthy());
  });
});

describe('formatDuration', () => {
  it.each([
    [null, ''],
    [6, 'c.LF_Duration_Hours'],
    [75, 'c.LF_Duration_Days']
  ])('should format %p hours as %p', (hours, expected) => {
    expect(formatDuration(hours)).toBe(expected);
  });
});
