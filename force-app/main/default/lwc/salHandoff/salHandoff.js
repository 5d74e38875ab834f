import { LightningElement, api, wire } from 'lwc';
import { ShowToastEvent } from 'lightning/platformShowToastEvent';
import { notifyRecordUpdateAvailable } from 'lightning/uiRecordApi';
import getHandoff from '@salesforce/apex/SalHandoffController.getHandoff';
import returnReasons from '@salesforce/apex/SalHandoffController.returnReasons';
import accept from '@salesforce/apex/SalHandoffController.accept';
import returnToNurture from '@salesforce/apex/SalHandoffController.returnToNurture';
import TITLE from '@salesforce/label/c.LF_Sal_Handoff_Title';
import ACCEPT_BY from '@salesforce/label/c.LF_Sal_Accept_By';
import ACCEPT from '@salesforce/label/c.LF_Sal_Accept';
import RETURN_TO_NURTURE from '@salesforce/label/c.LF_Sal_Return';
import REASON from '@salesforce/label/c.LF_Sal_Reason';
import REASON_PLACEHOLDER from '@salesforce/label/c.LF_Sal_Reason_Placeholder';
import COMMENT from '@salesforce/label/c.LF_Sal_Comment';
import COMMENT_REQUIRED from '@salesforce/label/c.LF_Sal_Comment_Required';
import CONFIRM_RETURN from '@salesforce/label/c.LF_Sal_Confirm_Return';
import CANCEL from '@salesforce/label/c.LF_Sal_Cancel';
import ACCEPTED from '@salesforce/label/c.LF_Sal_Accepted';
import RETURNED from '@salesforce/label/c.LF_Sal_Returned';
import NOT_WAITING from '@salesforce/label/c.LF_Sal_Not_Waiting';
import NOT_YOURS from '@salesforce/label/c.LF_Sal_Not_Yours';
import ACCEPTED_TOAST from '@salesforce/label/c.LF_Sal_Accepted_Toast';
import RETURNED_TOAST from '@salesforce/label/c.LF_Sal_Returned_Toast';
import LOADING from '@salesforce/label/c.LF_Loading';
import { clockAt, TICK_MS } from 'c/salClock';
import { formatLabel } from 'c/ldsUtils';

/** The reason that needs a comment, as SalHandoffController.REASON_OTHER. */
const REASON_OTHER = 'Other';

/** SLDS has no warning text colour: clock_soon (salHandoff.css) is a dark orange that keeps 4.5:1 on white. */
const URGENCY_CLASSES = {
  ok: 'clock slds-text-heading_medium',
  soon: 'clock slds-text-heading_medium clock_soon',
  overdue: 'clock slds-text-heading_medium slds-text-color_error'
};

/**
 * The sales hand-off on a Lead record page: the time left on the acceptance clock and, for the lead's owner,
 * Accept or Return to nurture with a reason (a comment is required for Other). The server decides
 * (SalHandoffController); the checks here only spare the rep a round trip.
 */
export default class SalHandoff extends LightningElement {
  @api recordId;

  labels = {
    TITLE,
    ACCEPT_BY,
    ACCEPT,
    RETURN_TO_NURTURE,
    REASON,
    REASON_PLACEHOLDER,
    COMMENT,
    CONFIRM_RETURN,
    CANCEL,
    NOT_YOURS,
    LOADING
  };

  handoff;
  error;
  isLoading = false;
  isSaving = false;
  isReturning = false;
  reason = '';
  comment = '';
  reasonOptions = [];
  now = Date.now();
  timer;

  @wire(returnReasons)
  wiredReasons({ data, error }) {
    if (data) {
      this.reasonOptions = data.map((option) => ({ label: option.label, value: option.value }));
    } else if (error) {
      this.error = error;
    }
  }

  connectedCallback() {
    this.load();
    // The clock counts down while the page is open; minutes are the finest unit shown.
    // eslint-disable-next-line @lwc/lwc/no-async-operation
    this.timer = setInterval(() => {
      this.now = Date.now();
    }, TICK_MS);
  }

  disconnectedCallback() {
    clearInterval(this.timer);
  }

  async load() {
    this.isLoading = true;
    try {
      this.handoff = await getHandoff({ leadId: this.recordId });
      this.error = undefined;
    } catch (error) {
      this.error = error;
    } finally {
      this.isLoading = false;
    }
  }

  get hasHandoff() {
    return !!this.handoff;
  }

  get canAct() {
    return this.hasHandoff && this.handoff.waiting && this.handoff.mine;
  }

  get waitingForSomeoneElse() {
    return this.hasHandoff && this.handoff.waiting && !this.handoff.mine;
  }

  get clock() {
    return this.hasHandoff && this.handoff.waiting ? clockAt(this.handoff.acceptBy, this.now) : null;
  }

  get clockText() {
    return this.clock ? this.clock.text : '';
  }

  get clockClass() {
    return this.clock ? URGENCY_CLASSES[this.clock.urgency] : URGENCY_CLASSES.ok;
  }

  /** Accepting after the deadline is refused by the server; the button says so before the click. */
  get acceptDisabled() {
    return this.isSaving || (!!this.clock && this.clock.overdue);
  }

  get stateMessage() {
    if (!this.hasHandoff || this.handoff.waiting) {
      return null;
    }
    if (this.handoff.funnelStage === 'SAL' || this.handoff.funnelStage === 'SQL') {
      return ACCEPTED;
    }
    if (this.handoff.funnelStage === 'Recycled') {
      return formatLabel(RETURNED, this.handoff.recycleReason);
    }
    return NOT_WAITING;
  }

  get commentRequired() {
    return this.reason === REASON_OTHER;
  }

  get confirmDisabled() {
    return this.isSaving || !this.reason;
  }

  /** The control that gets the focus once the template shows it (the button clicked has just been removed). */
  focusAfterRender;

  renderedCallback() {
    if (!this.focusAfterRender) {
      return;
    }
    const target = this.template.querySelector(this.focusAfterRender);
    this.focusAfterRender = undefined;
    if (target) {
      target.focus();
    }
  }

  handleStartReturn() {
    this.isReturning = true;
    // Keyboard and screen reader users land on the first field of the form, not at the top of the page.
    this.focusAfterRender = 'lightning-combobox.reason';
  }

  handleCancelReturn() {
    this.resetReturnForm();
    this.focusAfterRender = 'lightning-button.start-return';
  }

  resetReturnForm() {
    this.isReturning = false;
    this.reason = '';
    this.comment = '';
  }

  handleReasonChange(event) {
    this.reason = event.detail.value;
    this.validateComment(false);
  }

  handleCommentChange(event) {
    this.comment = event.detail.value;
    this.validateComment(false);
  }

  /** Other needs a comment; the message is on the textarea, so a screen reader reads it with the field. */
  validateComment(report) {
    const textarea = this.template.querySelector('lightning-textarea.comment');
    const missing = this.commentRequired && !(this.comment || '').trim();
    if (textarea) {
      textarea.setCustomValidity(missing ? COMMENT_REQUIRED : '');
      if (report) {
        textarea.reportValidity();
      }
    }
    return !missing;
  }

  async handleAccept() {
    await this.save(() => accept({ leadId: this.recordId }), ACCEPTED_TOAST);
  }

  async handleConfirmReturn() {
    if (!this.validateComment(true)) {
      return;
    }
    const saved = await this.save(
      () => returnToNurture({ leadId: this.recordId, reasonCode: this.reason, comment: this.comment }),
      RETURNED_TOAST
    );
    if (saved) {
      this.resetReturnForm();
    }
  }

  async save(action, successMessage) {
    this.isSaving = true;
    try {
      this.handoff = await action();
      this.error = undefined;
      this.dispatchEvent(new ShowToastEvent({ title: successMessage, variant: 'success' }));
      // The record page shows Funnel Stage and the other fields just written: tell LDS to refresh them.
      await notifyRecordUpdateAvailable([{ recordId: this.recordId }]);
      return true;
    } catch (error) {
      this.error = error;
      return false;
    } finally {
      this.isSaving = false;
    }
  }
}
