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
    'Qualified_At__c'
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

export const PACKAGE_PERMISSION_SETS = ['Leadflow_Integration', 'Leadflow_Admin', 'Leadflow_Sales_Rep'] as const;
/** Permission sets that give the service user enough access to run every job. */
export const SERVICE_PERMISSION_SETS = ['Leadflow_Integration', 'Leadflow_Admin'];
