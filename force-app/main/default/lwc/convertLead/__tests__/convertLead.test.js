import { createElement } from '@lwc/engine-dom';
import ConvertLead from 'c/convertLead';
import { getNavigateCalledWith, resetNavigation } from 'lightning/navigation';
import { ShowToastEventName } from 'lightning/platformShowToastEvent';
import { CloseActionScreenEventName } from 'lightning/actions';
import getConvertPreview from '@salesforce/apex/LeadConvertController.getConvertPreview';
import convertLead from '@salesforce/apex/LeadConvertController.convertLead';

const mockPreview = require('./data/preview.json');
const mockPreviewNotConvertible = require('./data/previewNotConvertible.json');

jest.mock('@salesforce/apex/LeadConvertController.getConvertPreview', () => ({ default: jest.fn() }), {
  virtual: true
});
jest.mock('@salesforce/apex/LeadConvertController.convertLead', () => ({ default: jest.fn() }), {
  virtual: true
});

const LEAD_ID = '00Q000000000001AAA';

function flushPromises() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

async function createComponent() {
  const element = createElement('c-convert-lead', { is: ConvertLead });
  document.body.appendChild(element);
  // Like the quick action framework: recordId arrives after the element is in the DOM.
  element.recordId = LEAD_ID;
  await flushPromises();
  return element;
}

function button(element, selector) {
  return element.shadowRoot.querySelector(`lightning-button${selector}`);
}

describe('c-convert-lead', () => {
  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
    jest.clearAllMocks();
    resetNavigation();
  });

  it('should preview the matched account, contact and opportunity when opened', async () => {
    getConvertPreview.mockResolvedValue(mockPreview);
    const element = await createComponent();

    expect(getConvertPreview).toHaveBeenCalledWith({ leadId: LEAD_ID });
    const root = element.shadowRoot;
    const accounts = root.querySelector('lightning-radio-group.account-choice');
    expect(accounts.options.map((o) => o.value)).toEqual(['001000000000001AAA', '001000000000002AAA', 'new']);
    expect(accounts.options[0].label).toBe('c.LF_Matched_By_Domain');
    expect(accounts.value).toBe('001000000000001AAA');
    expect(root.querySelector('.contact-text').textContent).toBe('c.LF_Existing_Contact');
    expect(root.querySelector('.opportunity-name').textContent).toBe('Initech - Analytics');
    expect(root.querySelector('.opportunity-stage').textContent).toBe('Prospecting');
    expect(button(element, '.convert').disabled).toBe(false);
  });

  it('should convert into the chosen account and open the new opportunity when confirmed', async () => {
    getConvertPreview.mockResolvedValue(mockPreview);
    convertLead.mockResolvedValue({
      accountId: '001000000000002AAA',
      contactId: '003000000000009AAA',
      opportunityId: '006000000000001AAA'
    });
    const element = await createComponent();
    const toastHandler = jest.fn();
    const closeHandler = jest.fn();
    element.addEventListener(ShowToastEventName, toastHandler);
    element.addEventListener(CloseActionScreenEventName, closeHandler);

    const accounts = element.shadowRoot.querySelector('lightning-radio-group.account-choice');
    accounts.dispatchEvent(new CustomEvent('change', { detail: { value: '001000000000002AAA' } }));
    button(element, '.convert').click();
    await flushPromises();

    expect(convertLead).toHaveBeenCalledWith({
      leadId: LEAD_ID,
      accountId: '001000000000002AAA',
      createOpportunity: true
    });
    expect(toastHandler).toHaveBeenCalledTimes(1);
    expect(toastHandler.mock.calls[0][0].detail.variant).toBe('success');
    expect(closeHandler).toHaveBeenCalledTimes(1);
    const { pageReference } = getNavigateCalledWith();
    expect(pageReference.type).toBe('standard__recordPage');
    expect(pageReference.attributes.recordId).toBe('006000000000001AAA');
  });

  it('should create a new account without an opportunity and open the account when chosen', async () => {
    getConvertPreview.mockResolvedValue(mockPreview);
    convertLead.mockResolvedValue({
      accountId: '001000000000003AAA',
      contactId: '003000000000009AAA',
      opportunityId: null
    });
    const element = await createComponent();

    element.shadowRoot
      .querySelector('lightning-radio-group.account-choice')
      .dispatchEvent(new CustomEvent('change', { detail: { value: 'new' } }));
    const toggle = element.shadowRoot.querySelector('lightning-input.create-opportunity');
    toggle.checked = false;
    toggle.dispatchEvent(new CustomEvent('change'));
    await flushPromises();
    expect(element.shadowRoot.querySelector('.opportunity-details')).toBeNull();

    button(element, '.convert').click();
    await flushPromises();

    expect(convertLead).toHaveBeenCalledWith({ leadId: LEAD_ID, accountId: null, createOpportunity: false });
    expect(getNavigateCalledWith().pageReference.attributes.recordId).toBe('001000000000003AAA');
  });

  it('should show the server error inline and stay open when the conversion fails', async () => {
    getConvertPreview.mockResolvedValue(mockPreview);
    const message = 'This lead cannot be converted. Missing required qualification criteria: Need identified';
    convertLead.mockRejectedValue({ body: { message } });
    const element = await createComponent();
    const closeHandler = jest.fn();
    element.addEventListener(CloseActionScreenEventName, closeHandler);

    button(element, '.convert').click();
    await flushPromises();

    const panel = element.shadowRoot.querySelector('c-error-panel.convert-error');
    expect(panel).not.toBeNull();
    expect(panel.errors.body.message).toBe(message);
    expect(closeHandler).not.toHaveBeenCalled();
    expect(getNavigateCalledWith().pageReference).toBeUndefined();
    expect(button(element, '.convert').disabled).toBe(false);
  });

  it('should explain what is missing and disable Convert when the lead is not convertible', async () => {
    getConvertPreview.mockResolvedValue(mockPreviewNotConvertible);
    const element = await createComponent();

    expect(element.shadowRoot.querySelector('.cannot-convert').textContent).toBe('c.LF_Cannot_Convert');
    expect(element.shadowRoot.querySelector('lightning-radio-group')).toBeNull();
    expect(button(element, '.convert').disabled).toBe(true);
  });

  it('should show the error panel when the preview cannot be loaded', async () => {
    getConvertPreview.mockRejectedValue({ body: { message: 'This lead has already been converted.' } });
    const element = await createComponent();

    const panel = element.shadowRoot.querySelector('c-error-panel');
    expect(panel.errors.body.message).toBe('This lead has already been converted.');
    expect(button(element, '.convert').disabled).toBe(true);
  });

  it('should close without converting when Cancel is clicked', async () => {
    getConvertPreview.mockResolvedValue(mockPreview);
    const element = await createComponent();
    const closeHandler = jest.fn();
    element.addEventListener(CloseActionScreenEventName, closeHandler);

    button(element, '.cancel').click();

    expect(closeHandler).toHaveBeenCalledTimes(1);
    expect(convertLead).not.toHaveBeenCalled();
  });

  it('should be accessible: labelled inputs, buttons and sections', async () => {
    getConvertPreview.mockResolvedValue(mockPreview);
    const element = await createComponent();
    const root = element.shadowRoot;

    expect(root.querySelector('lightning-radio-group').label).toBe('c.LF_Account_Choice');
    expect(root.querySelector('lightning-input.create-opportunity').label).toBe('c.LF_Create_Opportunity');
    root.querySelectorAll('lightning-button').forEach((b) => expect(b.label).toBeTruthy());
    root.querySelectorAll('section').forEach((section) => {
      expect(section.getAttribute('aria-labelledby')).toBeTruthy();
    });
    expect(root.querySelector('lightning-quick-action-panel').header).toBe('c.LF_Convert_Title');
  });
});
