import { LightningElement, api, wire } from 'lwc';
import { refreshApex } from '@salesforce/apex';
import leadsWaiting from '@salesforce/apex/SalHandoffController.leadsWaiting';
import TITLE from '@salesforce/label/c.LF_Sal_List_Title';
import TEAM_TITLE from '@salesforce/label/c.LF_Sal_Team_List_Title';
import TEAM_EMPTY from '@salesforce/label/c.LF_Sal_Team_List_Empty';
import COLUMN_OWNER from '@salesforce/label/c.LF_Sal_Column_Owner';
import EMPTY from '@salesforce/label/c.LF_Sal_List_Empty';
import REFRESH from '@salesforce/label/c.LF_Sal_Refresh';
import COLUMN_LEAD from '@salesforce/label/c.LF_Sal_Column_Lead';
import COLUMN_COMPANY from '@salesforce/label/c.LF_Sal_Column_Company';
import COLUMN_ACCEPT_BY from '@salesforce/label/c.LF_Sal_Accept_By';
import COLUMN_TIME_LEFT from '@salesforce/label/c.LF_Sal_Column_Time_Left';
import LOADING from '@salesforce/label/c.LF_Loading';
import { clockAt, TICK_MS } from 'c/salClock';

/**
 * Classes of the time-left cell. The cell lives in lightning-datatable's shadow tree, so only global SLDS classes
 * reach it, and SLDS has no warning text colour: under a day the cell gets the warning theme (dark text on orange).
 */
const URGENCY_CLASSES = {
  ok: '',
  soon: 'slds-theme_warning',
  overdue: 'slds-text-color_error'
};

/** Each sortable column and the row value it sorts by (time left sorts by milliseconds, not by its text). */
const SORT_KEYS = {
  leadUrl: 'name',
  company: 'company',
  ownerName: 'ownerName',
  acceptBy: 'acceptByMs',
  timeLeft: 'msLeft'
};

const OWNER_COLUMN = { label: COLUMN_OWNER, fieldName: 'ownerName', type: 'text', sortable: true };

const COLUMNS = [
  {
    label: COLUMN_LEAD,
    fieldName: 'leadUrl',
    type: 'url',
    sortable: true,
    typeAttributes: { label: { fieldName: 'name' }, target: '_self' }
  },
  { label: COLUMN_COMPANY, fieldName: 'company', type: 'text', sortable: true },
  {
    label: COLUMN_ACCEPT_BY,
    fieldName: 'acceptBy',
    type: 'date',
    sortable: true,
    typeAttributes: { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' },
    // A home page column is narrow: the deadline and the time left wrap instead of ending in "...".
    wrapText: true
  },
  {
    label: COLUMN_TIME_LEFT,
    fieldName: 'timeLeft',
    type: 'text',
    sortable: true,
    wrapText: true,
    cellAttributes: { class: { fieldName: 'urgencyClass' } }
  }
];

/**
 * "Leads waiting for me" on a home or app page: the leads handed to the running user that wait for acceptance,
 * with the time left on each clock, soonest deadline first; every column sorts. With scope "team" (set in the
 * Lightning App Builder) a sales manager sees the leads waiting for the users who report to them, with the owner.
 */
export default class SalHandoffList extends LightningElement {
  /** mine (default) or team. */
  @api scope = 'mine';
  labels = { REFRESH, LOADING };
  sortedBy = 'timeLeft';
  sortDirection = 'asc';
  leads;
  error;
  wiredResult;
  now = Date.now();
  timer;

  @wire(leadsWaiting, { scope: '$scope' })
  wiredLeads(result) {
    this.wiredResult = result;
    if (result.data) {
      this.leads = result.data;
      this.error = undefined;
    } else if (result.error) {
      this.error = result.error;
      this.leads = undefined;
    }
  }

  connectedCallback() {
    // eslint-disable-next-line @lwc/lwc/no-async-operation
    this.timer = setInterval(() => {
      this.now = Date.now();
    }, TICK_MS);
  }

  disconnectedCallback() {
    clearInterval(this.timer);
  }

  get isTeam() {
    return this.scope === 'team';
  }

  get title() {
    return this.isTeam ? TEAM_TITLE : TITLE;
  }

  get emptyMessage() {
    return this.isTeam ? TEAM_EMPTY : EMPTY;
  }

  get columns() {
    return this.isTeam ? [COLUMNS[0], OWNER_COLUMN, ...COLUMNS.slice(1)] : COLUMNS;
  }

  get isLoading() {
    return !this.leads && !this.error;
  }

  get hasLeads() {
    return !!this.leads && this.leads.length > 0;
  }

  get isEmpty() {
    return !!this.leads && this.leads.length === 0;
  }

  get rows() {
    const rows = (this.leads || []).map((lead) => {
      const clock = clockAt(lead.acceptBy, this.now);
      return {
        id: lead.id,
        name: lead.name,
        leadUrl: `/${lead.id}`,
        company: lead.company,
        ownerName: lead.ownerName,
        acceptBy: lead.acceptBy,
        acceptByMs: new Date(lead.acceptBy).getTime(),
        msLeft: clock ? clock.msLeft : null,
        timeLeft: clock ? clock.text : '',
        urgencyClass: clock ? URGENCY_CLASSES[clock.urgency] : ''
      };
    });
    const key = SORT_KEYS[this.sortedBy] || SORT_KEYS.timeLeft;
    const sign = this.sortDirection === 'desc' ? -1 : 1;
    return rows.sort((a, b) => sign * compareValues(a[key], b[key]));
  }

  handleSort(event) {
    this.sortedBy = event.detail.fieldName;
    this.sortDirection = event.detail.sortDirection;
  }

  handleRefresh() {
    return refreshApex(this.wiredResult);
  }
}

/** Numbers by value, text by the user's collation; empty values last. */
function compareValues(a, b) {
  if (a === b) {
    return 0;
  }
  if (a === null || a === undefined) {
    return 1;
  }
  if (b === null || b === undefined) {
    return -1;
  }
  if (typeof a === 'number' && typeof b === 'number') {
    return a - b;
  }
  return String(a).localeCompare(String(b));
}
