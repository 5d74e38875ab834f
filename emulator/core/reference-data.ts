/**
 * Rows every org has before anyone writes: the Organization, the admin and two sales users, the
 * LeadStatus and OpportunityStage picklist rows, and the package's custom metadata records.
 * Ids are fixed so they are the same in every data dir.
 */
import { customMetadataDefaults } from './custom-metadata';
import { fixedId } from './ids';
import type { LoadedSchema } from './schema';
import { FORECAST_CATEGORY_NAMES, LEAD_STATUSES, OPPORTUNITY_STAGES } from './standard-objects';
import type { SObjectRecord, Schema } from './types';

export const DEFAULT_ORG_ID = '00D000000000001AAA';
export const ADMIN_USER_ID = '005000000000001AAA';
export const SALES_USER_IDS = [fixedId('005', 2), fixedId('005', 3)] as const;
/** Fixed creation time of reference rows, so they do not change between restarts. */
const ORG_CREATED = '2024-01-01T00:00:00.000Z';

function audit(createdById = ADMIN_USER_ID): SObjectRecord {
  return {
    IsDeleted: false,
    CreatedDate: ORG_CREATED,
    CreatedById: createdById,
    LastModifiedDate: ORG_CREATED,
    LastModifiedById: createdById,
    SystemModstamp: ORG_CREATED
  };
}

function user(id: string, first: string, last: string, username: string, alias: string, title: string): SObjectRecord {
  return {
    Id: id,
    ...audit(),
    Username: username,
    FirstName: first,
    LastName: last,
    Name: `${first} ${last}`,
    Alias: alias,
    Email: username,
    CommunityNickname: alias,
    IsActive: true,
    TimeZoneSidKey: 'GMT',
    LocaleSidKey: 'en_US',
    EmailEncodingKey: 'UTF-8',
    LanguageLocaleKey: 'en_US',
    ProfileId: fixedId('00e', 1),
    UserType: 'Standard',
    Title: title,
    CompanyName: 'Leadflow Local'
  };
}

/** Reference rows by object name (canonical field names). */
export function referenceRows(schema: Schema | LoadedSchema, orgId = DEFAULT_ORG_ID): Map<string, SObjectRecord[]> {
  const rows = new Map<string, SObjectRecord[]>();
  rows.set('Organization', [
    {
      Id: orgId,
      ...audit(),
      Name: 'Leadflow Local',
      IsSandbox: false,
      OrganizationType: 'Developer Edition',
      InstanceName: 'EMU1',
      DefaultLocaleSidKey: 'en_US',
      LanguageLocaleKey: 'en_US',
      TimeZoneSidKey: 'GMT',
      DefaultCurrencyIsoCode: 'USD',
      Country: 'US'
    }
  ]);
  rows.set('User', [
    user(ADMIN_USER_ID, 'Admin', 'User', 'admin@leadflow.local', 'admin', 'Administrator'),
    user(SALES_USER_IDS[0], 'Sam', 'Seller', 'sam.seller@leadflow.local', 'sseller', 'Account Executive'),
    user(SALES_USER_IDS[1], 'Riley', 'Rep', 'riley.rep@leadflow.local', 'rrep', 'Sales Development Rep')
  ]);
  rows.set(
    'LeadStatus',
    LEAD_STATUSES.map((s, i) => ({
      Id: fixedId('01J', i + 1),
      ...audit(),
      MasterLabel: s.label,
      ApiName: s.label,
      SortOrder: i + 1,
      IsDefault: s.isDefault,
      IsConverted: s.isConverted
    }))
  );
  rows.set(
    'OpportunityStage',
    OPPORTUNITY_STAGES.map((s, i) => ({
      Id: fixedId('01J', 101 + i),
      ...audit(),
      MasterLabel: s.label,
      ApiName: s.label,
      IsActive: true,
      SortOrder: i + 1,
      IsClosed: s.isClosed,
      IsWon: s.isWon,
      ForecastCategory: s.forecastCategory,
      ForecastCategoryName: FORECAST_CATEGORY_NAMES[s.forecastCategory],
      DefaultProbability: s.probability
    }))
  );
  if ('customMetadataRecords' in schema) {
    for (const [type, records] of customMetadataDefaults(schema)) rows.set(type, records.map((r) => ({ ...audit(), ...r })));
  }
  return rows;
}
