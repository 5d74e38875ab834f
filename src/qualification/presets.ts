/**
 * The default criteria shipped as Custom Metadata records in force-app (README-TEAM.md), as data, so a
 * criteria file can say `"presets": ["BANT", "ICP"]` and runs without an org read the same rules.
 */
import type { CriterionInput, Framework } from './types';

const BANT: CriterionInput[] = [
  { developerName: 'Budget_Confirmed', label: 'Budget confirmed', framework: 'BANT', field: 'Budget_Confirmed__c', operator: 'isTrue', value: null, weight: 25, requiredForConversion: true, active: true, sortOrder: 10 },
  { developerName: 'Budget_Amount', label: 'Budget of at least 10,000', framework: 'BANT', field: 'Budget_Amount__c', operator: 'greaterOrEqual', value: '10000', weight: 10, requiredForConversion: false, active: true, sortOrder: 20 },
  { developerName: 'Authority_Decision_Maker', label: 'Decision maker or influencer', framework: 'BANT', field: 'Authority_Level__c', operator: 'in', value: 'Decision Maker;Influencer', weight: 20, requiredForConversion: true, active: true, sortOrder: 30 },
  { developerName: 'Need_Identified', label: 'Need identified', framework: 'BANT', field: 'Need_Identified__c', operator: 'isTrue', value: null, weight: 20, requiredForConversion: true, active: true, sortOrder: 40 },
  { developerName: 'Timeline_Within_Six_Months', label: 'Purchase within six months', framework: 'BANT', field: 'Purchase_Timeline__c', operator: 'in', value: 'Immediate;1-3 Months;3-6 Months', weight: 15, requiredForConversion: false, active: true, sortOrder: 50 }
];

/** Shipped inactive in the org; a preset here activates them (that is why one asks for it). */
const MEDDIC: CriterionInput[] = [
  { developerName: 'MEDDIC_Metrics', label: 'Metrics defined', framework: 'MEDDIC', field: 'Metrics__c', operator: 'isSet', value: null, weight: 10, requiredForConversion: false, active: true, sortOrder: 110 },
  { developerName: 'MEDDIC_Economic_Buyer', label: 'Economic buyer known', framework: 'MEDDIC', field: 'Economic_Buyer__c', operator: 'isSet', value: null, weight: 10, requiredForConversion: false, active: true, sortOrder: 120 },
  { developerName: 'MEDDIC_Decision_Criteria', label: 'Decision criteria known', framework: 'MEDDIC', field: 'Decision_Criteria__c', operator: 'isSet', value: null, weight: 10, requiredForConversion: false, active: true, sortOrder: 130 },
  { developerName: 'MEDDIC_Decision_Process', label: 'Decision process known', framework: 'MEDDIC', field: 'Decision_Process__c', operator: 'isSet', value: null, weight: 10, requiredForConversion: false, active: true, sortOrder: 140 },
  { developerName: 'MEDDIC_Identified_Pain', label: 'Pain identified', framework: 'MEDDIC', field: 'Identified_Pain__c', operator: 'isSet', value: null, weight: 10, requiredForConversion: false, active: true, sortOrder: 150 },
  { developerName: 'MEDDIC_Champion', label: 'Champion identified', framework: 'MEDDIC', field: 'Champion__c', operator: 'isSet', value: null, weight: 10, requiredForConversion: false, active: true, sortOrder: 160 }
];

const ICP: CriterionInput[] = [
  { developerName: 'ICP_Company_Size', label: 'At least 50 employees', framework: 'ICP', field: 'NumberOfEmployees', operator: 'greaterOrEqual', value: '50', weight: 5, requiredForConversion: false, active: true, sortOrder: 60 },
  { developerName: 'ICP_Industry', label: 'Target industry', framework: 'ICP', field: 'Industry', operator: 'in', value: 'Technology;Finance;Healthcare;Manufacturing', weight: 5, requiredForConversion: false, active: true, sortOrder: 70 }
];

export const PRESETS: Readonly<Record<Exclude<Framework, 'Custom'>, readonly CriterionInput[]>> = { BANT, MEDDIC, ICP };
export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];
