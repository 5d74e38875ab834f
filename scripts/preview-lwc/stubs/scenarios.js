/**
 * Every state the preview renders, and what the stubbed server answers in it. The data is the jest mock
 * data of each component (force-app/main/default/lwc/<name>/__tests__/data), so the preview and the jest
 * tests show the same records. Record ids are the state ids: each state gets its own answers.
 */
import preview from '../../../force-app/main/default/lwc/convertLead/__tests__/data/preview.json';
import previewNotConvertible from '../../../force-app/main/default/lwc/convertLead/__tests__/data/previewNotConvertible.json';
import previewAlreadyConverted from '../../../force-app/main/default/lwc/convertLead/__tests__/data/previewAlreadyConverted.json';
import convertDuplicate from '../../../force-app/main/default/lwc/convertLead/__tests__/data/convertDuplicate.json';
import convertReasons from '../../../force-app/main/default/lwc/convertLead/__tests__/data/reasons.json';
import qualification from '../../../force-app/main/default/lwc/leadQualification/__tests__/data/qualification.json';
import qualificationReady from '../../../force-app/main/default/lwc/leadQualification/__tests__/data/qualificationReady.json';
import qualificationCold from '../../../force-app/main/default/lwc/leadQualification/__tests__/data/qualificationCold.json';
import leadRecord from '../../../force-app/main/default/lwc/leadQualification/__tests__/data/leadRecord.json';
import stageChanges from '../../../force-app/main/default/lwc/stageTimeline/__tests__/data/stageChanges.json';
import handoff from '../../../force-app/main/default/lwc/salHandoff/__tests__/data/handoff.json';
import returnReasons from '../../../force-app/main/default/lwc/salHandoff/__tests__/data/returnReasons.json';
import leadsWaiting from '../../../force-app/main/default/lwc/salHandoffList/__tests__/data/leadsWaiting.json';
import teamLeadsWaiting from '../../../force-app/main/default/lwc/salHandoffList/__tests__/data/teamLeadsWaiting.json';

const pending = { pending: true };
const apexError = (message) => ({ error: { body: { message }, status: 500, statusText: 'Server Error' } });

/** A preview whose matching contact belongs to an account the lead is not matched to. */
const previewContactElsewhere = {
  ...preview,
  contactAccountId: '001000000000009AAA',
  contactAccountName: 'Initech Holdings'
};

/** A preview whose conversion would fail: the lead's title is empty and its source too long, and a contact duplicates. */
const previewBlocked = {
  ...previewContactElsewhere,
  reasons: [
    convertReasons.REQUIRED_FIELD_EMPTY,
    convertReasons.VALUE_TOO_LONG,
    convertReasons.DUPLICATE_CONTACT
  ]
};

/**
 * leadsWaiting is wired by scope alone (no record id), so the list states of one scope answer in the order the
 * page renders them: each list asks once, when it is connected.
 */
function inRenderOrder(answers) {
  let calls = 0;
  return () => answers[Math.min(calls++, answers.length - 1)];
}

/** The preview's "now" is 2026-01-04T20:00Z (browser.ts PREVIEW_NOW); the hand-off deadlines are set from it. */
const handoffSoon = { ...handoff, acceptBy: '2026-01-05T01:30:00.000Z' };
const handoffOverdue = { ...handoff, acceptBy: '2026-01-04T17:00:00.000Z' };
const handoffAccepted = {
  ...handoff,
  funnelStage: 'SAL',
  acceptedDate: '2026-01-04T19:30:00.000Z',
  waiting: false
};
const handoffNotMine = { ...handoff, mine: false };

export const STATES = [
  {
    id: 'convert-ready',
    component: 'convertLead',
    title: 'Convert: qualified lead, contact reused',
    description:
      'The lead goes into the account of the contact with the same email, so that contact is reused.'
  },
  {
    id: 'convert-duplicate-risk',
    component: 'convertLead',
    title: 'Convert: a contact with the same email is in another account',
    description: 'Converting into the matched account creates a second contact; the dialog says so.'
  },
  {
    id: 'convert-converting',
    component: 'convertLead',
    title: 'Convert: converting',
    description:
      'After Convert: a spinner, and the choices, Cancel and Convert are disabled until the server answers.'
  },
  {
    id: 'convert-duplicate',
    component: 'convertLead',
    title: 'Convert: refused by a duplicate rule',
    description: 'The matching records are listed at the top; changing a choice clears the message.'
  },
  {
    id: 'convert-blocked',
    component: 'convertLead',
    title: 'Convert: the conversion would fail',
    description:
      'Before the click: each reason with its field and fix (errors, and a duplicate-contact warning); Convert is off.'
  },
  {
    id: 'convert-not-ready',
    component: 'convertLead',
    title: 'Convert: required criteria missing',
    description: 'What is missing, in plain words, and the next step; no Convert button.'
  },
  {
    id: 'convert-already-converted',
    component: 'convertLead',
    title: 'Convert: lead already converted',
    description: 'Information, not an error, with links to the records it was converted into.'
  },
  {
    id: 'convert-load-error',
    component: 'convertLead',
    title: 'Convert: the preview cannot be loaded',
    description: 'A real failure: the error panel.'
  },
  {
    id: 'qualification-missing',
    component: 'leadQualification',
    title: 'Qualification: a required criterion is missing',
    description: 'Scores with their scale, grade, blocking vs optional criteria, what to capture next.'
  },
  {
    id: 'qualification-ready',
    component: 'leadQualification',
    title: 'Qualification: ready to convert',
    description: 'Every required criterion is met.'
  },
  {
    id: 'qualification-cold',
    component: 'leadQualification',
    title: 'Qualification: cold lead, optional criteria missing',
    description: 'The Cold grade badge differs from the Required badges; optional misses have their own icon.'
  },
  {
    id: 'qualification-no-criteria',
    component: 'leadQualification',
    title: 'Qualification: no active criteria',
    description: 'No readiness verdict without criteria.'
  },
  {
    id: 'qualification-loading',
    component: 'leadQualification',
    title: 'Qualification: loading',
    description: 'While the server evaluates the lead.'
  },
  {
    id: 'qualification-error',
    component: 'leadQualification',
    title: 'Qualification: evaluation failed',
    description: 'The error panel.'
  },
  {
    id: 'timeline',
    component: 'stageTimeline',
    title: 'Stage timeline',
    description: 'Current stage first, time in each stage (the current one keeps counting).'
  },
  {
    id: 'timeline-empty',
    component: 'stageTimeline',
    title: 'Stage timeline: no changes yet',
    description: ''
  },
  {
    id: 'timeline-loading',
    component: 'stageTimeline',
    title: 'Stage timeline: loading',
    description: ''
  },
  {
    id: 'timeline-error',
    component: 'stageTimeline',
    title: 'Stage timeline: cannot be read',
    description: ''
  },
  {
    id: 'handoff-waiting',
    component: 'salHandoff',
    title: 'Sales hand-off: waiting, time left',
    description:
      'The deadline and the time left on the acceptance clock; the owner can accept or return the lead.'
  },
  {
    id: 'handoff-soon',
    component: 'salHandoff',
    title: 'Sales hand-off: less than a day left',
    description: 'The clock turns to a warning under a working day.'
  },
  {
    id: 'handoff-overdue',
    component: 'salHandoff',
    title: 'Sales hand-off: deadline passed',
    description:
      'Overdue in red; Accept is off (the server refuses it), returning to nurture is still possible.'
  },
  {
    id: 'handoff-accepted',
    component: 'salHandoff',
    title: 'Sales hand-off: accepted',
    description: 'No clock and no buttons once sales accepted the lead.'
  },
  {
    id: 'handoff-not-mine',
    component: 'salHandoff',
    title: 'Sales hand-off: waiting for another rep',
    description: 'Other users see the clock and whom it waits for, without the buttons.'
  },
  {
    id: 'handoff-return-other',
    component: 'salHandoff',
    title: 'Sales hand-off: return to nurture, reason Other',
    description:
      'After Return to nurture, Other and Confirm without a comment: the comment field says it is required.'
  },
  {
    id: 'handoff-error',
    component: 'salHandoff',
    title: 'Sales hand-off: cannot be loaded',
    description: 'The error panel.'
  },
  {
    id: 'handoff-list-mine',
    component: 'salHandoffList',
    scope: 'mine',
    title: 'Leads waiting for me',
    description: 'Soonest deadline first (overdue in red, under a day in yellow); every column sorts.'
  },
  {
    id: 'handoff-list-team',
    component: 'salHandoffList',
    scope: 'team',
    title: 'Leads waiting for my team (scope team)',
    description: 'A sales manager sees the leads of the users who report to them, with the owner.'
  },
  {
    id: 'handoff-list-empty',
    component: 'salHandoffList',
    scope: 'mine',
    title: 'Leads waiting for me: none',
    description: ''
  },
  {
    id: 'error-panel-error',
    component: 'errorPanel',
    title: 'Error panel: error with folded details',
    description: '',
    variant: 'error',
    errors: [{ body: { message: 'Insufficient access rights on object id.' } }]
  },
  {
    id: 'error-panel-warning',
    component: 'errorPanel',
    title: 'Error panel: warning',
    description: '',
    variant: 'warning',
    friendlyMessage: 'Some fields could not be read',
    errors: [{ body: { message: 'You do not have access to the Budget Amount field.' } }]
  },
  {
    id: 'error-panel-info',
    component: 'errorPanel',
    title: 'Error panel: information',
    description: '',
    variant: 'info',
    errors: [{ body: { message: 'This lead has already been converted.' } }]
  }
];

export const SCENARIOS = {
  'LeadConvertController.getConvertPreview': {
    'convert-ready': { data: preview },
    'convert-duplicate-risk': { data: previewContactElsewhere },
    'convert-converting': { data: preview },
    'convert-duplicate': { data: previewContactElsewhere },
    'convert-blocked': { data: previewBlocked },
    'convert-not-ready': { data: previewNotConvertible },
    'convert-already-converted': { data: previewAlreadyConverted },
    'convert-load-error': apexError(
      'You do not have access to data the conversion needs. Ask your admin for the Leadflow Sales Rep permission set.'
    )
  },
  'LeadConvertController.convertLead': {
    'convert-ready': {
      data: { success: true, accountId: '001000000000001AAA', opportunityId: '006000000000001AAA' }
    },
    'convert-duplicate-risk': {
      data: { success: true, accountId: '001000000000001AAA', opportunityId: null }
    },
    'convert-converting': pending,
    'convert-duplicate': { data: convertDuplicate }
  },
  'QualificationController.getQualification': {
    'qualification-missing': { data: qualification },
    'qualification-ready': { data: qualificationReady },
    'qualification-cold': { data: qualificationCold },
    'qualification-no-criteria': {
      data: {
        ...qualification,
        fitScore: 0,
        totalScore: 20,
        grade: 'Cold',
        convertible: true,
        criteria: [],
        captureNext: []
      }
    },
    'qualification-loading': pending,
    'qualification-error': apexError('The lead was not found or you do not have access to it.')
  },
  'uiRecordApi.getRecord': {
    'qualification-missing': { data: leadRecord },
    'qualification-ready': { data: leadRecord },
    'qualification-cold': { data: leadRecord },
    'qualification-no-criteria': { data: leadRecord },
    'qualification-loading': { data: leadRecord },
    'qualification-error': { data: leadRecord }
  },
  'StageTimelineController.getStageChanges': {
    timeline: { data: stageChanges },
    'timeline-empty': { data: [] },
    'timeline-loading': pending,
    'timeline-error': apexError('Stage history is only available on leads, contacts and opportunities.')
  },
  'SalHandoffController.getHandoff': {
    'handoff-waiting': { data: handoff },
    'handoff-soon': { data: handoffSoon },
    'handoff-overdue': { data: handoffOverdue },
    'handoff-accepted': { data: handoffAccepted },
    'handoff-not-mine': { data: handoffNotMine },
    'handoff-return-other': { data: handoff },
    'handoff-error': apexError('The lead was not found or you do not have access to it.')
  },
  // Wired without parameters: every hand-off state gets the same picklist.
  'SalHandoffController.returnReasons': { '*': { data: returnReasons } },
  'SalHandoffController.leadsWaiting': {
    // Keyed by scope: handoff-list-mine, then handoff-list-empty (STATES order).
    mine: inRenderOrder([{ data: leadsWaiting }, { data: [] }]),
    team: { data: teamLeadsWaiting }
  }
};
