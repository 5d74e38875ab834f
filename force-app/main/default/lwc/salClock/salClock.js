import TIME_LEFT from '@salesforce/label/c.LF_Sal_Time_Left';
import OVERDUE from '@salesforce/label/c.LF_Sal_Overdue';
import DAYS_HOURS from '@salesforce/label/c.LF_Sal_Days_Hours';
import HOURS_MINUTES from '@salesforce/label/c.LF_Sal_Hours_Minutes';
import { formatLabel } from 'c/ldsUtils';

const MINUTE_MS = 60 * 1000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** Under this much time left the clock turns to a warning: a working day. */
export const SOON_MS = 24 * HOUR_MS;
/** How often the components redraw the clock. Minutes are the finest unit shown. */
export const TICK_MS = MINUTE_MS;

/** "2 d 5 h" above a day, "5 h 12 min" below: the rep needs the order of magnitude, not the seconds. */
export function formatDuration(ms) {
  const total = Math.max(0, Math.floor(ms / MINUTE_MS)) * MINUTE_MS;
  if (total >= DAY_MS) {
    return formatLabel(DAYS_HOURS, Math.floor(total / DAY_MS), Math.floor((total % DAY_MS) / HOUR_MS));
  }
  return formatLabel(HOURS_MINUTES, Math.floor(total / HOUR_MS), Math.floor((total % HOUR_MS) / MINUTE_MS));
}

/**
 * The acceptance clock at `now`: milliseconds left (negative once overdue), the text shown and how urgent it is.
 * Expired means strictly after the deadline, as SalSlaRule and the service's decideSla read it.
 * @param {String|Number|Date} acceptBy SAL_Accept_By__c
 * @param {Number} now epoch milliseconds
 */
export function clockAt(acceptBy, now) {
  if (acceptBy === null || acceptBy === undefined || acceptBy === '') {
    return null;
  }
  const msLeft = new Date(acceptBy).getTime() - now;
  if (Number.isNaN(msLeft)) {
    return null;
  }
  const overdue = msLeft < 0;
  let urgency = 'ok';
  if (overdue) {
    urgency = 'overdue';
  } else if (msLeft <= SOON_MS) {
    urgency = 'soon';
  }
  return {
    msLeft,
    overdue,
    urgency,
    text: overdue
      ? formatLabel(OVERDUE, formatDuration(-msLeft))
      : formatLabel(TIME_LEFT, formatDuration(msLeft))
  };
}
