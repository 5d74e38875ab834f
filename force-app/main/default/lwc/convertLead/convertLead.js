import { LightningElement, api } from 'lwc';
import { NavigationMixin } from 'lightning/navigation';
import { ShowToastEvent } from 'lightning/platformShowToastEvent';
import { CloseActionScreenEvent } from 'lightning/actions';
import getConvertPreview from '@salesforce/apex/LeadConvertController.getConvertPreview';
import convertLead from '@salesforce/apex/LeadConvertController.convertLead';
import { formatLabel } from 'c/ldsUtils';
import TITLE from '@salesforce/label/c.LF_Convert_Title';
import ACCOUNT_HEADING from '@salesforce/label/c.LF_Account_Heading';
import ACCOUNT_CHOICE from '@salesforce/label/c.LF_Account_Choice';
import NEW_ACCOUNT from '@salesforce/label/c.LF_New_Account';
import MATCHED_BY_DOMAIN from '@salesforce/label/c.LF_Matched_By_Domain';
import MATCHED_BY_NAME from '@salesforce/label/c.LF_Matched_By_Name';
import CONTACT_HEADING from '@salesforce/label/c.LF_Contact_Heading';
import EXISTING_CONTACT from '@salesforce/label/c.LF_Existing_Contact';
import NEW_CONTACT from '@salesforce/label/c.LF_New_Contact';
import OPPORTUNITY_HEADING from '@salesforce/label/c.LF_Opportunity_Heading';
import CREATE_OPPORTUNITY from '@salesforce/label/c.LF_Create_Opportunity';
import OPPORTUNITY_NAME from '@salesforce/label/c.LF_Opportunity_Name';
import OPPORTUNITY_STAGE from '@salesforce/label/c.LF_Opportunity_Stage';
import OPPORTUNITY_AMOUNT from '@salesforce/label/c.LF_Opportunity_Amount';
import OPPORTUNITY_CLOSE_DATE from '@salesforce/label/c.LF_Opportunity_Close_Date';
import CANNOT_CONVERT from '@salesforce/label/c.LF_Cannot_Convert';
import CANCEL from '@salesforce/label/c.LF_Cancel';
import CONVERT from '@salesforce/label/c.LF_Convert';
import CONVERTED_TITLE from '@salesforce/label/c.LF_Converted_Title';
import CONVERTED_MESSAGE from '@salesforce/label/c.LF_Converted_Message';
import LOADING from '@salesforce/label/c.LF_Loading';

/** Radio value meaning "create a new account" (account ids are never empty). */
const NEW_ACCOUNT_VALUE = 'new';

/**
 * Screen quick action on Lead: previews the conversion (matched account and contact, proposed
 * opportunity), lets the rep pick the account and whether to create an opportunity, converts on the
 * server (which re-checks qualification) and opens the new opportunity.
 */
export default class ConvertLead extends NavigationMixin(LightningElement) {
  labels = {
    TITLE,
    ACCOUNT_HEADING,
    ACCOUNT_CHOICE,
    CONTACT_HEADING,
    OPPORTUNITY_HEADING,
    CREATE_OPPORTUNITY,
    OPPORTUNITY_NAME,
    OPPORTUNITY_STAGE,
    OPPORTUNITY_AMOUNT,
    OPPORTUNITY_CLOSE_DATE,
    CANCEL,
    CONVERT,
    LOADING
  };

  preview;
  loadError;
  convertError;
  isLoading = false;
  isConverting = false;
  selectedAccount = NEW_ACCOUNT_VALUE;
  createOpportunity = true;
  _recordId;

  // Quick actions set recordId after the component is created, so loading starts in the setter.
  @api
  get recordId() {
    return this._recordId;
  }
  set recordId(value) {
    const changed = value !== this._recordId;
    this._recordId = value;
    if (value && changed) {
      this.loadPreview();
    }
  }

  async loadPreview() {
    this.isLoading = true;
    try {
      this.preview = await getConvertPreview({ leadId: this._recordId });
      this.loadError = undefined;
      this.selectedAccount =
        this.preview.accounts.length > 0 ? this.preview.accounts[0].id : NEW_ACCOUNT_VALUE;
    } catch (error) {
      this.loadError = error;
      this.preview = undefined;
    } finally {
      this.isLoading = false;
    }
  }

  get hasPreview() {
    return !!this.preview;
  }

  get accountOptions() {
    const options = this.preview.accounts.map((account) => ({
      label: formatLabel(account.matchedBy === 'domain' ? MATCHED_BY_DOMAIN : MATCHED_BY_NAME, account.name),
      value: account.id
    }));
    options.push({ label: formatLabel(NEW_ACCOUNT, this.preview.company), value: NEW_ACCOUNT_VALUE });
    return options;
  }

  get contactText() {
    return this.preview.contactId ? formatLabel(EXISTING_CONTACT, this.preview.contactName) : NEW_CONTACT;
  }

  get cannotConvertMessage() {
    return formatLabel(CANNOT_CONVERT, this.preview.missingCriteria.join('; '));
  }

  get isConvertDisabled() {
    return !this.preview || !this.preview.convertible || this.isConverting;
  }

  handleAccountChange(event) {
    this.selectedAccount = event.detail.value;
  }

  handleOpportunityToggle(event) {
    this.createOpportunity = event.target.checked;
  }

  handleCancel() {
    this.dispatchEvent(new CloseActionScreenEvent());
  }

  async handleConvert() {
    this.isConverting = true;
    this.convertError = undefined;
    try {
      const result = await convertLead({
        leadId: this._recordId,
        accountId: this.selectedAccount === NEW_ACCOUNT_VALUE ? null : this.selectedAccount,
        createOpportunity: this.createOpportunity
      });
      this.dispatchEvent(
        new ShowToastEvent({
          title: CONVERTED_TITLE,
          message: formatLabel(CONVERTED_MESSAGE, this.preview.leadName),
          variant: 'success'
        })
      );
      this.dispatchEvent(new CloseActionScreenEvent());
      this[NavigationMixin.Navigate]({
        type: 'standard__recordPage',
        attributes: {
          recordId: result.opportunityId || result.accountId,
          actionName: 'view'
        }
      });
    } catch (error) {
      // Inline, next to the button: the rep fixes the cause and tries again without losing choices.
      this.convertError = error;
    } finally {
      this.isConverting = false;
    }
  }
}
