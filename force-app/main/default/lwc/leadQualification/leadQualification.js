import { LightningElement, api, wire } from 'lwc';
import { getRecord, getFieldValue } from 'lightning/uiRecordApi';
import getQualification from '@salesforce/apex/QualificationController.getQualification';
import BUDGET_CONFIRMED_FIELD from '@salesforce/schema/Lead.Budget_Confirmed__c';
import BUDGET_AMOUNT_FIELD from '@salesforce/schema/Lead.Budget_Amount__c';
import AUTHORITY_LEVEL_FIELD from '@salesforce/schema/Lead.Authority_Level__c';
import NEED_IDENTIFIED_FIELD from '@salesforce/schema/Lead.Need_Identified__c';
import PURCHASE_TIMELINE_FIELD from '@salesforce/schema/Lead.Purchase_Timeline__c';
import EXPECTED_PURCHASE_DATE_FIELD from '@salesforce/schema/Lead.Expected_Purchase_Date__c';
import ENGAGEMENT_SCORE_FIELD from '@salesforce/schema/Lead.Engagement_Score__c';
import QUALIFICATION_STATUS_FIELD from '@salesforce/schema/Lead.Qualification_Status__c';
import INDUSTRY_FIELD from '@salesforce/schema/Lead.Industry';
import EMPLOYEES_FIELD from '@salesforce/schema/Lead.NumberOfEmployees';
import TITLE from '@salesforce/label/c.LF_Qualification_Title';
import FIT_SCORE from '@salesforce/label/c.LF_Fit_Score';
import ENGAGEMENT_SCORE from '@salesforce/label/c.LF_Engagement_Score';
import TOTAL_SCORE from '@salesforce/label/c.LF_Total_Score';
import GRADE from '@salesforce/label/c.LF_Grade';
import CRITERIA_HEADING from '@salesforce/label/c.LF_Criteria_Heading';
import CRITERION_MET from '@salesforce/label/c.LF_Criterion_Met';
import REQUIRED from '@salesforce/label/c.LF_Required';
import CAPTURE_NEXT from '@salesforce/label/c.LF_Capture_Next';
import READY_TO_CONVERT from '@salesforce/label/c.LF_Ready_To_Convert';
import NOT_READY_TO_CONVERT from '@salesforce/label/c.LF_Not_Ready_To_Convert';
import NO_CRITERIA from '@salesforce/label/c.LF_No_Criteria';
import LOADING from '@salesforce/label/c.LF_Loading';
import SCORE_OF from '@salesforce/label/c.LF_Score_Of';
import CRITERION_MISSING_REQUIRED from '@salesforce/label/c.LF_Criterion_Missing_Required';
import CRITERION_MISSING_OPTIONAL from '@salesforce/label/c.LF_Criterion_Missing_Optional';
import NO_CRITERIA_HINT from '@salesforce/label/c.LF_No_Criteria_Hint';
import { formatLabel } from 'c/ldsUtils';

/**
 * The fields the sales rep edits while qualifying. When any of them changes on the record page
 * (inline edit, another component, a sync), the wire delivers new data and the qualification is
 * evaluated again on the server. Criteria on other fields refresh on the next page load.
 */
const WATCHED_FIELDS = [
  BUDGET_CONFIRMED_FIELD,
  BUDGET_AMOUNT_FIELD,
  AUTHORITY_LEVEL_FIELD,
  NEED_IDENTIFIED_FIELD,
  PURCHASE_TIMELINE_FIELD,
  EXPECTED_PURCHASE_DATE_FIELD,
  ENGAGEMENT_SCORE_FIELD,
  QUALIFICATION_STATUS_FIELD,
  INDUSTRY_FIELD,
  EMPLOYEES_FIELD
];

/** Grade colours; Cold has its own (blue) so it does not look like the grey Required badges. */
const GRADE_CLASSES = {
  Hot: 'slds-theme_error',
  Warm: 'slds-theme_warning',
  Cold: 'grade-badge_cold'
};

/**
 * How a criterion looks: met (green tick), missing and blocking conversion (red error), missing but optional
 * (neutral info: it only lowers the score).
 */
const CRITERION_STATES = {
  met: {
    iconName: 'utility:success',
    iconVariant: 'success',
    statusText: CRITERION_MET,
    css: 'criterion_met'
  },
  blocking: {
    iconName: 'utility:error',
    iconVariant: 'error',
    statusText: CRITERION_MISSING_REQUIRED,
    css: 'criterion_missing criterion_blocking'
  },
  optional: {
    iconName: 'utility:info',
    iconVariant: undefined,
    statusText: CRITERION_MISSING_OPTIONAL,
    css: 'criterion_missing criterion_optional'
  }
};

export default class LeadQualification extends LightningElement {
  @api recordId;

  labels = {
    TITLE,
    FIT_SCORE,
    ENGAGEMENT_SCORE,
    TOTAL_SCORE,
    GRADE,
    CRITERIA_HEADING,
    REQUIRED,
    CAPTURE_NEXT,
    NO_CRITERIA,
    LOADING
  };

  qualification;
  error;
  isLoading = false;
  /** Values of the watched fields at the last evaluation, to skip re-evaluating unchanged data. */
  lastSignature;

  // optionalFields: a field the user cannot read is left out instead of failing the whole wire.
  @wire(getRecord, { recordId: '$recordId', optionalFields: WATCHED_FIELDS })
  wiredLead({ data, error }) {
    if (data) {
      const signature = JSON.stringify(WATCHED_FIELDS.map((field) => getFieldValue(data, field) ?? null));
      if (signature !== this.lastSignature) {
        this.lastSignature = signature;
        this.loadQualification();
      }
    } else if (error) {
      this.error = error;
    }
  }

  async loadQualification() {
    this.isLoading = true;
    try {
      this.qualification = await getQualification({ leadId: this.recordId });
      this.error = undefined;
    } catch (error) {
      this.error = error;
      this.qualification = undefined;
    } finally {
      this.isLoading = false;
    }
  }

  get hasQualification() {
    return !!this.qualification && !this.error;
  }

  get hasCriteria() {
    return this.hasQualification && this.qualification.criteria.length > 0;
  }

  get criteria() {
    return this.qualification.criteria.map((criterion) => {
      let state = CRITERION_STATES.met;
      if (!criterion.met) {
        state = criterion.required ? CRITERION_STATES.blocking : CRITERION_STATES.optional;
      }
      return {
        ...criterion,
        iconName: state.iconName,
        iconVariant: state.iconVariant,
        statusText: state.statusText,
        itemClass: `slds-item criterion ${state.css}`
      };
    });
  }

  /** Scores are 0..100: shown with their scale so "68" is not read as a count or a percentage of something. */
  get fitScoreText() {
    return formatLabel(SCORE_OF, this.qualification.fitScore);
  }

  get engagementScoreText() {
    return formatLabel(SCORE_OF, this.qualification.engagementScore);
  }

  get totalScoreText() {
    return formatLabel(SCORE_OF, this.qualification.totalScore);
  }

  get noCriteriaHint() {
    return [{ message: NO_CRITERIA_HINT }];
  }

  get hasCaptureNext() {
    return this.hasQualification && this.qualification.captureNext.length > 0;
  }

  get gradeClass() {
    return `grade-badge ${GRADE_CLASSES[this.qualification.grade] || ''}`;
  }

  get convertibleMessage() {
    return this.qualification.convertible ? READY_TO_CONVERT : NOT_READY_TO_CONVERT;
  }

  get convertibleClass() {
    return this.qualification.convertible
      ? 'convertible slds-text-color_success'
      : 'convertible slds-text-color_error';
  }
}
