import { createElement } from '@lwc/engine-dom';
import { registerSa11yMatcher } from '@sa11y/jest';
import SalHandoff from 'c/salHandoff';
import { ShowToastEventName } from 'lightning/platformShowToastEvent';
import { notifyRecordUpdateAvailable } from 'lightning/uiRecordApi';
import getHandoff from '@salesforce/apex/SalHandoffController.getHandoff';
import returnReasons from '@salesforce/apex/SalHandoffController.returnReasons';
import accept from '@salesforce/apex/SalHandoffController.accept';
import returnToNurture from '@salesforce/apex/SalHandoffController.returnToNurture';

jest.mock('@salesforce/apex/SalHandoffController.getHandoff', () => ({ default: jest.fn() }), {
  virtual: true
});
jest.mock('@salesforce/apex/SalHandoffController.accept', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/SalHandoffController.returnToNurture', () => ({ default: jest.fn() }), {
  virtual: true
});
jest.mock(
  '@salesforce/apex/SalHandoffController.returnReasons',
  () => {
    const { createApexTestWireAdapter } = require('@salesforce/sfdx-lwc-jest');
    return { default: createApexTestWireAdapter(jest.fn()) };
  },
  { virtual: true }
);
// Real label text for the clock, so the test reads what the rep reads.
jest.mock('@salesforce/label/c.LF_Sal_Time_Left', () => ({ default: '{0} left to accept' }), {
  virtual: true
});
jest.mock('@salesforce/label/c.LF_Sal_Overdue', () => ({ default: 'Overdue by {0}' }), { virtual: true });
jest.mock('@salesforce/label/c.LF_Sal_Days_Hours', () => ({ default: '{0} d {1} h' }), { virtual: true });
jest.mock('@salesforce/label/c.LF_Sal_Hours_Minutes', () => ({ default: '{0} h {1} min' }), {
  virtual: true
});

// The same records the LWC preview renders (scripts/preview-lwc), at the preview's "now".
const HANDOFF = require('./data/handoff.json');
const REASONS = require('./data/returnReasons.json');

const LEAD_ID = HANDOFF.leadId;
const NOW = Date.parse('2026-01-04T20:00:00.000Z');
const HOUR = 3600 * 1000;

/** A lead waiting for its owner, deadline 50 h after NOW, with the overrides of the case. */
function handoff(overrides) {
  return { ...HANDOFF, ...overrides };
}

function flushPromises() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

async function render(state) {
  getHandoff.mockResolvedValue(state);
  const element = createElement('c-sal-handoff', { is: SalHandoff });
  element.recordId = LEAD_ID;
  document.body.appendChild(element);
  returnReasons.emit(REASONS);
  await flushPromises();
  return element;
}

function click(element, selector) {
  element.shadowRoot.querySelector(selector).click();
  return flushPromises();
}

async function chooseReason(element, value) {
  await click(element, 'lightning-button.start-return');
  const combobox = element.shadowRoot.querySelector('lightning-combobox.reason');
  combobox.dispatchEvent(new CustomEvent('change', { detail: { value } }));
  await flushPromises();
}

describe('c-sal-handoff', () => {
  beforeAll(() => {
    registerSa11yMatcher();
  });

  beforeEach(() => {
    jest.spyOn(Date, 'now').mockReturnValue(NOW);
  });

  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
    jest.clearAllMocks();
    jest.restoreAllMocks();
  });

  it('should show the deadline and the time left to the owner, with both actions', async () => {
    const element = await render(handoff());

    expect(getHandoff).toHaveBeenCalledWith({ leadId: LEAD_ID });
    const root = element.shadowRoot;
    expect(root.querySelector('.clock').textContent).toBe('2 d 2 h left to accept');
    expect(root.querySelector('.clock').className).not.toContain('slds-text-color');
    expect(root.querySelector('lightning-formatted-date-time').value).toBe(handoff().acceptBy);
    expect(root.querySelector('lightning-button.accept').disabled).toBe(false);
    expect(root.querySelector('lightning-button.start-return')).not.toBeNull();
    await expect(element).toBeAccessible();
  });

  it('should warn when less than a day is left and refuse accepting after the deadline', async () => {
    const soon = await render(handoff({ acceptBy: new Date(NOW + 5 * HOUR + 30 * 60 * 1000).toISOString() }));
    expect(soon.shadowRoot.querySelector('.clock').textContent).toBe('5 h 30 min left to accept');
    expect(soon.shadowRoot.querySelector('.clock').className).toContain('clock_soon');
    document.body.removeChild(soon);

    const late = await render(handoff({ acceptBy: new Date(NOW - 3 * HOUR).toISOString() }));
    expect(late.shadowRoot.querySelector('.clock').textContent).toBe('Overdue by 3 h 0 min');
    expect(late.shadowRoot.querySelector('.clock').className).toContain('slds-text-color_error');
    expect(late.shadowRoot.querySelector('lightning-button.accept').disabled).toBe(true);
    await expect(late).toBeAccessible();
  });

  it('should accept, toast, refresh the record and show the accepted state', async () => {
    accept.mockResolvedValue(
      handoff({ funnelStage: 'SAL', waiting: false, acceptedDate: new Date(NOW).toISOString() })
    );
    const element = await render(handoff());
    const toast = jest.fn();
    element.addEventListener(ShowToastEventName, toast);

    await click(element, 'lightning-button.accept');

    expect(accept).toHaveBeenCalledWith({ leadId: LEAD_ID });
    expect(toast.mock.calls[0][0].detail).toEqual({ title: 'c.LF_Sal_Accepted_Toast', variant: 'success' });
    expect(notifyRecordUpdateAvailable).toHaveBeenCalledWith([{ recordId: LEAD_ID }]);
    expect(element.shadowRoot.querySelector('.state-message').textContent).toBe('c.LF_Sal_Accepted');
    expect(element.shadowRoot.querySelector('lightning-button.accept')).toBeNull();
    await expect(element).toBeAccessible();
  });

  it('should return to nurture with the chosen reason and comment', async () => {
    returnToNurture.mockResolvedValue(
      handoff({ funnelStage: 'Recycled', waiting: false, recycleReason: 'Bad Timing' })
    );
    const element = await render(handoff());
    await chooseReason(element, 'Bad Timing');
    expect(element.shadowRoot.querySelector('lightning-combobox.reason').options).toEqual(REASONS);
    expect(element.shadowRoot.querySelector('lightning-textarea.comment').required).toBe(false);
    await expect(element).toBeAccessible();
    const textarea = element.shadowRoot.querySelector('lightning-textarea.comment');
    textarea.dispatchEvent(new CustomEvent('change', { detail: { value: 'budget opens in Q3' } }));

    await click(element, 'lightning-button.confirm-return');

    expect(returnToNurture).toHaveBeenCalledWith({
      leadId: LEAD_ID,
      reasonCode: 'Bad Timing',
      comment: 'budget opens in Q3'
    });
    expect(element.shadowRoot.querySelector('.state-message').textContent).toBe('c.LF_Sal_Returned');
    expect(element.shadowRoot.querySelector('.return-form')).toBeNull();
  });

  it('should not send Other without a comment and say why on the comment field', async () => {
    const element = await render(handoff());
    await chooseReason(element, 'Other');
    const textarea = element.shadowRoot.querySelector('lightning-textarea.comment');
    const setCustomValidity = jest.spyOn(textarea, 'setCustomValidity');
    const reportValidity = jest.spyOn(textarea, 'reportValidity');
    expect(textarea.required).toBe(true);
    textarea.dispatchEvent(new CustomEvent('change', { detail: { value: '   ' } }));

    await click(element, 'lightning-button.confirm-return');

    expect(returnToNurture).not.toHaveBeenCalled();
    expect(setCustomValidity).toHaveBeenLastCalledWith('c.LF_Sal_Comment_Required');
    expect(reportValidity).toHaveBeenCalled();

    textarea.dispatchEvent(new CustomEvent('change', { detail: { value: 'moved to a partner' } }));
    returnToNurture.mockResolvedValue(
      handoff({ funnelStage: 'Recycled', waiting: false, recycleReason: 'Other' })
    );
    await click(element, 'lightning-button.confirm-return');
    expect(setCustomValidity).toHaveBeenLastCalledWith('');
    expect(returnToNurture).toHaveBeenCalledWith({
      leadId: LEAD_ID,
      reasonCode: 'Other',
      comment: 'moved to a partner'
    });
  });

  it('should move the focus into the return form and back to its button on cancel', async () => {
    const element = await render(handoff());
    const focused = [];
    const spyFocus = (proto) =>
      jest.spyOn(proto, 'focus').mockImplementation(function track() {
        focused.push(this.className);
      });
    spyFocus(HTMLElement.prototype);

    await click(element, 'lightning-button.start-return');
    expect(focused.pop()).toContain('reason');

    await click(element, 'lightning-button.cancel-return');
    expect(focused.pop()).toContain('start-return');
  });

  it('should keep the confirm button disabled until a reason is chosen and cancel back to the actions', async () => {
    const element = await render(handoff());
    await click(element, 'lightning-button.start-return');
    expect(element.shadowRoot.querySelector('lightning-button.confirm-return').disabled).toBe(true);

    await click(element, 'lightning-button.cancel-return');

    expect(element.shadowRoot.querySelector('.return-form')).toBeNull();
    expect(element.shadowRoot.querySelector('lightning-button.accept')).not.toBeNull();
  });

  it('should show the server refusal and keep the form', async () => {
    returnToNurture.mockRejectedValue({ body: { message: 'This lead was already accepted by sales.' } });
    const element = await render(handoff());
    await chooseReason(element, 'No Budget');

    await click(element, 'lightning-button.confirm-return');

    const panel = element.shadowRoot.querySelector('c-error-panel');
    expect(panel).not.toBeNull();
    expect(panel.errors).toEqual({ body: { message: 'This lead was already accepted by sales.' } });
    expect(element.shadowRoot.querySelector('.return-form')).not.toBeNull();
    await expect(element).toBeAccessible();
  });

  it('should tell another user that the lead waits for its owner, without actions', async () => {
    const element = await render(handoff({ mine: false }));

    expect(element.shadowRoot.querySelector('.not-yours').textContent).toBe('c.LF_Sal_Not_Yours');
    expect(element.shadowRoot.querySelector('lightning-button.accept')).toBeNull();
    expect(element.shadowRoot.querySelector('.clock')).not.toBeNull();
    await expect(element).toBeAccessible();
  });

  it('should show a load failure', async () => {
    getHandoff.mockRejectedValue({
      body: { message: 'The lead was not found or you do not have access to it.' }
    });
    const element = createElement('c-sal-handoff', { is: SalHandoff });
    element.recordId = LEAD_ID;
    document.body.appendChild(element);
    await flushPromises();

    expect(element.shadowRoot.querySelector('c-error-panel')).not.toBeNull();
    expect(element.shadowRoot.querySelector('.clock')).toBeNull();
    await expect(element).toBeAccessible();
  });
});
