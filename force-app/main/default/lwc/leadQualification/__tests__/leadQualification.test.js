import { createElement } from '@lwc/engine-dom';
import { registerSa11yMatcher } from '@sa11y/jest';
import LeadQualification from 'c/leadQualification';
import { getRecord } from 'lightning/uiRecordApi';
import getQualification from '@salesforce/apex/QualificationController.getQualification';

const mockLeadRecord = require('./data/leadRecord.json');
const mockQualification = require('./data/qualification.json');
const mockQualificationReady = require('./data/qualificationReady.json');
const mockQualificationCold = require('./data/qualificationCold.json');

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

async function renderWith(qualification) {
  getQualification.mockResolvedValue(qualification);
  const element = createComponent();
  getRecord.emit(mockLeadRecord);
  await flushPromises();
  return element;
}

describe('c-lead-qualification', () => {
  beforeAll(() => {
    registerSa11yMatcher();
  });

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
    // jest labels are their names, so the scale label shows up as c.LF_Score_Of (the browser test reads "68 / 100").
    expect(root.querySelector('.fit-score').textContent.trim()).toBe('c.LF_Score_Of');
    expect(root.querySelector('.total-score').textContent.trim()).toBe('c.LF_Score_Of');
    expect(root.querySelector('.grade-badge').label).toBe('Warm');
    expect(root.querySelector('.grade-badge').className).toContain('slds-theme_warning');
    expect(root.querySelectorAll('li.criterion')).toHaveLength(3);
    expect(root.querySelectorAll('li.criterion_missing')).toHaveLength(1);
    expect(root.querySelector('.criterion-reason').textContent.trim()).toBe(
      'Need Identified must be checked (now unchecked)'
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

  it('should not say ready to convert when no criteria are configured', async () => {
    const element = await renderWith({
      ...mockQualification,
      convertible: true,
      criteria: [],
      captureNext: []
    });

    const root = element.shadowRoot;
    const panel = root.querySelector('c-error-panel.no-criteria-panel');
    expect(panel.friendlyMessage).toBe('c.LF_No_Criteria');
    expect(panel.variant).toBe('info');
    expect(root.querySelector('.convertible')).toBeNull();
  });

  it('should give the Cold grade its own colour, unlike the Required badges', async () => {
    const element = await renderWith(mockQualificationCold);

    const grade = element.shadowRoot.querySelector('.grade-badge');
    expect(grade.label).toBe('Cold');
    expect(grade.className).toContain('grade-badge_cold');
    const required = element.shadowRoot.querySelector('.required-badge');
    expect(required.className).toContain('slds-badge_lightest');
    expect(required.className).not.toContain('grade-badge_cold');
  });

  it('should mark blocking and optional missing criteria with different icons', async () => {
    const element = await renderWith({
      ...mockQualification,
      criteria: [...mockQualification.criteria, ...mockQualificationCold.criteria.slice(1, 2)]
    });

    const root = element.shadowRoot;
    const blocking = root.querySelector('li.criterion_blocking lightning-icon');
    const optional = root.querySelector('li.criterion_optional lightning-icon');
    const met = root.querySelector('li.criterion_met lightning-icon');
    expect(blocking.iconName).toBe('utility:error');
    expect(blocking.alternativeText).toBe('c.LF_Criterion_Missing_Required');
    expect(optional.iconName).toBe('utility:info');
    expect(optional.alternativeText).toBe('c.LF_Criterion_Missing_Optional');
    expect(met.iconName).toBe('utility:success');
    expect(new Set([blocking.iconName, optional.iconName, met.iconName]).size).toBe(3);
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
    const element = await renderWith(mockQualification);

    const root = element.shadowRoot;
    const icons = [...root.querySelectorAll('lightning-icon')];
    expect(icons.length).toBe(3);
    icons.forEach((icon) =>
      expect(icon.alternativeText).toMatch(/^c\.LF_Criterion_(Met|Missing_Required|Missing_Optional)$/)
    );
    root.querySelectorAll('lightning-badge').forEach((badge) => expect(badge.label).toBeTruthy());
    expect(root.querySelector('ul.criteria')).not.toBeNull();
    expect(root.querySelector('.convertible').getAttribute('role')).toBe('status');
    await expect(element).toBeAccessible();
  });

  it.each([
    ['ready', mockQualificationReady],
    ['cold', mockQualificationCold],
    ['without criteria', { ...mockQualification, criteria: [], captureNext: [] }]
  ])('should be accessible when the lead is %s', async (_state, qualification) => {
    const element = await renderWith(qualification);

    await expect(element).toBeAccessible();
  });
});
