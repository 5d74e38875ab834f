/**
 * Org facts the funnel needs besides history: the opportunity stages in the org's sort order (with their
 * closed/won flags) and the org currency. Read during `leadflow history` in the same Composite request as
 * the history queries (no extra API call) and kept in the store, so `leadflow report` works offline.
 */
import { z } from 'zod';
import type { OpportunityStageInfo } from '../reports';
import type { Queryable } from '../store/types';

/** SOQL for the org's stages; SortOrder is the order describe lists StageName's picklist values in. */
export const OPPORTUNITY_STAGE_SOQL =
  'SELECT ApiName, MasterLabel, SortOrder, IsActive, IsClosed, IsWon FROM OpportunityStage ORDER BY SortOrder';
export const ORG_CURRENCY_SOQL = 'SELECT DefaultCurrencyIsoCode FROM Organization LIMIT 1';

const stageRow = z.object({
  ApiName: z.string().nullish(),
  MasterLabel: z.string(),
  SortOrder: z.number().nullish(),
  IsActive: z.boolean().nullish(),
  IsClosed: z.boolean().nullish(),
  IsWon: z.boolean().nullish()
});
const orgRow = z.object({ DefaultCurrencyIsoCode: z.string().nullish() });

/** OpportunityStage query records -> stage infos in sort order (inactive stages kept: history may use them). */
export function parseOpportunityStages(records: unknown[]): OpportunityStageInfo[] {
  return records
    .map((raw, i) => {
      const r = stageRow.parse(raw);
      return {
        // StageName holds the API name (MasterLabel in orgs older than API v36, where ApiName is absent).
        name: r.ApiName ?? r.MasterLabel,
        sortOrder: r.SortOrder ?? i,
        isActive: r.IsActive ?? true,
        isClosed: r.IsClosed ?? false,
        isWon: r.IsWon ?? false
      };
    })
    .sort((a, b) => a.sortOrder - b.sortOrder);
}

export function parseOrgCurrency(records: unknown[]): string | null {
  const first = records[0];
  return first === undefined ? null : (orgRow.parse(first).DefaultCurrencyIsoCode ?? null);
}

export interface OrgFunnelMeta {
  opportunityStages: OpportunityStageInfo[] | null;
  currency: string | null;
}

const storedStages = z.array(
  z.object({ name: z.string(), sortOrder: z.number(), isActive: z.boolean(), isClosed: z.boolean(), isWon: z.boolean() })
);

export async function readOrgFunnelMeta(store: Queryable): Promise<OrgFunnelMeta> {
  const rows = await store.query<{ key: string; value: unknown }>(`select key, value from hist_org_meta`);
  const get = (key: string) => rows.find((r) => r.key === key)?.value;
  const stages = storedStages.safeParse(get('opportunityStages'));
  const currency = z.string().safeParse(get('currency'));
  return {
    opportunityStages: stages.success && stages.data.length > 0 ? stages.data : null,
    currency: currency.success ? currency.data : null
  };
}

/** How long a stored org currency is trusted before `leadflow history` reads it again (it changes very rarely). */
export const ORG_CURRENCY_MAX_AGE_MS = 24 * 60 * 60_000;

/**
 * Whether the store's org currency needs reading again: missing, or older than ORG_CURRENCY_MAX_AGE_MS. The sync
 * reads it only then, because a Composite request takes at most five queries and the four history queries plus
 * the stage list already fill one: an idle sync stays one API call.
 */
export async function orgCurrencyIsStale(store: Queryable, now: Date): Promise<boolean> {
  const rows = await store.query<{ updated_at: Date | string }>(`select updated_at from hist_org_meta where key = 'currency'`);
  const at = rows[0] ? new Date(rows[0].updated_at).getTime() : Number.NaN;
  return !Number.isFinite(at) || now.getTime() - at > ORG_CURRENCY_MAX_AGE_MS;
}

export async function writeOrgFunnelMeta(store: Queryable, meta: Partial<OrgFunnelMeta>): Promise<void> {
  for (const [key, value] of Object.entries(meta)) {
    if (value === undefined || value === null) continue;
    await store.query(
      `insert into hist_org_meta (key, value, updated_at) values ($1, $2::jsonb, now())
       on conflict (key) do update set value = excluded.value, updated_at = now()`,
      [key, JSON.stringify(value)]
    );
  }
}
