import { LightningElement, api, wire } from 'lwc';
import { refreshApex } from '@salesforce/apex';
import { getRecord, getFieldValue } from 'lightning/uiRecordApi';
import getStageChanges from '@salesforce/apex/StageTimelineController.getStageChanges';
import LEAD_FUNNEL_STAGE_FIELD from '@salesforce/schema/Lead.Funnel_Stage__c';
import OPPORTUNITY_STAGE_FIELD from '@salesforce/schema/Opportunity.StageName';
import CONTACT_MODIFIED_FIELD from '@salesforce/schema/Contact.LastModifiedDate';
import { formatLabel } from 'c/ldsUtils';
import TITLE from '@salesforce/label/c.LF_Stage_Timeline_Title';
import NO_STAGE_CHANGES from '@salesforce/label/c.LF_No_Stage_Changes';
import CURRENT_STAGE from '@salesforce/label/c.LF_Current_Stage';
import ENTERED from '@salesforce/label/c.LF_Entered';
import TIME_IN_STAGE from '@salesforce/label/c.LF_Time_In_Stage';
import DURATION_HOURS from '@salesforce/label/c.LF_Duration_Hours';
import DURATION_DAYS from '@salesforce/label/c.LF_Duration_Days';
import DURATION_SO_FAR from '@salesforce/label/c.LF_Duration_So_Far';
import FROM_STAGE from '@salesforce/label/c.LF_From_Stage';
import LOADING from '@salesforce/label/c.LF_Loading';

const HOURS_PER_DAY = 24;
/** The field whose change means a new stage row: the timeline is re-read (its Apex answer is cached) then. */
const STAGE_FIELDS = {
  Lead: LEAD_FUNNEL_STAGE_FIELD,
  Opportunity: OPPORTUNITY_STAGE_FIELD,
  Contact: CONTACT_MODIFIED_FIELD
};
const MILLIS_PER_HOUR = 3600000;
/** How often the open stage's "so far" duration is recomputed. */
export const REFRESH_INTERVAL_MS = 60000;

/** "5.5 h" under a day, else "2 d 3 h" (hours rounded to whole hours). */
export function formatDuration(hours) {
  if (hours === null || hours === undefined) {
    return '';
  }
  if (hours < HOURS_PER_DAY) {
    return formatLabel(DURATION_HOURS, Math.round(hours * 10) / 10);
  }
  const days = Math.floor(hours / HOURS_PER_DAY);
  return formatLabel(DURATION_DAYS, days, Math.round(hours - days * HOURS_PER_DAY));
}

/** Hours from enteredAt to nowMillis, or null without an entry date. */
export function hoursSince(enteredAt, nowMillis) {
  const entered = enteredAt ? new Date(enteredAt).getTime() : NaN;
  return Number.isNaN(entered) ? null : Math.max(0, nowMillis - entered) / MILLIS_PER_HOUR;
}

/**
 * Timeline of Funnel_Stage_Change__c rows for a Lead, Contact or Opportunity, newest first, with the time
 * spent in each. The server's answer is cached by Lightning Data Service, so the open stage's duration is not
 * taken from it: it is computed here from its entry time and recomputed every minute.
 */
export default class StageTimeline extends LightningElement {
  @api recordId;
  /** Set by the record page. */
  @api objectApiName;

  labels = { TITLE, NO_STAGE_CHANGES, CURRENT_STAGE, ENTERED, TIME_IN_STAGE, LOADING };

  /** Current time in ms; reassigned by the timer so the durations re-render. */
  now = Date.now();
  timer;

  @wire(getStageChanges, { recordId: '$recordId' })
  stageChanges;

  /** The stage field's value when the timeline was last read (undefined until the record first loads). */
  lastStage;

  get stageFields() {
    const field = STAGE_FIELDS[this.objectApiName];
    return field ? [field] : undefined;
  }

  // optionalFields: a user who cannot read the stage field still gets the timeline, only without auto-refresh.
  @wire(getRecord, { recordId: '$recordId', optionalFields: '$stageFields' })
  wiredRecord({ data }) {
    if (!data) {
      return;
    }
    const stage = getFieldValue(data, STAGE_FIELDS[this.objectApiName]) ?? null;
    if (this.lastStage !== undefined && stage !== this.lastStage && this.stageChanges) {
      refreshApex(this.stageChanges);
    }
    this.lastStage = stage;
  }

  connectedCallback() {
    // A clock, not a workaround for rendering: the open stage's duration grows while the page stays open.
    // eslint-disable-next-line @lwc/lwc/no-async-operation
    this.timer = setInterval(() => {
      this.now = Date.now();
    }, REFRESH_INTERVAL_MS);
  }

  disconnectedCallback() {
    clearInterval(this.timer);
  }

  get isLoading() {
    return !this.stageChanges || (!this.stageChanges.data && !this.stageChanges.error);
  }

  get error() {
    return this.stageChanges ? this.stageChanges.error : undefined;
  }

  get hasChanges() {
    return !!this.stageChanges && !!this.stageChanges.data && this.stageChanges.data.length > 0;
  }

  get isEmpty() {
    return !!this.stageChanges && !!this.stageChanges.data && this.stageChanges.data.length === 0;
  }

  get changes() {
    const newestFirst = [...this.stageChanges.data].sort((a, b) => {
      const left = a.enteredAt ? new Date(a.enteredAt).getTime() : -Infinity;
      const right = b.enteredAt ? new Date(b.enteredAt).getTime() : -Infinity;
      return right - left;
    });
    return newestFirst.map((change) => {
      const isCurrent = change.isCurrent === true || (!change.exitedAt && change.isCurrent !== false);
      const duration = isCurrent
        ? formatLabel(DURATION_SO_FAR, formatDuration(hoursSince(change.enteredAt, this.now)))
        : formatDuration(change.durationHours);
      return {
        ...change,
        isCurrent,
        duration,
        fromText: change.fromStage ? formatLabel(FROM_STAGE, change.fromStage) : '',
        iconName: isCurrent ? 'standard:sales_path' : 'standard:stage',
        iconText: isCurrent ? CURRENT_STAGE : change.toStage,
        itemClass: isCurrent ? 'stage stage_current' : 'stage',
        timelineItemClass: isCurrent
          ? 'slds-timeline__item_expandable slds-timeline__item_event'
          : 'slds-timeline__item_expandable slds-timeline__item_task'
      };
    });
  }
}
