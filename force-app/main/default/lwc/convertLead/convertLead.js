import { LightningElement, api } from 'lwc';
import { NavigationMixin } from 'lightning/navigation';
import { ShowToastEvent } from 'lightning/platformShowToastEvent';
import { CloseActionScreenEvent } from 'lightning/actions';
import getConvertPreview from '@salesforce/apex/LeadConvertController.getConvertPreview';
import convertLead from '@salesforce/apex/LeadConvertController.convertLead';
import { formatLabel } from 'c/ldsUtils';
import TITLE from '@salesforce/label/c.LF_Convert_Title';
import LEAD_TITLE from '@salesforce/label/c.LF_Convert_Lead_Title';
import NOT_READY_TITLE from '@salesforce/label/c.LF_Convert_Not_Ready_Title';
import ALREADY_CONVERTED_TITLE from '@salesforce/label/c.LF_Convert_Already_Converted_Title';
import ALREADY_CONVERTED_MESSAGE from '@salesforce/label/c.LF_Already_Converted_Message';
import OPEN_CONVERTED_RECORD from '@salesforce/label/c.LF_Open_Converted_Record';
import ACCOUNT_HEADING from '@salesforce/label/c.LF_Account_Heading';
import ACCOUNT_CHOICE from '@salesforce/label/c.LF_Account_Choice';
import NEW_ACCOUNT from '@salesforce/label/c.LF_New_Account';
import MATCHED_BY_DOMAIN from '@salesforce/label/c.LF_Matched_By_Domain';
import MATCHED_BY_NAME from '@salesforce/label/c.LF_Matched_By_Name';
import CONTACT_HEADING from '@salesforce/label/c.LF_Contact_Heading';
import CONTACT_REUSED from '@salesforce/label/c.LF_Contact_Reused';
import CONTACT_DUPLICATE_RISK from '@salesforce/label/c.LF_Contact_Duplicate_Risk';
import NEW_CONTACT from '@salesforce/label/c.LF_New_Contact';
import OPPORTUNITY_HEADING from '@salesforce/label/c.LF_Opportunity_Heading';
import CREATE_OPPORTUNITY from '@salesforce/label/c.LF_Create_Opportunity';
import OPPORTUNITY_NAME from '@salesforce/label/c.LF_Opportunity_Name';
import OPPORTUNITY_STAGE from '@salesforce/label/c.LF_Opportunity_Stage';
import OPPORTUNITY_AMOUNT from '@salesforce/label/c.LF_Opportunity_Amount';
import OPPORTUNITY_CLOSE_DATE from '@salesforce/label/c.LF_Opportunity_Close_Date';
import NOT_READY_INTRO from '@salesforce/label/c.LF_Not_Ready_Intro';
import NOT_READY_NEXT_STEP from '@salesforce/label/c.LF_Not_Ready_Next_Step';
import DUPLICATE_TITLE from '@salesforce/label/c.LF_Duplicate_Title';
import DUPLICATE_RECORDS from '@salesforce/label/c.LF_Duplicate_Records';
import DUPLICATE_NEXT_STEP from '@salesforce/label/c.LF_Duplicate_Next_Step';
import SEVERITY_ERROR from '@salesforce/label/c.LF_Severity_Error';
import SEVERITY_WARNING from '@salesforce/label/c.LF_Severity_Warning';
import CANCEL from '@salesforce/label/c.LF_Cancel';
import CONVERT from '@salesforce/label/c.LF_Convert';
import CONVERTING from '@salesforce/label/c.LF_Converting';
import CONVERTED_TITLE from '@salesforce/label/c.LF_Converted_Title';
import CONVERTED_MESSAGE from '@salesforce/label/c.LF_Converted_Message';
import LOADING from '@salesforce/label/c.LF_Loading';
import REASONS_HEADING from '@salesforce/label/c.LF_Convert_Reasons_Heading';
import REASONS_FIX from '@salesforce/label/c.LF_Convert_Reasons_Fix';
import REASONS_BLOCKED from '@salesforce/label/c.LF_Convert_Reasons_Blocked';

/** Radio value meaning "create a new account" (account ids are never empty). */
const NEW_ACCOUNT_VALUE = 'new';

/** ConvertPreviewReasons codes and targets the dialog treats specially. */
const AMBIGUOUS_ACCOUNT = 'AMBIGUOUS_ACCOUNT';
const TARGET_ACCOUNT = 'Account';
const TARGET_CONTACT = 'Contact';
const TARGET_OPPORTUNITY = 'Opportunity';

/**
 * Whether a preview reason applies to the rep's current choices, the rule of ConvertPreviewReasons.applicable()
 * on the server: Account reasons when a new account is created (an ambiguous match until one of the tied
 * accounts is chosen), Contact reasons when a new contact is created, Opportunity reasons with an opportunity,
 * Lead reasons always. Before an account is chosen only the ambiguity applies to the account.
 */
function reasonApplies(reason, { selectedAccount, reusesContact, createOpportunity }) {
  if (reason.code === AMBIGUOUS_ACCOUNT) {
    return !(reason.accountIds || []).includes(selectedAccount);
  }
  switch (reason.target) {
    case TARGET_ACCOUNT:
      return selectedAccount === NEW_ACCOUNT_VALUE;
    case TARGET_CONTACT:
      return !reusesContact;
    case TARGET_OPPORTUNITY:
      return createOpportunity;
    default:
      return true;
  }
}

/**
 * Screen quick action on Lead: previews the conversion (matched account and contact, proposed
 * opportunity), lets the rep pick the account and whether to create an opportunity, converts on the
 * server (which re-checks qualification) and opens the new opportunity.
 */
export default class ConvertLead extends NavigationMixin(LightningElement) {
  labels = {
    ALREADY_CONVERTED_MESSAGE,
    ACCOUNT_HEADING,
    ACCOUNT_CHOICE,
    CONTACT_HEADING,
    OPPORTUNITY_HEADING,
    CREATE_OPPORTUNITY,
    OPPORTUNITY_NAME,
    OPPORTUNITY_STAGE,
    OPPORTUNITY_AMOUNT,
    OPPORTUNITY_CLOSE_DATE,
    NOT_READY_INTRO,
    NOT_READY_NEXT_STEP,
    DUPLICATE_TITLE,
    DUPLICATE_RECORDS,
    DUPLICATE_NEXT_STEP,
    SEVERITY_ERROR,
    SEVERITY_WARNING,
    CANCEL,
    CONVERT,
    CONVERTING,
    LOADING,
    REASONS_HEADING,
    REASONS_FIX,
    REASONS_BLOCKED
  };

  preview;
  loadError;
  /** An unexpected failure of the last conversion attempt (shown in the error panel). */
  convertError;
  /** A refused conversion because records like the new ones exist: { message, records }. */
  duplicate;
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
      this.selectedAccount = this.defaultAccount();
    } catch (error) {
      this.loadError = error;
      this.preview = undefined;
    } finally {
      this.isLoading = false;
    }
  }

  /**
   * The existing contact's own account when it matched (so the contact is reused), else the best match. None when
   * the match is ambiguous: the rep chooses among the tied accounts (Convert stays off until then).
   */
  defaultAccount() {
    if ((this.preview.reasons || []).some((reason) => reason.code === AMBIGUOUS_ACCOUNT)) {
      return null;
    }
    const accounts = this.preview.accounts || [];
    const contactAccount = accounts.find((account) => account.id === this.preview.contactAccountId);
    if (contactAccount) {
      return contactAccount.id;
    }
    return accounts.length > 0 ? accounts[0].id : NEW_ACCOUNT_VALUE;
  }

  get title() {
    if (this.isAlreadyConverted) {
      return ALREADY_CONVERTED_TITLE;
    }
    if (this.isNotReady) {
      return NOT_READY_TITLE;
    }
    return this.isConvertible ? TITLE : LEAD_TITLE;
  }

  get isAlreadyConverted() {
    return !!this.preview && this.preview.alreadyConverted === true;
  }

  get isNotReady() {
    return !!this.preview && !this.isAlreadyConverted && !this.preview.convertible;
  }

  get isConvertible() {
    return !!this.preview && !this.isAlreadyConverted && this.preview.convertible === true;
  }

  get convertedRecords() {
    const records = [];
    if (this.preview.convertedOpportunityId) {
      records.push({
        id: this.preview.convertedOpportunityId,
        label: formatLabel(OPEN_CONVERTED_RECORD, this.preview.convertedOpportunityName)
      });
    }
    if (this.preview.convertedAccountId) {
      records.push({
        id: this.preview.convertedAccountId,
        label: formatLabel(OPEN_CONVERTED_RECORD, this.preview.convertedAccountName)
      });
    }
    return records;
  }

  /** Each missing required criterion with its plain-words reason (older servers send labels only). */
  get missingDetails() {
    if (Array.isArray(this.preview.missingDetails) && this.preview.missingDetails.length > 0) {
      return this.preview.missingDetails;
    }
    return (this.preview.missingCriteria || []).map((label) => ({ label, reason: null }));
  }

  /** The preview's reasons that apply to the current choices, with the icon of their severity. */
  get reasons() {
    if (!this.preview || this.isAlreadyConverted) {
      return [];
    }
    const choices = {
      selectedAccount: this.selectedAccount,
      reusesContact: this.isContactReused,
      createOpportunity: this.createOpportunity
    };
    // Keys from the position in the server's list, so a reason keeps its row while others come and go.
    return (this.preview.reasons || [])
      .map((reason, index) => ({ ...reason, key: `${index}-${reason.code}-${reason.field}` }))
      .filter((reason) => reasonApplies(reason, choices))
      .map((reason) => ({
        ...reason,
        iconName: reason.blocking ? 'utility:error' : 'utility:warning',
        iconVariant: reason.blocking ? 'error' : 'warning',
        severity: reason.blocking ? SEVERITY_ERROR : SEVERITY_WARNING
      }));
  }

  get hasReasons() {
    return this.reasons.length > 0;
  }

  get isBlocked() {
    return this.reasons.some((reason) => reason.blocking);
  }

  /** Off while converting, while a blocking reason applies, and until an account choice is made. */
  get isConvertDisabled() {
    return this.isConverting || this.isBlocked || !this.selectedAccount;
  }

  get accountOptions() {
    const options = this.preview.accounts.map((account) => ({
      label: formatLabel(account.matchedBy === 'domain' ? MATCHED_BY_DOMAIN : MATCHED_BY_NAME, account.name),
      value: account.id
    }));
    options.push({ label: formatLabel(NEW_ACCOUNT, this.preview.company), value: NEW_ACCOUNT_VALUE });
    return options;
  }

  /**
   * The server reuses the existing contact only when the lead goes into that contact's own account; any
   * other choice creates a second contact with the same email, so say so instead of naming the contact.
   */
  get isContactReused() {
    return (
      !!this.preview.contactId &&
      !!this.selectedAccount &&
      this.selectedAccount === this.preview.contactAccountId
    );
  }

  get isContactDuplicateRisk() {
    return !!this.preview.contactId && !this.isContactReused;
  }

  get contactText() {
    if (this.isContactReused) {
      return formatLabel(CONTACT_REUSED, this.preview.contactName, this.preview.contactAccountName);
    }
    if (this.isContactDuplicateRisk) {
      return formatLabel(CONTACT_DUPLICATE_RISK, this.preview.contactName, this.preview.contactAccountName);
    }
    return NEW_CONTACT;
  }

  get contactClass() {
    return this.isContactDuplicateRisk ? 'contact-text contact-text_duplicate-risk' : 'contact-text';
  }

  /** A changed choice makes the last failure stale: clear it so the rep is not misled. */
  clearConvertProblems() {
    this.convertError = undefined;
    this.duplicate = undefined;
  }

  handleAccountChange(event) {
    this.selectedAccount = event.detail.value;
    this.clearConvertProblems();
  }

  handleOpportunityToggle(event) {
    this.createOpportunity = event.target.checked;
    this.clearConvertProblems();
  }

  handleCancel() {
    this.dispatchEvent(new CloseActionScreenEvent());
  }

  handleOpenRecord(event) {
    this.dispatchEvent(new CloseActionScreenEvent());
    this[NavigationMixin.Navigate]({
      type: 'standard__recordPage',
      attributes: { recordId: event.target.dataset.id, actionName: 'view' }
    });
  }

  async handleConvert() {
    // The button is off then; a second guard keeps a stray click (or a double one) from calling the server.
    if (this.isConvertDisabled) {
      return;
    }
    this.isConverting = true;
    this.clearConvertProblems();
    try {
      const result = await convertLead({
        leadId: this._recordId,
        accountId: this.selectedAccount === NEW_ACCOUNT_VALUE ? null : this.selectedAccount,
        createOpportunity: this.createOpportunity
      });
      if (result && result.success === false) {
        this.duplicate = {
          message: result.message,
          records: (result.duplicates || []).map((record) => ({
            ...record,
            description: [record.objectType, record.detail].filter((part) => !!part).join(', ')
          }))
        };
        return;
      }
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
      // Inline, at the top: the rep fixes the cause and tries again without losing choices.
      this.convertError = error;
    } finally {
      this.isConverting = false;
    }
  }
}
