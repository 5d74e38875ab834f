/**
 * Reads the routing definition admins edit in the org (custom metadata Routing_Team__mdt and
 * Routing_Member__mdt, custom object Routing_Out_Of_Office__c) into the engine's shape. Multi-value
 * criteria are `;`-separated like the qualification criteria values.
 */
import type { OrgClient, SObjectRecord } from '../salesforce/types';
import { routingDefinitionSchema, type RoutingDefinition } from './routing-engine';

const list = (v: unknown): string[] | undefined => {
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  return v.split(';').map((s) => s.trim()).filter(Boolean);
};
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
const day = (v: unknown): string => String(v).slice(0, 10);

/** The three queries the definition is read from (run separately, or as subrequests of one Composite call). */
export const ROUTING_DEFINITION_SOQL = {
  teams:
    'SELECT DeveloperName, Sort_Order__c, Active__c, Mode__c, Queue__c, Product_Interest__c, Country__c, Source_System__c, Use_Account_Owner__c, Overflow_Owner__c FROM Routing_Team__mdt',
  members: 'SELECT DeveloperName, Team__c, User__c, Weight__c, Daily_Capacity__c, Active__c FROM Routing_Member__mdt ORDER BY Team__c, Sort_Order__c, DeveloperName',
  outOfOffice: 'SELECT Username__c, From__c, To__c FROM Routing_Out_Of_Office__c'
} as const;

export type RoutingDefinitionRows = Record<keyof typeof ROUTING_DEFINITION_SOQL, SObjectRecord[]>;

export async function loadRoutingDefinition(org: OrgClient): Promise<RoutingDefinition> {
  const [teams, members, outOfOffice] = await Promise.all([
    org.rest.query(ROUTING_DEFINITION_SOQL.teams),
    org.rest.query(ROUTING_DEFINITION_SOQL.members),
    org.rest.query(ROUTING_DEFINITION_SOQL.outOfOffice)
  ]);
  return routingDefinitionFromRows({ teams, members, outOfOffice });
}

/** The engine's definition from the rows of ROUTING_DEFINITION_SOQL. */
export function routingDefinitionFromRows({ teams, members, outOfOffice: ooo }: RoutingDefinitionRows): RoutingDefinition {
  return routingDefinitionSchema.parse({
    teams: teams.map((t) => ({
      name: t.DeveloperName,
      sortOrder: Number(t.Sort_Order__c ?? 0),
      active: t.Active__c !== false,
      mode: t.Mode__c === 'Pull' ? 'Pull' : 'Push',
      queue: str(t.Queue__c),
      productInterest: list(t.Product_Interest__c),
      country: list(t.Country__c),
      source: list(t.Source_System__c),
      useAccountOwner: t.Use_Account_Owner__c === true,
      overflowOwner: str(t.Overflow_Owner__c)
    })),
    members: members.map((m) => ({
      team: m.Team__c,
      user: m.User__c,
      weight: m.Weight__c == null ? 1 : Number(m.Weight__c),
      dailyCapacity: m.Daily_Capacity__c == null ? undefined : Number(m.Daily_Capacity__c),
      active: m.Active__c !== false
    })),
    outOfOffice: ooo.map((o) => ({ user: o.Username__c, from: day(o.From__c), to: day(o.To__c) }))
  });
}
