import { createElement } from '@lwc/engine-dom';
import LeadQualification from 'c/leadQualification';
import { getRecord } from 'lightning/uiRecordApi';
import getQualification from '@salesforce/apex/QualificationController.getQualification';

const mockLeadRecord = require('./data/leadRecord.json');
const mockQualification = require('./data/qualification.json');

jest.mock('@salesforce/apex/QualificationController.getQualification', () => ({ default: jest.fn() }), {
  virtual: true
});

const LEAD_ID = '00Q000000000001AAA';

function createComponent() {
  const element = createElement('c-lead-qualification', { is: LeadQualification });
  element.recordId = LEAD_ID;
  document.body.appendChild(element);
  return element;
}

// Resolves pending promises (the imperative Apex call) and lets the component re-render.
function flushPromises() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

describe('c-lead-qualification', () => {
  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
    jest.clearAllMocks();
  });

  it('should show scores, grade, checklist and what to capture next when the lead loads', async () => {
    getQualification.mockResolvedValue(mockQualification);
    const element = createComponent();

    getRecord.emit(mockLeadRecord);
    await flushPromises();

    expect(getQualification).toHaveBeenCalledWith({ leadId: LEAD_ID });
    const root = element.shadowRoot;
    expect(root.querySelector('.fit-score').textContent.trim()).toBe('80');
    expect(root.querySelector('.engagement-score').textContent.trim()).toBe('50');
    expect(root.querySelector('.total-score').textContent.trim()).toBe('68');
    expect(root.querySelector('.grade-badge').label).toBe('Warm');
    expect(root.querySelector('.grade-badge').className).toContain('slds-theme_warning');
    expect(root.querySelectorAll('li.criterion')).toHaveLength(3);
    expect(root.querySelectorAll('li.criterion_missing')).toHaveLength(1);
    expect(root.querySelector('.criterion-reason').textContent.trim()).toBe(
      'Need identified: Need_Identified__c must be true (is false)'
    );
    expect(root.querySelectorAll('.required-badge')).toHaveLength(2);
    const captureNext = [...root.querySelectorAll('.capture-next li')].map((li) => li.textContent);
    expect(captureNext).toEqual(['Need identified']);
    expect(root.querySelector('.convertible').textContent).toBe('c.LF_Not_Ready_To_Convert');
  });

  it('should re-evaluate when a watched field changes and not when the data is the same', async () => {
    getQualification.mockResolvedValue(mockQualification);
    const element = createComponent();
    getRecord.emit(mockLeadRecord);
    await flushPromises();

    getRecord.emit(JSON.parse(JSON.stringify(mockLeadRecord)));
    await flushPromises();
    expect(getQualification).toHaveBeenCalledTimes(1);

    const qualified = { ...mockQualification, convertible: true, captureNext: [] };
    getQualification.mockResolvedValue(qualified);
    const changed = JSON.parse(JSON.stringify(mockLeadRecord));
    changed.fields.Need_Identified__c.value = true;
    getRecord.emit(changed);
    await flushPromises();

    expect(getQualification).toHaveBeenCalledTimes(2);
    expect(element.shadowRoot.querySelector('.convertible').textContent).toBe('c.LF_Ready_To_Convert');
    expect(element.shadowRoot.querySelector('.capture-next')).toBeNull();
  });

  it('should watch the qualification fields of the page lead as optional fields', async () => {
    createComponent();
    await flushPromises();

    const config = getRecord.getLastConfig();
    expect(config.recordId).toBe(LEAD_ID);
    expect(config.fields).toBeUndefined();
    expect(config.optionalFields.map((f) => f.fieldApiName)).toEqual(
      expect.arrayContaining(['Budget_Confirmed__c', 'Need_Identified__c', 'Engagement_Score__c'])
    );
  });

  it('should say so when no criteria are configured', async () => {
    getQualification.mockResolvedValue({ ...mockQualification, criteria: [], captureNext: [] });
    const element = createComponent();

    getRecord.emit(mockLeadRecord);
    await flushPromises();

    expect(element.shadowRoot.querySelector('.no-criteria').textContent).toBe('c.LF_No_Criteria');
  });

  it('should show the server error in the error panel when the evaluation fails', async () => {
    getQualification.mockRejectedValue({
      body: { message: 'The lead was not found or you do not have access to it.' }
    });
    const element = createComponent();

    getRecord.emit(mockLeadRecord);
    await flushPromises();

    const panel = element.shadowRoot.querySelector('c-error-panel');
    expect(panel).not.toBeNull();
    expect(panel.errors.body.message).toBe('The lead was not found or you do not have access to it.');
    expect(element.shadowRoot.querySelector('.fit-score')).toBeNull();
  });

  it('should show the record error when the lead cannot be read', async () => {
    const element = createComponent();

    getRecord.error({ message: 'No access' });
    await flushPromises();

    expect(element.shadowRoot.querySelector('c-error-panel')).not.toBeNull();
    expect(getQualification).not.toHaveBeenCalled();
  });

  it('should be accessible: every icon and badge has text and the checklist is a list', async () => {
    getQualification.mockResolvedValue(mockQualification);
    const element = createComponent();
    getRecord.emit(mockLeadRecord);
    await flushPromises();

    const root = element.shadowRoot;
    const icons = [...root.querySelectorAll('lightning-icon')];
    expect(icons.length).toBe(3);
    icons.forEach((icon) => expect(icon.alternativeText).toMatch(/^c\.LF_Criterion_(Met|Missing)$/));
    root.querySelectorAll('lightning-badge').forEach((badge) => expect(badge.label).toBeTruthy());
    expect(root.querySelector('ul.criteria')).not.toBeNull();
    expect(root.querySelector('.convertible').getAttribute('role')).toBe('status');
    ['fit', 'engagement', 'total'].forEach((name) => {
      const caption = root.querySelector(`#${name}-caption`) || root.querySelector(`[id^="${name}-caption"]`);
      expect(caption).not.toBeNull();
    });
  });
});
