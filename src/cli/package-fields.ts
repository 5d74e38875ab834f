/** The package's custom fields per object (README-TEAM data model); `leadflow doctor` checks they exist. */
export const EXPECTED_PACKAGE_FIELDS: Record<string, string[]> = {
  Lead: [
    'Budget_Amount__c',
    'Budget_Confirmed__c',
    'Authority_Level__c',
    'Need_Identified__c',
    'Need_Description__c',
    'Purchase_Timeline__c',
    'Expected_Purchase_Date__c',
    'Metrics__c',
    'Decision_Criteria__c',
    'Decision_Process__c',
    'Identified_Pain__c',
    'Economic_Buyer__c',
    'Champion__c',
    'Product_Interest__c',
    'Fit_Score__c',
    'Engagement_Score__c',
    'Total_Score__c',
    'Lead_Grade__c',
    'Qualification_Status__c',
    'Missing_Criteria__c',
    'Funnel_Stage__c',
    'Recycle_Reason__c',
    'SAL_Accept_By__c',
    'SAL_Accepted_Date__c',
    'MQL_Date__c',
    'SQL_Date__c',
    'Source_External_Id__c',
    'Source_System__c',
    'Qualified_At__c',
    'Is_SQL__c',
    'SAL_SLA_Breached__c'
  ],
  Account: ['Website_Domain__c'],
  Opportunity: ['MQL_Date__c', 'SQL_Date__c', 'Won_Date__c', 'Source_Lead_Id__c'],
  Funnel_Stage_Change__c: [
    'Lead__c',
    'Opportunity__c',
    'Contact__c',
    'From_Stage__c',
    'To_Stage__c',
    'Entered_At__c',
    'Exited_At__c',
    'Duration_Hours__c',
    'Channel__c',
    'Source_System__c',
    'External_Id__c'
  ]
};

export const PACKAGE_PERMISSION_SETS = [
  'Leadflow_Integration',
  'Leadflow_Admin',
  'Leadflow_Sales_Rep'
] as const;
/** Permission sets that give the service user enough access to run every job. */
export const SERVICE_PERMISSION_SETS = ['Leadflow_Integration', 'Leadflow_Admin'];

/**
 * The post-install checklist (docs/admin-guide.md, "Post-install checklist"): what `sf project deploy start`
 * must have put in the org, checked by `leadflow doctor`. Layout and record page assignment and the Lead
 * Settings are not readable through the REST API; doctor lists them as manual steps.
 */
export const POST_INSTALL = {
  /** Custom permissions the service user must hold (Leadflow_Integration grants both). */
  bypassPermissions: [
    {
      check: 'conversion guard bypass',
      permission: 'Leadflow_Bypass_Conversion_Guard',
      whyNeeded: "the org's guard re-checks every conversion the service makes"
    },
    {
      check: 'routing bypass',
      permission: 'Leadflow_Bypass_Routing',
      whyNeeded: 'the Lead trigger re-routes every lead the service inserts, overriding the owner ingest chose'
    }
  ],
  permissionSetGroups: ['Leadflow_Sales_Reps', 'Leadflow_Sales_Managers', 'Leadflow_Integration_Users'],
  trigger: 'LeadTrigger',
  validationRule: { object: 'Lead', name: 'Require_Qualification_To_Convert' },
  reports: [
    'Lead_to_SQL_Rate_by_Channel',
    'Lead_to_Sale_by_Month',
    'Lead_to_Sale_by_Quarter',
    'Lead_to_Sale_by_Year',
    'Time_in_Stage',
    'SAL_SLA_Breaches',
    'Recycles_by_Reason'
  ],
  dashboard: 'Lead_to_Cash',
  manualSteps: [
    'page layout "Leadflow Lead Layout" assigned to the sales profiles (Convert Qualified Lead action)',
    'record page "Leadflow Lead Record Page" activated',
    'Lead Settings: Require Validation for Converted Leads on'
  ]
} as const;
