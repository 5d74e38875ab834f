import { createElement } from '@lwc/engine-dom';
import { registerSa11yMatcher } from '@sa11y/jest';
import ConvertLead from 'c/convertLead';
import { getNavigateCalledWith, resetNavigation } from 'lightning/navigation';
import { ShowToastEventName } from 'lightning/platformShowToastEvent';
import { CloseActionScreenEventName } from 'lightning/actions';
import getConvertPreview from '@salesforce/apex/LeadConvertController.getConvertPreview';
import convertLead from '@salesforce/apex/LeadConvertController.convertLead';

const mockPreview = require('./data/preview.json');
const mockPreviewNotConvertible = require('./data/previewNotConvertible.json');
const mockPreviewAlreadyConverted = require('./data/previewAlreadyConverted.json');
const mockConvertDuplicate = require('./data/convertDuplicate.json');
const mockReasons = require('./data/reasons.json');

jest.mock('@salesforce/apex/LeadConvertController.getConvertPreview', () => ({ default: jest.fn() }), {
  virtual: true
});
jest.mock('@salesforce/apex/LeadConvertController.convertLead', () => ({ default: jest.fn() }), {
  virtual: true
});

const LEAD_ID = '00Q000000000001AAA';
const CONTACT_ACCOUNT = '001000000000001AAA';
const OTHER_ACCOUNT = '001000000000002AAA';

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

function chooseAccount(element, value) {
  element.shadowRoot
    .querySelector('lightning-radio-group.account-choice')
    .dispatchEvent(new CustomEvent('change', { detail: { value } }));
}

describe('c-convert-lead', () => {
  beforeAll(() => {
    registerSa11yMatcher();
  });

  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
    jest.clearAllMocks();
    resetNavigation();
  });

  it('should preselect the existing contact account and say the contact is reused when opened', async () => {
    getConvertPreview.mockResolvedValue(mockPreview);
    const element = await createComponent();

    expect(getConvertPreview).toHaveBeenCalledWith({ leadId: LEAD_ID });
    const root = element.shadowRoot;
    const accounts = root.querySelector('lightning-radio-group.account-choice');
    expect(accounts.options.map((o) => o.value)).toEqual([CONTACT_ACCOUNT, OTHER_ACCOUNT, 'new']);
    expect(accounts.options[0].label).toBe('c.LF_Matched_By_Domain');
    expect(accounts.value).toBe(CONTACT_ACCOUNT);
    expect(root.querySelector('.contact-text').textContent).toBe('c.LF_Contact_Reused');
    expect(root.querySelector('.contact-text_duplicate-risk')).toBeNull();
    expect(root.querySelector('.opportunity-name').textContent).toBe('Initech - Analytics');
    expect(root.querySelector('lightning-quick-action-panel').header).toBe('c.LF_Convert_Title');
    expect(button(element, '.convert').disabled).toBe(false);
  });

  it.each([
    ['another matched account', OTHER_ACCOUNT],
    ['a new account', 'new']
  ])('should warn that a duplicate contact is created when %s is chosen', async (_name, account) => {
    getConvertPreview.mockResolvedValue(mockPreview);
    const element = await createComponent();

    chooseAccount(element, account);
    await flushPromises();

    const contact = element.shadowRoot.querySelector('.contact-text');
    expect(contact.textContent).toBe('c.LF_Contact_Duplicate_Risk');
    expect(contact.classList).toContain('contact-text_duplicate-risk');
    expect(contact.querySelector('lightning-icon').iconName).toBe('utility:warning');
  });

  it('should preselect the best match when the contact belongs to an account that did not match', async () => {
    getConvertPreview.mockResolvedValue({ ...mockPreview, contactAccountId: '001000000000009AAA' });
    const element = await createComponent();

    expect(element.shadowRoot.querySelector('lightning-radio-group').value).toBe(CONTACT_ACCOUNT);
    expect(element.shadowRoot.querySelector('.contact-text').textContent).toBe('c.LF_Contact_Duplicate_Risk');
  });

  it('should say a new contact is created when no contact has the email', async () => {
    getConvertPreview.mockResolvedValue({
      ...mockPreview,
      contactId: null,
      contactName: null,
      contactAccountId: null
    });
    const element = await createComponent();

    expect(element.shadowRoot.querySelector('.contact-text').textContent).toBe('c.LF_New_Contact');
  });

  it('should convert into the chosen account and open the new opportunity when confirmed', async () => {
    getConvertPreview.mockResolvedValue(mockPreview);
    convertLead.mockResolvedValue({
      success: true,
      accountId: OTHER_ACCOUNT,
      contactId: '003000000000009AAA',
      opportunityId: '006000000000001AAA'
    });
    const element = await createComponent();
    const toastHandler = jest.fn();
    const closeHandler = jest.fn();
    element.addEventListener(ShowToastEventName, toastHandler);
    element.addEventListener(CloseActionScreenEventName, closeHandler);

    chooseAccount(element, OTHER_ACCOUNT);
    button(element, '.convert').click();
    await flushPromises();

    expect(convertLead).toHaveBeenCalledWith({
      leadId: LEAD_ID,
      accountId: OTHER_ACCOUNT,
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
    convertLead.mockResolvedValue({ success: true, accountId: '001000000000003AAA', opportunityId: null });
    const element = await createComponent();

    chooseAccount(element, 'new');
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

  it('should show a spinner and disable every choice, Cancel and Convert while converting', async () => {
    getConvertPreview.mockResolvedValue(mockPreview);
    let finish;
    convertLead.mockReturnValue(
      new Promise((resolve, reject) => {
        finish = reject;
      })
    );
    const element = await createComponent();
    const root = element.shadowRoot;
    expect(root.querySelector('lightning-spinner.converting')).toBeNull();

    button(element, '.convert').click();
    await flushPromises();

    expect(root.querySelector('lightning-spinner.converting').alternativeText).toBe('c.LF_Converting');
    expect(root.querySelector('lightning-radio-group.account-choice').disabled).toBe(true);
    expect(root.querySelector('lightning-input.create-opportunity').disabled).toBe(true);
    expect(button(element, '.cancel').disabled).toBe(true);
    expect(button(element, '.convert').disabled).toBe(true);

    finish({ body: { message: 'Timed out' } });
    await flushPromises();
    expect(root.querySelector('lightning-spinner.converting')).toBeNull();
    expect(button(element, '.cancel').disabled).toBe(false);
    expect(root.querySelector('lightning-radio-group.account-choice').disabled).toBe(false);
  });

  it('should list the matching records at the top and clear them when the rep picks another account', async () => {
    getConvertPreview.mockResolvedValue(mockPreview);
    convertLead.mockResolvedValue(mockConvertDuplicate);
    const element = await createComponent();
    const closeHandler = jest.fn();
    element.addEventListener(CloseActionScreenEventName, closeHandler);

    button(element, '.convert').click();
    await flushPromises();

    const root = element.shadowRoot;
    const panel = root.querySelector('.duplicate-error');
    expect(panel).not.toBeNull();
    expect(panel.getAttribute('role')).toBe('alert');
    const records = [...panel.querySelectorAll('.duplicate-record')].map((li) =>
      li.textContent.replace(/\s+/g, ' ').trim()
    );
    expect(records).toEqual(['Quinn Qualified (Contact, quinn@initech.example, Initech Inc)']);
    expect(panel.textContent).not.toContain('Use one of these records?');
    // Above the choices, where the rep looks first.
    const accountSection = root.querySelector('section');
    expect(panel.compareDocumentPosition(accountSection) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(closeHandler).not.toHaveBeenCalled();

    chooseAccount(element, OTHER_ACCOUNT);
    await flushPromises();
    expect(root.querySelector('.duplicate-error')).toBeNull();
  });

  it('should show an unexpected conversion error at the top and clear it when a choice changes', async () => {
    getConvertPreview.mockResolvedValue(mockPreview);
    const message = 'This lead cannot be converted. Missing required qualification criteria: Need identified';
    convertLead.mockRejectedValue({ body: { message } });
    const element = await createComponent();

    button(element, '.convert').click();
    await flushPromises();

    const panel = element.shadowRoot.querySelector('c-error-panel.convert-error');
    expect(panel.errors.body.message).toBe(message);
    expect(
      panel.compareDocumentPosition(element.shadowRoot.querySelector('section')) &
        Node.DOCUMENT_POSITION_FOLLOWING
    ).toBeTruthy();
    expect(getNavigateCalledWith().pageReference).toBeUndefined();
    expect(button(element, '.convert').disabled).toBe(false);

    const toggle = element.shadowRoot.querySelector('lightning-input.create-opportunity');
    toggle.checked = false;
    toggle.dispatchEvent(new CustomEvent('change'));
    await flushPromises();
    expect(element.shadowRoot.querySelector('c-error-panel.convert-error')).toBeNull();
  });

  it('should list each missing criterion with its reason and the next step when the lead is not convertible', async () => {
    getConvertPreview.mockResolvedValue(mockPreviewNotConvertible);
    const element = await createComponent();
    const root = element.shadowRoot;

    expect(root.querySelector('lightning-quick-action-panel').header).toBe('c.LF_Convert_Not_Ready_Title');
    const items = [...root.querySelectorAll('.missing-criterion')].map((li) =>
      li.textContent.replace(/\s+/g, ' ').trim()
    );
    expect(items).toEqual([
      'Need identified: Need Identified must be checked (now unchecked)',
      'Decision maker or influencer: Authority Level must be Decision Maker or Influencer (now empty)'
    ]);
    expect(root.querySelector('.next-step').textContent).toBe('c.LF_Not_Ready_Next_Step');
    expect(root.querySelector('.not-ready').getAttribute('role')).toBe('status');
    expect(root.querySelector('lightning-radio-group')).toBeNull();
    expect(button(element, '.convert')).toBeNull();
  });

  it('should fall back to the criterion labels when the server sends no reasons', async () => {
    getConvertPreview.mockResolvedValue({ ...mockPreviewNotConvertible, missingDetails: undefined });
    const element = await createComponent();

    const items = [...element.shadowRoot.querySelectorAll('.missing-criterion')].map((li) =>
      li.textContent.trim()
    );
    expect(items).toEqual(['Need identified', 'Decision maker or influencer']);
  });

  it('should tell an already converted lead apart from an error and link to its records', async () => {
    getConvertPreview.mockResolvedValue(mockPreviewAlreadyConverted);
    const element = await createComponent();
    const root = element.shadowRoot;

    expect(root.querySelector('lightning-quick-action-panel').header).toBe(
      'c.LF_Convert_Already_Converted_Title'
    );
    const panel = root.querySelector('c-error-panel.already-converted');
    expect(panel.variant).toBe('info');
    expect(button(element, '.convert')).toBeNull();

    root.querySelector('.converted-records lightning-button').click();
    expect(getNavigateCalledWith().pageReference.attributes.recordId).toBe('006000000000005AAA');
  });

  it('should show the error panel when the preview cannot be loaded', async () => {
    getConvertPreview.mockRejectedValue({
      body: { message: 'You do not have access to data the conversion needs.' }
    });
    const element = await createComponent();

    const panel = element.shadowRoot.querySelector('c-error-panel.load-error');
    expect(panel.errors.body.message).toBe('You do not have access to data the conversion needs.');
    expect(element.shadowRoot.querySelector('lightning-quick-action-panel').header).toBe(
      'c.LF_Convert_Lead_Title'
    );
    expect(button(element, '.convert')).toBeNull();
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

  it.each([
    ['convertible', mockPreview],
    ['not convertible', mockPreviewNotConvertible],
    ['already converted', mockPreviewAlreadyConverted]
  ])('should be accessible when the lead is %s', async (_state, preview) => {
    getConvertPreview.mockResolvedValue(preview);
    const element = await createComponent();

    await expect(element).toBeAccessible();
  });

  it('should be accessible with the duplicate error shown', async () => {
    getConvertPreview.mockResolvedValue(mockPreview);
    convertLead.mockResolvedValue(mockConvertDuplicate);
    const element = await createComponent();
    button(element, '.convert').click();
    await flushPromises();

    await expect(element).toBeAccessible();
  });
  describe('preview reasons', () => {
    /** The convertible preview with the given reasons (Apex ConvertPreviewReasons wording, see data/reasons.json). */
    function previewWith(...codes) {
      return { ...mockPreview, reasons: codes.map((code) => mockReasons[code]) };
    }

    function shownReasons(element) {
      return [...element.shadowRoot.querySelectorAll('.preview-reason')].map((li) => ({
        code: li.dataset.code,
        field: li.querySelector('.reason-field').textContent,
        message: li.querySelector('.reason-message').textContent,
        fix: li.querySelector('.reason-fix').textContent.trim(),
        icon: li.querySelector('lightning-icon').iconName,
        severity: li.querySelector('lightning-icon').alternativeText
      }));
    }

    function toggleOpportunity(element, checked) {
      const toggle = element.shadowRoot.querySelector('lightning-input.create-opportunity');
      toggle.checked = checked;
      toggle.dispatchEvent(new CustomEvent('change'));
    }

    // One per reason kind, with the choice that makes it apply: a new account for Account reasons, another
    // account than the contact's for Contact reasons (a new contact), the default opportunity for Opportunity ones.
    it.each([
      ['CONVERTED_STATUS_INVALID', null],
      ['NO_CONVERTED_STATUS', null],
      ['REQUIRED_FIELD_UNMAPPED', 'new'],
      ['REQUIRED_FIELD_EMPTY', OTHER_ACCOUNT],
      ['VALUE_TOO_LONG', null],
      ['TYPE_MISMATCH', 'new']
    ])(
      'should name the field and the fix of %s before the click and keep Convert off',
      async (code, account) => {
        getConvertPreview.mockResolvedValue(previewWith(code));
        const element = await createComponent();
        if (account) {
          chooseAccount(element, account);
          await flushPromises();
        }

        const reason = mockReasons[code];
        expect(shownReasons(element)).toEqual([
          {
            code,
            field: reason.field,
            message: `: ${reason.message}`,
            fix: reason.fix,
            icon: 'utility:error',
            severity: 'c.LF_Severity_Error'
          }
        ]);
        expect(element.shadowRoot.querySelector('.reasons-blocked').textContent).toBe(
          'c.LF_Convert_Reasons_Blocked'
        );
        expect(button(element, '.convert').disabled).toBe(true);
        button(element, '.convert').click();
        expect(convertLead).not.toHaveBeenCalled();
      }
    );

    it('should make the ambiguous account the rep s choice: nothing preselected, Convert off until a tied account is chosen', async () => {
      getConvertPreview.mockResolvedValue(previewWith('AMBIGUOUS_ACCOUNT'));
      const element = await createComponent();
      const root = element.shadowRoot;

      expect(root.querySelector('lightning-radio-group.account-choice').value).toBeNull();
      expect(shownReasons(element).map((r) => [r.code, r.field, r.message])).toEqual([
        ['AMBIGUOUS_ACCOUNT', 'Account.Website_Domain__c', `: ${mockReasons.AMBIGUOUS_ACCOUNT.message}`]
      ]);
      expect(button(element, '.convert').disabled).toBe(true);

      // A new account would be a third one with the same domain: still refused.
      chooseAccount(element, 'new');
      await flushPromises();
      expect(shownReasons(element).map((r) => r.code)).toEqual(['AMBIGUOUS_ACCOUNT']);
      expect(button(element, '.convert').disabled).toBe(true);

      chooseAccount(element, OTHER_ACCOUNT);
      await flushPromises();
      expect(shownReasons(element)).toEqual([]);
      expect(button(element, '.convert').disabled).toBe(false);
    });

    it('should warn of a duplicate contact without blocking, and drop the warning when the contact is reused', async () => {
      getConvertPreview.mockResolvedValue(previewWith('DUPLICATE_CONTACT'));
      const element = await createComponent();

      // Preselected: the contact's own account, so the contact is reused and no second one is created.
      expect(shownReasons(element)).toEqual([]);

      chooseAccount(element, OTHER_ACCOUNT);
      await flushPromises();
      expect(shownReasons(element)).toEqual([
        {
          code: 'DUPLICATE_CONTACT',
          field: 'Contact.Email',
          message: `: ${mockReasons.DUPLICATE_CONTACT.message}`,
          fix: mockReasons.DUPLICATE_CONTACT.fix,
          icon: 'utility:warning',
          severity: 'c.LF_Severity_Warning'
        }
      ]);
      expect(element.shadowRoot.querySelector('.reasons-blocked')).toBeNull();
      expect(button(element, '.convert').disabled).toBe(false);
    });

    it('should show Account reasons only for a new account and Opportunity reasons only with an opportunity', async () => {
      getConvertPreview.mockResolvedValue(previewWith('REQUIRED_FIELD_UNMAPPED', 'VALUE_TOO_LONG'));
      const element = await createComponent();

      // Into the existing, matched account: the new-account field does not matter.
      expect(shownReasons(element).map((r) => r.code)).toEqual(['VALUE_TOO_LONG']);

      chooseAccount(element, 'new');
      await flushPromises();
      expect(shownReasons(element).map((r) => r.code)).toEqual(['REQUIRED_FIELD_UNMAPPED', 'VALUE_TOO_LONG']);

      toggleOpportunity(element, false);
      await flushPromises();
      expect(shownReasons(element).map((r) => r.code)).toEqual(['REQUIRED_FIELD_UNMAPPED']);

      chooseAccount(element, CONTACT_ACCOUNT);
      await flushPromises();
      expect(shownReasons(element)).toEqual([]);
      expect(button(element, '.convert').disabled).toBe(false);
    });

    it('should head the reasons and caption each fix', async () => {
      getConvertPreview.mockResolvedValue(previewWith('NO_CONVERTED_STATUS'));
      const element = await createComponent();

      const section = element.shadowRoot.querySelector('section.preview-reasons');
      expect(section.querySelector('h2').textContent).toBe('c.LF_Convert_Reasons_Heading');
      expect(section.getAttribute('aria-labelledby')).toBe(section.querySelector('h2').id);
      expect(section.querySelector('.reason-fix-label').textContent).toBe('c.LF_Convert_Reasons_Fix');
    });

    it('should list the reasons under the missing criteria when the lead is not qualified yet', async () => {
      getConvertPreview.mockResolvedValue({
        ...mockPreviewNotConvertible,
        reasons: [mockReasons.NO_CONVERTED_STATUS]
      });
      const element = await createComponent();

      expect(shownReasons(element).map((r) => r.code)).toEqual(['NO_CONVERTED_STATUS']);
      expect(button(element, '.convert')).toBeNull();
    });

    it.each([
      ['blocking reasons', ['NO_CONVERTED_STATUS', 'REQUIRED_FIELD_EMPTY', 'VALUE_TOO_LONG']],
      ['an ambiguous account', ['AMBIGUOUS_ACCOUNT']]
    ])('should be accessible with %s shown', async (_name, codes) => {
      getConvertPreview.mockResolvedValue({ ...previewWith(...codes), contactAccountId: null });
      const element = await createComponent();
      expect(shownReasons(element).length).toBe(codes.length);

      await expect(element).toBeAccessible();
    });

    it('should be accessible with a duplicate-contact warning shown', async () => {
      getConvertPreview.mockResolvedValue(previewWith('DUPLICATE_CONTACT'));
      const element = await createComponent();
      chooseAccount(element, 'new');
      await flushPromises();
      expect(shownReasons(element).length).toBe(1);

      await expect(element).toBeAccessible();
    });
  });
});
