/**
 * Standard objects of a Developer Edition org, limited to what leadflow and its clients touch.
 * Field metadata follows Salesforce's describe (types, lengths, nillable/createable/updateable,
 * defaults, picklist values, relationships). Reference rows (LeadStatus, OpportunityStage, users,
 * Organization) live in reference-data.ts.
 */
import {
  READ_ONLY,
  bool,
  currency,
  date,
  dateTime,
  double,
  email,
  int,
  makeField,
  addressFields,
  makeObject,
  ownerField,
  percent,
  phone,
  picklist as anyPicklist,
  reference,
  systemFields,
  text,
  textArea,
  url
} from './field-builders';
import { STANDARD_KEY_PREFIXES } from './ids';
import type { FieldDef, SObjectDef } from './types';

export const LEAD_SOURCES = ['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other'] as const;
export const INDUSTRIES = [
  'Agriculture', 'Apparel', 'Banking', 'Biotechnology', 'Chemicals', 'Communications', 'Construction', 'Consulting',
  'Education', 'Electronics', 'Energy', 'Engineering', 'Entertainment', 'Environmental', 'Finance', 'Food & Beverage',
  'Government', 'Healthcare', 'Hospitality', 'Insurance', 'Machinery', 'Manufacturing', 'Media', 'Not For Profit',
  'Recreation', 'Retail', 'Shipping', 'Technology', 'Telecommunications', 'Transportation', 'Utilities', 'Other'
] as const;
export const RATINGS = ['Hot', 'Warm', 'Cold'] as const;

export interface LeadStatusRow {
  label: string;
  isDefault: boolean;
  isConverted: boolean;
}
export const LEAD_STATUSES: readonly LeadStatusRow[] = [
  { label: 'Open - Not Contacted', isDefault: true, isConverted: false },
  { label: 'Working - Contacted', isDefault: false, isConverted: false },
  { label: 'Closed - Converted', isDefault: false, isConverted: true },
  { label: 'Closed - Not Converted', isDefault: false, isConverted: false }
];
export const DEFAULT_LEAD_STATUS = 'Open - Not Contacted';

/** ForecastCategory API values and their ForecastCategoryName labels. */
export const FORECAST_CATEGORY_NAMES: Readonly<Record<string, string>> = {
  Pipeline: 'Pipeline',
  BestCase: 'Best Case',
  Forecast: 'Commit',
  Closed: 'Closed',
  Omitted: 'Omitted'
};

export interface OpportunityStageRow {
  label: string;
  probability: number;
  forecastCategory: keyof typeof FORECAST_CATEGORY_NAMES & string;
  isClosed: boolean;
  isWon: boolean;
}
export const OPPORTUNITY_STAGES: readonly OpportunityStageRow[] = [
  { label: 'Prospecting', probability: 10, forecastCategory: 'Pipeline', isClosed: false, isWon: false },
  { label: 'Qualification', probability: 10, forecastCategory: 'Pipeline', isClosed: false, isWon: false },
  { label: 'Needs Analysis', probability: 20, forecastCategory: 'Pipeline', isClosed: false, isWon: false },
  { label: 'Value Proposition', probability: 50, forecastCategory: 'Pipeline', isClosed: false, isWon: false },
  { label: 'Id. Decision Makers', probability: 60, forecastCategory: 'Pipeline', isClosed: false, isWon: false },
  { label: 'Perception Analysis', probability: 70, forecastCategory: 'Pipeline', isClosed: false, isWon: false },
  { label: 'Proposal/Price Quote', probability: 75, forecastCategory: 'Pipeline', isClosed: false, isWon: false },
  { label: 'Negotiation/Review', probability: 90, forecastCategory: 'Pipeline', isClosed: false, isWon: false },
  { label: 'Closed Won', probability: 100, forecastCategory: 'Closed', isClosed: true, isWon: true },
  { label: 'Closed Lost', probability: 0, forecastCategory: 'Omitted', isClosed: true, isWon: false }
];

export const TASK_STATUSES = ['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'] as const;
export const CLOSED_TASK_STATUSES: ReadonlySet<string> = new Set(['Completed']);
export const TASK_PRIORITIES = ['High', 'Normal', 'Low'] as const;

const SALUTATIONS = ['Mr.', 'Ms.', 'Mrs.', 'Dr.', 'Prof.'];

/** Standard picklists describe with length 40 (the object reference's Industry, AccountSource ...); custom ones 255. */
function picklist(name: string, values: readonly string[], opts: Parameters<typeof anyPicklist>[2] = {}): FieldDef {
  return anyPicklist(name, values, { length: 40, ...opts });
}

function prefix(name: string): string {
  const value = STANDARD_KEY_PREFIXES[name];
  if (!value) throw new Error(`No key prefix for ${name}`);
  return value;
}

function address(prefixName: string): FieldDef[] {
  return addressFields(prefixName);
}

const CLEAN_STATUSES = ['Matched', 'Different', 'Acknowledged', 'NotFound', 'Inactive', 'Pending', 'SelectMatch', 'Skipped'];

/** Data.com / Lightning fields every Lead, Account and Contact describes (clean status, photo, recently viewed). */
function dataComFields(): FieldDef[] {
  return [
    text('Jigsaw', 20, { label: 'Data.com Key' }),
    picklist('CleanStatus', CLEAN_STATUSES, { restrictedPicklist: true, label: 'Clean Status' }),
    url('PhotoUrl', { ...READ_ONLY, label: 'Photo URL' }),
    dateTime('LastViewedDate', READ_ONLY),
    dateTime('LastReferencedDate', READ_ONLY)
  ];
}

/** Person name parts; Name is derived (FirstName + ' ' + LastName) by the record layer. */
function personName(): FieldDef[] {
  return [
    text('LastName', 80, { nillable: false }),
    text('FirstName', 40),
    picklist('Salutation', SALUTATIONS),
    text('Name', 121, { ...READ_ONLY, label: 'Full Name' })
  ];
}

function lead(): SObjectDef {
  return makeObject(
    'Lead',
    prefix('Lead'),
    [
      ...systemFields(),
      reference('MasterRecordId', ['Lead'], { ...READ_ONLY, relationshipName: 'MasterRecord' }),
      ...personName(),
      text('Title', 128),
      text('Company', 255, { nillable: false }),
      ...address(''),
      phone('Phone'),
      phone('MobilePhone'),
      phone('Fax'),
      email('Email'),
      url('Website'),
      textArea('Description', 32000, { label: 'Description' }),
      picklist('LeadSource', LEAD_SOURCES),
      picklist('Status', LEAD_STATUSES.map((s) => s.label), {
        defaultPick: DEFAULT_LEAD_STATUS,
        nillable: false,
        restrictedPicklist: true
      }),
      picklist('Industry', INDUSTRIES),
      picklist('Rating', RATINGS),
      currency('AnnualRevenue', 18, 0),
      int('NumberOfEmployees', 8),
      ownerField(),
      bool('HasOptedOutOfEmail', { label: 'Email Opt Out' }),
      bool('DoNotCall'),
      bool('HasOptedOutOfFax', { label: 'Fax Opt Out' }),
      bool('IsConverted', { ...READ_ONLY, label: 'Converted' }),
      date('ConvertedDate', READ_ONLY),
      reference('ConvertedAccountId', ['Account'], READ_ONLY),
      reference('ConvertedContactId', ['Contact'], READ_ONLY),
      reference('ConvertedOpportunityId', ['Opportunity'], READ_ONLY),
      bool('IsUnreadByOwner', { label: 'Unread By Owner' }),
      date('LastActivityDate', READ_ONLY),
      ...dataComFields(),
      text('CompanyDunsNumber', 9, { label: 'Company D-U-N-S Number' }),
      text('EmailBouncedReason', 255),
      dateTime('EmailBouncedDate'),
      date('LastTransferDate', READ_ONLY)
    ],
    { trackedFields: ['Status'] }
  );
}

function account(): SObjectDef {
  return makeObject('Account', prefix('Account'), [
    ...systemFields(),
    reference('MasterRecordId', ['Account'], { ...READ_ONLY, relationshipName: 'MasterRecord' }),
    text('Name', 255, { nillable: false, label: 'Account Name' }),
    picklist('Type', [
      'Prospect', 'Customer - Direct', 'Customer - Channel', 'Channel Partner / Reseller', 'Installation Partner',
      'Technology Partner', 'Other'
    ]),
    reference('ParentId', ['Account'], { relationshipName: 'Parent' }),
    ...address('Billing'),
    ...address('Shipping'),
    phone('Phone'),
    phone('Fax'),
    text('AccountNumber', 40),
    url('Website'),
    text('Sic', 20, { label: 'SIC Code' }),
    picklist('Industry', INDUSTRIES),
    currency('AnnualRevenue', 18, 0),
    int('NumberOfEmployees', 8, { label: 'Employees' }),
    picklist('Ownership', ['Public', 'Private', 'Subsidiary', 'Other']),
    text('TickerSymbol', 20),
    textArea('Description', 32000),
    picklist('Rating', RATINGS),
    text('Site', 80, { label: 'Account Site' }),
    ownerField(),
    picklist('AccountSource', LEAD_SOURCES),
    date('LastActivityDate', READ_ONLY),
    ...dataComFields(),
    text('JigsawCompanyId', 20, { ...READ_ONLY, label: 'Jigsaw Company ID' }),
    text('SicDesc', 80, { label: 'SIC Description' }),
    text('DunsNumber', 9, { label: 'D-U-N-S Number' }),
    text('Tradestyle', 255),
    text('NaicsCode', 8, { label: 'NAICS Code' }),
    text('NaicsDesc', 120, { label: 'NAICS Description' }),
    text('YearStarted', 4)
  ]);
}

function contact(): SObjectDef {
  return makeObject('Contact', prefix('Contact'), [
    ...systemFields(),
    reference('MasterRecordId', ['Contact'], { ...READ_ONLY, relationshipName: 'MasterRecord' }),
    reference('AccountId', ['Account']),
    ...personName(),
    ...address('Other'),
    ...address('Mailing'),
    phone('Phone'),
    phone('Fax'),
    phone('MobilePhone'),
    phone('HomePhone'),
    phone('OtherPhone'),
    phone('AssistantPhone'),
    reference('ReportsToId', ['Contact'], { relationshipName: 'ReportsTo' }),
    email('Email'),
    text('Title', 128),
    text('Department', 80),
    text('AssistantName', 40),
    picklist('LeadSource', LEAD_SOURCES),
    date('Birthdate'),
    textArea('Description', 32000),
    ownerField(),
    bool('HasOptedOutOfEmail', { label: 'Email Opt Out' }),
    bool('DoNotCall'),
    date('LastActivityDate', READ_ONLY),
    ...dataComFields(),
    text('JigsawContactId', 20, { ...READ_ONLY, label: 'Jigsaw Contact ID' }),
    text('EmailBouncedReason', 255),
    dateTime('EmailBouncedDate'),
    bool('IsEmailBounced', { ...READ_ONLY, label: 'Is Email Bounced' }),
    dateTime('LastCURequestDate', { ...READ_ONLY, label: 'Last Stay-in-Touch Request Date' }),
    dateTime('LastCUUpdateDate', { ...READ_ONLY, label: 'Last Stay-in-Touch Save Date' })
  ]);
}

function opportunity(): SObjectDef {
  const forecastCategories = Object.keys(FORECAST_CATEGORY_NAMES);
  return makeObject('Opportunity', prefix('Opportunity'), [
    ...systemFields(),
    reference('AccountId', ['Account']),
    bool('IsPrivate', { label: 'Private' }),
    text('Name', 120, { nillable: false }),
    textArea('Description', 32000),
    picklist(
      'StageName',
      OPPORTUNITY_STAGES.map((s) => s.label),
      { nillable: false, restrictedPicklist: true, label: 'Stage' }
    ),
    currency('Amount', 18, 2),
    percent('Probability', 3, 0, { defaultedOnCreate: true, label: 'Probability (%)' }),
    currency('ExpectedRevenue', 18, 2, { ...READ_ONLY, calculated: true, label: 'Expected Amount' }),
    double('TotalOpportunityQuantity', 18, 2, { label: 'Quantity' }),
    date('CloseDate', { nillable: false }),
    picklist('Type', [
      'Existing Customer - Upgrade', 'Existing Customer - Replacement', 'Existing Customer - Downgrade', 'New Customer'
    ]),
    text('NextStep', 255),
    picklist('LeadSource', LEAD_SOURCES),
    bool('IsClosed', { ...READ_ONLY, label: 'Closed' }),
    bool('IsWon', { ...READ_ONLY, label: 'Won' }),
    picklist('ForecastCategory', forecastCategories, { ...READ_ONLY, nillable: false, defaultedOnCreate: true }),
    picklist('ForecastCategoryName', forecastCategories.map((c) => FORECAST_CATEGORY_NAMES[c] ?? c), {
      defaultedOnCreate: true,
      restrictedPicklist: true,
      label: 'Forecast Category'
    }),
    reference('CampaignId', ['Campaign']),
    bool('HasOpportunityLineItem', { ...READ_ONLY, label: 'Has Line Item' }),
    ownerField(),
    reference('ContactId', ['Contact']),
    int('FiscalQuarter', 11, READ_ONLY),
    int('FiscalYear', 11, READ_ONLY),
    text('Fiscal', 6, { ...READ_ONLY, label: 'Fiscal Period' }),
    date('LastActivityDate', READ_ONLY),
    reference('LastAmountChangedHistoryId', ['OpportunityHistory'], READ_ONLY),
    reference('LastCloseDateChangedHistoryId', ['OpportunityHistory'], READ_ONLY),
    dateTime('LastViewedDate', READ_ONLY),
    dateTime('LastReferencedDate', READ_ONLY),
    bool('HasOpenActivity', READ_ONLY),
    bool('HasOverdueTask', READ_ONLY),
    dateTime('LastStageChangeDate', READ_ONLY),
    int('PushCount', 9, READ_ONLY)
  ]);
}

function task(): SObjectDef {
  return makeObject('Task', prefix('Task'), [
    ...systemFields(),
    reference('WhoId', ['Contact', 'Lead'], { relationshipName: 'Who', label: 'Name ID' }),
    reference('WhatId', ['Account', 'Opportunity', 'Campaign'], { relationshipName: 'What', label: 'Related To ID' }),
    makeField('Subject', 'combobox', {
      length: 255,
      picklistValues: ['Call', 'Send Letter', 'Send Quote', 'Other'].map((v) => ({ value: v, label: v, active: true, defaultValue: false }))
    }),
    date('ActivityDate', { label: 'Due Date Only' }),
    picklist('Status', TASK_STATUSES, { defaultPick: 'Not Started', nillable: false, restrictedPicklist: true }),
    picklist('Priority', TASK_PRIORITIES, { defaultPick: 'Normal', nillable: false, restrictedPicklist: true }),
    bool('IsHighPriority', { ...READ_ONLY, label: 'High Priority' }),
    ownerField(),
    textArea('Description', 32000, { label: 'Comments' }),
    picklist('Type', ['Call', 'Email', 'Meeting', 'Other']),
    reference('AccountId', ['Account'], READ_ONLY),
    bool('IsClosed', { ...READ_ONLY, label: 'Closed' }),
    int('CallDurationInSeconds', 8, { label: 'Call Duration' }),
    picklist('CallType', ['Internal', 'Inbound', 'Outbound']),
    text('CallDisposition', 255, { label: 'Call Result' }),
    picklist('TaskSubtype', ['Task', 'Email', 'ListEmail', 'Cadence', 'Call', 'LinkedIn'], { updateable: false }),
    dateTime('CompletedDateTime', READ_ONLY),
    bool('IsArchived', { ...READ_ONLY, label: 'Archived' }),
    bool('IsReminderSet', { label: 'Reminder Set' }),
    dateTime('ReminderDateTime', { label: 'Reminder Date/Time' }),
    bool('IsRecurrence', { updateable: false, label: 'Create Recurring Series of Tasks' })
  ]);
}

function campaign(): SObjectDef {
  return makeObject('Campaign', prefix('Campaign'), [
    ...systemFields(),
    text('Name', 80, { nillable: false }),
    reference('ParentId', ['Campaign'], { relationshipName: 'Parent' }),
    picklist('Type', [
      'Conference', 'Webinar', 'Trade Show', 'Public Relations', 'Partners', 'Referral Program', 'Advertisement',
      'Banner Ads', 'Direct Mail', 'Email', 'Telemarketing', 'Other'
    ]),
    picklist('Status', ['Planned', 'In Progress', 'Completed', 'Aborted']),
    date('StartDate'),
    date('EndDate'),
    currency('ExpectedRevenue', 18, 0, { label: 'Expected Revenue in Campaign' }),
    currency('BudgetedCost', 18, 0),
    currency('ActualCost', 18, 0),
    percent('ExpectedResponse', 10, 2),
    double('NumberSent', 18, 0),
    bool('IsActive', { label: 'Active' }),
    textArea('Description', 32000),
    int('NumberOfLeads', 9, READ_ONLY),
    int('NumberOfConvertedLeads', 9, READ_ONLY),
    int('NumberOfContacts', 9, READ_ONLY),
    int('NumberOfOpportunities', 9, READ_ONLY),
    int('NumberOfResponses', 9, READ_ONLY),
    int('NumberOfWonOpportunities', 9, READ_ONLY),
    currency('AmountAllOpportunities', 18, 0, { ...READ_ONLY, label: 'Value Opportunities in Campaign' }),
    currency('AmountWonOpportunities', 18, 0, { ...READ_ONLY, label: 'Value Won Opportunities in Campaign' }),
    ownerField(),
    dateTime('LastViewedDate', READ_ONLY),
    dateTime('LastReferencedDate', READ_ONLY)
  ]);
}

function campaignMember(): SObjectDef {
  return makeObject('CampaignMember', prefix('CampaignMember'), [
    ...systemFields(),
    reference('CampaignId', ['Campaign'], { nillable: false, updateable: false }),
    reference('LeadId', ['Lead'], { updateable: false }),
    reference('ContactId', ['Contact'], { updateable: false }),
    picklist('Status', ['Planned', 'Sent', 'Received', 'Responded'], { defaultPick: 'Sent' }),
    bool('HasResponded', { ...READ_ONLY, label: 'Responded' }),
    date('FirstRespondedDate', READ_ONLY),
    reference('LeadOrContactId', ['Lead', 'Contact'], { ...READ_ONLY, relationshipName: null }),
    reference('LeadOrContactOwnerId', ['User'], { ...READ_ONLY, relationshipName: null })
  ]);
}

const TIME_ZONES = ['America/Los_Angeles', 'America/New_York', 'Europe/London', 'Europe/Berlin', 'GMT'];

function user(): SObjectDef {
  return makeObject('User', prefix('User'), [
    ...systemFields(),
    text('Username', 80, { nillable: false, unique: true, idLookup: true }),
    ...personName().filter((f) => f.name !== 'Salutation'),
    text('CompanyName', 80),
    text('Division', 80),
    text('Department', 80),
    text('Title', 80),
    email('Email', { nillable: false }),
    phone('Phone'),
    text('Alias', 8, { nillable: false }),
    text('CommunityNickname', 40, { unique: true }),
    bool('IsActive', { label: 'Active', defaultValue: true }),
    picklist('TimeZoneSidKey', TIME_ZONES, { nillable: false, label: 'Time Zone' }),
    picklist('LocaleSidKey', ['en_US', 'en_GB', 'de_DE'], { nillable: false, label: 'Locale' }),
    picklist('EmailEncodingKey', ['UTF-8', 'ISO-8859-1'], { nillable: false, label: 'Email Encoding' }),
    picklist('LanguageLocaleKey', ['en_US', 'de', 'fr'], { nillable: false, label: 'Language' }),
    reference('ProfileId', ['Profile'], { nillable: false }),
    reference('UserRoleId', ['UserRole'], { label: 'Role ID' }),
    reference('ManagerId', ['User'], { relationshipName: 'Manager' }),
    picklist('UserType', ['Standard', 'AutomatedProcess'], { ...READ_ONLY, defaultedOnCreate: true }),
    ...address(''),
    dateTime('LastLoginDate', READ_ONLY),
    url('FullPhotoUrl', { ...READ_ONLY, length: 1024, label: 'Url for full-sized Photo' }),
    url('SmallPhotoUrl', { ...READ_ONLY, length: 1024, label: 'Photo' }),
    dateTime('LastViewedDate', READ_ONLY),
    dateTime('LastReferencedDate', READ_ONLY)
  ]);
}

function organization(): SObjectDef {
  return makeObject(
    'Organization',
    prefix('Organization'),
    [
      ...systemFields(),
      text('Name', 80, { nillable: false }),
      text('Division', 80),
      ...address(''),
      phone('Phone'),
      text('PrimaryContact', 80),
      picklist('DefaultLocaleSidKey', ['en_US'], { label: 'Locale' }),
      picklist('LanguageLocaleKey', ['en_US'], { label: 'Language' }),
      picklist('TimeZoneSidKey', TIME_ZONES, { label: 'Time Zone' }),
      // The org's (corporate) currency; single-currency orgs have no CurrencyIsoCode on records.
      picklist('DefaultCurrencyIsoCode', ['USD', 'EUR', 'GBP', 'CHF', 'JPY'], { ...READ_ONLY, label: 'Currency' }),
      picklist('OrganizationType', ['Developer Edition', 'Enterprise Edition', 'Unlimited Edition'], READ_ONLY),
      bool('IsSandbox', READ_ONLY),
      text('InstanceName', 5, READ_ONLY),
      text('NamespacePrefix', 15, READ_ONLY),
      dateTime('TrialExpirationDate', READ_ONLY)
    ],
    { createable: false, updateable: false, deletable: false, labelPlural: 'Organizations' }
  );
}

const QUERY_ONLY = { createable: false, updateable: false, deletable: false };

function leadStatus(): SObjectDef {
  return makeObject(
    'LeadStatus',
    prefix('LeadStatus'),
    [
      ...systemFields(),
      text('MasterLabel', 255, READ_ONLY),
      text('ApiName', 255, { ...READ_ONLY, idLookup: true }),
      int('SortOrder', 9, READ_ONLY),
      bool('IsDefault', READ_ONLY),
      bool('IsConverted', READ_ONLY)
    ],
    { ...QUERY_ONLY, label: 'Lead Status Value', labelPlural: 'Lead Status Values' }
  );
}

function opportunityStage(): SObjectDef {
  return makeObject(
    'OpportunityStage',
    prefix('OpportunityStage'),
    [
      ...systemFields(),
      text('MasterLabel', 255, READ_ONLY),
      text('ApiName', 255, { ...READ_ONLY, idLookup: true }),
      bool('IsActive', READ_ONLY),
      int('SortOrder', 9, READ_ONLY),
      bool('IsClosed', READ_ONLY),
      bool('IsWon', READ_ONLY),
      picklist('ForecastCategory', Object.keys(FORECAST_CATEGORY_NAMES), READ_ONLY),
      picklist('ForecastCategoryName', Object.values(FORECAST_CATEGORY_NAMES), READ_ONLY),
      percent('DefaultProbability', 3, 0, READ_ONLY),
      text('Description', 255, READ_ONLY)
    ],
    { ...QUERY_ONLY, label: 'Opportunity Stage', labelPlural: 'Opportunity Stages' }
  );
}

function opportunityHistory(): SObjectDef {
  return makeObject(
    'OpportunityHistory',
    prefix('OpportunityHistory'),
    [
      ...systemFields({ history: true, systemModstamp: true }),
      reference('OpportunityId', ['Opportunity'], { ...READ_ONLY, nillable: false }),
      picklist('StageName', OPPORTUNITY_STAGES.map((s) => s.label), { ...READ_ONLY, nillable: false, label: 'Stage Name' }),
      currency('Amount', 18, 2, READ_ONLY),
      currency('ExpectedRevenue', 18, 2, READ_ONLY),
      date('CloseDate', READ_ONLY),
      percent('Probability', 3, 0, READ_ONLY),
      picklist('ForecastCategory', Object.keys(FORECAST_CATEGORY_NAMES), READ_ONLY),
      currency('PrevAmount', 18, 2, READ_ONLY),
      date('PrevCloseDate', READ_ONLY)
    ],
    { ...QUERY_ONLY, label: 'Opportunity History', labelPlural: 'Opportunity History' }
  );
}

/** Field history object (<Object>History) for an object with field history tracking. */
export function fieldHistoryObject(parent: SObjectDef): SObjectDef {
  const name = historyObjectName(parent.name);
  const parentField = historyParentField(parent.name);
  const keyPrefixValue = STANDARD_KEY_PREFIXES[name] ?? '017';
  return makeObject(
    name,
    keyPrefixValue,
    [
      ...systemFields({ history: true }),
      reference(parentField, [parent.name], {
        ...READ_ONLY,
        nillable: false,
        relationshipName: parentField === 'ParentId' ? 'Parent' : parent.name
      }),
      anyPicklist('Field', ['created', ...parent.fields.map((f) => f.name)], READ_ONLY),
      picklist('DataType', ['Text', 'Picklist', 'Number', 'Currency', 'Date', 'DateTime', 'Boolean', 'EntityId'], READ_ONLY),
      makeField('OldValue', 'anyType', { ...READ_ONLY, length: 255 }),
      makeField('NewValue', 'anyType', { ...READ_ONLY, length: 255 })
    ],
    { ...QUERY_ONLY, label: `${parent.label} History`, labelPlural: `${parent.label} History`, custom: false }
  );
}

export function historyObjectName(objectName: string): string {
  if (objectName === 'Opportunity') return 'OpportunityFieldHistory';
  if (objectName.endsWith('__c')) return objectName.replace(/__c$/, '__History');
  return `${objectName}History`;
}

export function historyParentField(objectName: string): string {
  return objectName.endsWith('__c') ? 'ParentId' : `${objectName}Id`;
}

function recordType(): SObjectDef {
  return makeObject(
    'RecordType',
    prefix('RecordType'),
    [
      ...systemFields(),
      text('Name', 80, READ_ONLY),
      text('DeveloperName', 80, READ_ONLY),
      text('NamespacePrefix', 15, READ_ONLY),
      textArea('Description', 255, READ_ONLY),
      picklist('SobjectType', ['Lead', 'Account', 'Contact', 'Opportunity', 'Task', 'Campaign'], READ_ONLY),
      bool('IsActive', READ_ONLY)
    ],
    { ...QUERY_ONLY, label: 'Record Type', labelPlural: 'Record Types' }
  );
}

/** Fresh definitions (callers may add custom fields to them). History objects are added by the schema. */
export function standardObjects(): SObjectDef[] {
  return [
    lead(),
    account(),
    contact(),
    opportunity(),
    task(),
    campaign(),
    campaignMember(),
    user(),
    organization(),
    leadStatus(),
    opportunityStage(),
    opportunityHistory(),
    recordType()
  ];
}

/** Objects that always get a field history object, even without tracked fields (LeadHistory, OpportunityFieldHistory). */
export const ALWAYS_HISTORY_OBJECTS: ReadonlySet<string> = new Set(['Lead', 'Opportunity']);
