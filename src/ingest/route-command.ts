/**
 * `leadflow route --simulate <file> [--definition <json>]`: replays leads through the routing definition
 * and prints who would get each lead plus the fairness report (share vs target per team). Writes
 * nothing: no Salesforce DML, no store rows. Without --definition the package definition is read
 * from the org (read-only queries). The replay starts from an empty fairness state (how the rules
 * spread a file on their own), or with --from-cursors from the org's Routing_Cursor__c rows (what the
 * next leads would get).
 */
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { runCommand } from '../cli';
import type { CommandResult } from '../runtime/types';
import type { LeadflowRuntime } from '../runtime/runtime';
import { UsageError } from '../shared/errors';
import { loadRoutingDefinition } from './routing-definition';
import { cursorStateFromRows } from './routing-ingest';
import {
  emptyRoutingState,
  fairnessReport,
  routeAll,
  routingDefinitionSchema,
  routingLeadSchema,
  type FairnessRow,
  type RoutingDecision,
  type RoutingLead
} from './routing-engine';

export interface SimulateSummary {
  leads: number;
  distribution: Record<string, number>;
  fairness: FairnessRow[];
  decisions: RoutingDecision[];
}

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read the ${what} file ${path}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`the ${what} file ${path} is not valid JSON: ${(err as Error).message}`);
  }
}

/** The leads of a simulate file, or a UsageError naming each bad lead (position, key, field, why). */
export function parseLeadsFile(raw: unknown, file: string): RoutingLead[] {
  const list = Array.isArray(raw) ? raw : raw && typeof raw === 'object' && Array.isArray((raw as { leads?: unknown }).leads) ? (raw as { leads: unknown[] }).leads : null;
  if (!list) throw new UsageError(`the leads file ${file} must be a JSON array of leads, or an object with a "leads" array`);
  const leads: RoutingLead[] = [];
  const problems: string[] = [];
  list.forEach((item, i) => {
    const parsed = routingLeadSchema.safeParse(item);
    if (parsed.success) leads.push(parsed.data);
    else {
      const key = item && typeof item === 'object' && typeof (item as { key?: unknown }).key === 'string' ? ` (key ${(item as { key: string }).key})` : '';
      for (const issue of parsed.error.issues) problems.push(`lead ${i + 1}${key}: ${issue.path.join('.') || '(lead)'}: ${issue.message}`);
    }
  });
  if (problems.length > 0) {
    const shown = problems.slice(0, 10).join('; ');
    throw new UsageError(`the leads file ${file} has ${problems.length} problem(s): ${shown}${problems.length > 10 ? '; ...' : ''}`);
  }
  return leads;
}

export async function simulateRouting(rt: LeadflowRuntime, opts: { file: string; definition?: string; fromCursors?: boolean }): Promise<CommandResult<SimulateSummary>> {
  const leads = parseLeadsFile(await readJson(opts.file, 'leads'), opts.file);
  let definition;
  if (opts.definition) {
    const raw = (await readJson(opts.definition, 'definition')) as { definition?: unknown };
    const parsed = routingDefinitionSchema.safeParse(raw && typeof raw === 'object' && 'definition' in raw ? raw.definition : raw);
    if (!parsed.success) throw new UsageError(`the definition file ${opts.definition} is not a routing definition: ${parsed.error.issues[0]?.message ?? ''} at ${parsed.error.issues[0]?.path.join('.') ?? ''}`);
    definition = parsed.data;
  } else {
    definition = await loadRoutingDefinition(await rt.org());
  }
  const state = opts.fromCursors
    ? cursorStateFromRows(await (await rt.org()).rest.query('SELECT Key__c, Credit__c, Assigned__c, Assigned_On_Day__c, Day__c FROM Routing_Cursor__c')).engine
    : emptyRoutingState();
  const today = rt.now().toISOString().slice(0, 10);
  const decisions = routeAll(leads, definition, state, today);
  const distribution: Record<string, number> = {};
  for (const d of decisions) distribution[d.owner ?? '(unassigned)'] = (distribution[d.owner ?? '(unassigned)'] ?? 0) + 1;
  const fairness = fairnessReport(definition, state);
  const lines = [
    `Simulated ${decisions.length} lead(s) from ${opts.fromCursors ? "the org's routing cursors" : 'an empty fairness state'}; nothing was written.`,
    'Distribution:',
    ...Object.entries(distribution).sort((a, b) => b[1] - a[1]).map(([o, n]) => `  ${o.padEnd(32)} ${String(n).padStart(5)}`),
    'Fairness (share vs target weight):',
    ...fairnessLines(fairness)
  ];
  return { ok: true, summary: { leads: decisions.length, distribution, fairness, decisions }, lines };
}

const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
const fairnessLines = (rows: FairnessRow[]) =>
  rows.map((r) => `  ${r.team.padEnd(18)} ${r.user.padEnd(28)} ${String(r.assigned).padStart(5)}  ${pct(r.share).padStart(6)} vs ${pct(r.target).padStart(6)}`);

export interface FairnessSummary {
  fairness: FairnessRow[];
}

/**
 * `leadflow route --fairness`: each push-team member's cumulative leads and share against their target weight,
 * from the org's Routing_Cursor__c rows (what the service and Apex assigned so far) and the current
 * definition. Read-only.
 */
export async function fairnessFromOrg(rt: LeadflowRuntime): Promise<CommandResult<FairnessSummary>> {
  const org = await rt.org();
  const definition = await loadRoutingDefinition(org);
  const state = cursorStateFromRows(await org.rest.query('SELECT Key__c, Credit__c, Assigned__c, Assigned_On_Day__c, Day__c FROM Routing_Cursor__c')).engine;
  const active = new Set(definition.teams.filter((t) => t.active).map((t) => t.name));
  const fairness = fairnessReport(definition, state).filter((r) => active.has(r.team));
  const lines = active.size
    ? ["Fairness from the org's routing cursors (leads so far, share vs target weight):", ...fairnessLines(fairness)]
    : ['No active Routing Team in the org (Setup > Custom Metadata Types > Routing Team).'];
  return { ok: true, summary: { fairness }, lines };
}

export function registerRouteCommand(program: Command): void {
  program
    .command('route')
    .description('Routing tools (read-only): --simulate replays a leads file through the routing definition and prints the distribution and fairness; --fairness prints share vs target per team from the org')
    .option('--simulate <file>', 'JSON file: array of leads {key, Product_Interest__c, Country, source, day, matchedAccount}')
    .option('--fairness', "share vs target weight per push-team member, from the org's Routing_Cursor__c rows")
    .option('--definition <file>', 'routing definition JSON (default: read Routing_Team__mdt / Routing_Member__mdt / Routing_Out_Of_Office__c from the org)')
    .option('--from-cursors', "start from the org's fairness state (Routing_Cursor__c) instead of an empty one")
    .action(async (opts: { simulate?: string; fairness?: boolean; definition?: string; fromCursors?: boolean }, cmd: Command) => {
      await runCommand(cmd, 'route', async (rt) => {
        if (opts.fairness && opts.simulate === undefined) return fairnessFromOrg(rt);
        if (opts.simulate === undefined || opts.fairness) throw new UsageError('leadflow route needs exactly one of --simulate <file> or --fairness');
        return simulateRouting(rt, { file: opts.simulate, definition: opts.definition, fromCursors: opts.fromCursors });
      });
    });
}
