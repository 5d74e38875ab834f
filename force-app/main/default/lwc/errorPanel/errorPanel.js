import { LightningElement, api } from 'lwc';
import { reduceErrors } from 'c/ldsUtils';
import ERROR_TITLE from '@salesforce/label/c.LF_Error_Title';
import SHOW_DETAILS from '@salesforce/label/c.LF_Show_Details';
import HIDE_DETAILS from '@salesforce/label/c.LF_Hide_Details';

/**
 * The one place errors are shown: a friendly message plus the reduced error messages.
 * Server messages written for users (AuraHandledException) are shown directly; set show-details
 * to false to fold them behind a button.
 */
export default class ErrorPanel extends LightningElement {
  /** Message shown above the details; defaults to a generic title. */
  @api friendlyMessage = ERROR_TITLE;
  /** Whether the error messages are visible without clicking. */
  @api showDetails = false;
  @api errors;

  detailsToggled = false;

  get errorMessages() {
    return reduceErrors(this.errors);
  }

  get hasMessages() {
    return this.errorMessages.length > 0;
  }

  get detailsVisible() {
    return this.showDetails || this.detailsToggled;
  }

  get toggleLabel() {
    return this.detailsToggled ? HIDE_DETAILS : SHOW_DETAILS;
  }

  get showToggle() {
    return !this.showDetails && this.hasMessages;
  }

  handleToggle() {
    this.detailsToggled = !this.detailsToggled;
  }
}
