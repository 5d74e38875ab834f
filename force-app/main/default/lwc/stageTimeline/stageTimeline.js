import { LightningElement, api, wire } from 'lwc';
import getStageChanges from '@salesforce/apex/StageTimelineController.getStageChanges';
import { formatLabel } from 'c/ldsUtils';
import TITLE from '@salesforce/label/c.LF_Stage_Timeline_Title';
import NO_STAGE_CHANGES from '@salesforce/label/c.LF_No_Stage_Changes';
import CURRENT_STAGE from '@salesforce/label/c.LF_Current_Stage';
import ENTERED from '@salesforce/label/c.LF_Entered';
import TIME_IN_STAGE from '@salesforce/label/c.LF_Time_In_Stage';
import DURATION_HOURS from '@salesforce/label/c.LF_Duration_Hours';
import DURATION_DAYS from '@salesforce/label/c.LF_Duration_Days';
import FROM_STAGE from '@salesforce/label/c.LF_From_Stage';

const HOURS_PER_DAY = 24;

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

/** Timeline of Funnel_Stage_Change__c rows for a Lead, Contact or Opportunity, with time spent in each. */
export default class StageTimeline extends LightningElement {
  @api recordId;

  labels = { TITLE, NO_STAGE_CHANGES, CURRENT_STAGE, ENTERED, TIME_IN_STAGE };

  @wire(getStageChanges, { recordId: '$recordId' })
  stageChanges;

  get isLoaded() {
    return !!this.stageChanges && (!!this.stageChanges.data || !!this.stageChanges.error);
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
    return this.stageChanges.data.map((change) => ({
      ...change,
      duration: formatDuration(change.durationHours),
      fromText: change.fromStage ? formatLabel(FROM_STAGE, change.fromStage) : '',
      itemClass: change.isCurrent ? 'slds-timeline__item stage stage_current' : 'slds-timeline__item stage'
    }));
  }
}
