import { LightningElement, api } from 'lwc';
import { reduceErrors } from 'c/ldsUtils';
import ERROR_TITLE from '@salesforce/label/c.LF_Error_Title';
import SHOW_DETAILS from '@salesforce/label/c.LF_Show_Details';
import HIDE_DETAILS from '@salesforce/label/c.LF_Hide_Details';
import SEVERITY_ERROR from '@salesforce/label/c.LF_Severity_Error';
import SEVERITY_WARNING from '@salesforce/label/c.LF_Severity_Warning';
import SEVERITY_INFO from '@salesforce/label/c.LF_Severity_Info';

/**
 * How each severity looks and is announced. Only real failures are red alerts; a state the rep can act on
 * (already converted, not ready yet) is a warning or information and is announced politely.
 */
const VARIANTS = {
  error: {
    theme: 'slds-theme_error',
    icon: 'utility:error',
    iconVariant: 'inverse',
    role: 'alert',
    severity: SEVERITY_ERROR
  },
  warning: {
    theme: 'slds-theme_warning',
    icon: 'utility:warning',
    iconVariant: undefined,
    role: 'status',
    severity: SEVERITY_WARNING
  },
  info: {
    theme: 'slds-scoped-notification_light',
    icon: 'utility:info',
    iconVariant: undefined,
    role: 'status',
    severity: SEVERITY_INFO
  }
};

/**
 * The one place errors are shown: a title plus the reduced error messages. Server messages written for users
 * (AuraHandledException) are shown directly; without show-details they fold behind a toggle.
 */
export default class ErrorPanel extends LightningElement {
  /** Title shown above the details; defaults to a generic one for errors. */
  @api friendlyMessage;
  /** Whether the error messages are visible without clicking. */
  @api showDetails = false;
  /** 'error' (default), 'warning' or 'info'. */
  @api variant = 'error';
  @api errors;

  detailsToggled = false;

  get config() {
    return VARIANTS[this.variant] || VARIANTS.error;
  }

  get containerClass() {
    return `slds-scoped-notification slds-media slds-media_center panel panel_${this.normalizedVariant} ${this.config.theme}`;
  }

  get normalizedVariant() {
    return VARIANTS[this.variant] ? this.variant : 'error';
  }

  get role() {
    return this.config.role;
  }

  get iconName() {
    return this.config.icon;
  }

  get iconVariant() {
    return this.config.iconVariant;
  }

  get severityText() {
    return this.config.severity;
  }

  get title() {
    if (this.friendlyMessage) {
      return this.friendlyMessage;
    }
    // Without a title, a single message is the title (no generic "Something went wrong" above it).
    const messages = this.errorMessages;
    return this.normalizedVariant !== 'error' && messages.length === 1 ? messages[0] : ERROR_TITLE;
  }

  get errorMessages() {
    return reduceErrors(this.errors);
  }

  get hasMessages() {
    return this.errorMessages.length > 0;
  }

  /** A single message already shown as the title is not repeated below it. */
  get titleIsTheMessage() {
    const messages = this.errorMessages;
    return messages.length === 1 && this.title === messages[0];
  }

  get detailsVisible() {
    return !this.titleIsTheMessage && (this.showDetails || this.detailsToggled);
  }

  get toggleLabel() {
    return this.detailsToggled ? HIDE_DETAILS : SHOW_DETAILS;
  }

  get ariaExpanded() {
    return this.detailsToggled ? 'true' : 'false';
  }

  get showToggle() {
    return !this.showDetails && this.hasMessages && !this.titleIsTheMessage;
  }

  handleToggle() {
    this.detailsToggled = !this.detailsToggled;
  }
}
