/**
 * Qualification benchmarks (docs/qualification.md):
 * 1. in-process evaluations per second: 100k leads x 20 criteria (every operator family);
 * 2. API calls for a sweep of 10k leads on the local emulator when 10% changed
 *    (goal: only the changed leads written, <= ceil(changed/200) write calls).
 */
import { compileModel, evaluateLead, engagementScore, runQualify, type Criterion, type EngagementActivity } from '../src/qualification';
import { withRuntime } from '../src/runtime/runtime';
import { createOrgClient } from '../src/salesforce/client';
import { openStore } from '../src/store/store';
import { startEmulator } from '../emulator/server';
import type { BenchResult } from './run';

const TODAY = '2026-01-15';

/** Small deterministic PRNG so runs are comparable. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function criteria20(): Criterion[] {
  const c = (developerName: string, field: string, operator: Criterion['operator'], value: string | null, weight: number, requiredForConversion = false): Criterion => ({
    developerName, label: developerName.replace(/_/g, ' '), framework: 'Custom', field, operator, value, weight, requiredForConversion, active: true, sortOrder: null
  });
  return [
    c('Budget_Confirmed', 'Budget_Confirmed__c', 'isTrue', null, 25, true),
    c('Budget_Amount', 'Budget_Amount__c', 'greaterOrEqual', '10000', 10),
    c('Authority', 'Authority_Level__c', 'in', 'Decision Maker;Influencer', 20, true),
    c('Need', 'Need_Identified__c', 'isTrue', null, 20, true),
    c('Timeline', 'Purchase_Timeline__c', 'in', 'Immediate;1-3 Months;3-6 Months', 15),
    c('Size', 'NumberOfEmployees', 'greaterOrEqual', '50', 5),
    c('Industry', 'Industry', 'in', 'Technology;Finance;Healthcare;Manufacturing', 5),
    c('Metrics', 'Metrics__c', 'isSet', null, 10),
    c('Economic_Buyer', 'Economic_Buyer__c', 'isSet', null, 10),
    c('Champion', 'Champion__c', 'isSet', null, 10),
    c('Pain', 'Identified_Pain__c', 'contains', 'manual', 5),
    c('Not_Student', 'Title', 'notEquals', 'Student', 2),
    c('Country', 'Country', 'notIn', 'North Korea;Iran', 2),
    c('Revenue_Cap', 'AnnualRevenue', 'lessThan', '1000000000', 2),
    c('Revenue_Min', 'AnnualRevenue', 'greaterThan', '100000', 3),
    c('Close_Soon', 'Expected_Purchase_Date__c', 'withinNextDays', '90', 8),
    c('Recent_Activity', 'LastActivityDate', 'withinLastDays', '30', 4),
    c('Product', 'Product_Interest__c', 'equals', 'platform', 3),
    c('No_Competitor', 'Decision_Criteria__c', 'isNotSet', null, 1),
    c('Not_Cold', 'Rating', 'lessOrEqual', '5', 1)
  ];
}

function syntheticLead(rand: () => number): Record<string, unknown> {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const day = (offset: number) => new Date(Date.parse(`${TODAY}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);
  return {
    Budget_Confirmed__c: rand() < 0.4,
    Budget_Amount__c: rand() < 0.8 ? Math.round(rand() * 50000) : null,
    Authority_Level__c: pick(['Decision Maker', 'Influencer', 'User', 'Unknown', null]),
    Need_Identified__c: rand() < 0.6,
    Purchase_Timeline__c: pick(['Immediate', '1-3 Months', '3-6 Months', '6-12 Months', '12+ Months', null]),
    NumberOfEmployees: rand() < 0.9 ? Math.floor(rand() * 5000) : null,
    Industry: pick(['Technology', 'Finance', 'Retail', 'Healthcare', null]),
    Metrics__c: rand() < 0.3 ? 'ARR +20%' : null,
    Economic_Buyer__c: rand() < 0.3 ? 'CFO' : null,
    Champion__c: rand() < 0.3 ? 'Ops lead' : '  ',
    Identified_Pain__c: rand() < 0.5 ? 'Too much manual work' : 'none',
    Title: pick(['CTO', 'Student', 'VP Sales', null]),
    Country: pick(['France', 'Iran', 'USA', null]),
    AnnualRevenue: rand() < 0.8 ? Math.round(rand() * 1e8) : null,
    Expected_Purchase_Date__c: rand() < 0.7 ? day(Math.floor(rand() * 200) - 20) : null,
    LastActivityDate: rand() < 0.7 ? day(-Math.floor(rand() * 90)) : null,
    Product_Interest__c: pick(['Platform', 'Analytics', null]),
    Decision_Criteria__c: rand() < 0.2 ? 'security' : null,
    Rating: pick(['1', '7', null]),
    Engagement_Score__c: Math.floor(rand() * 101)
  };
}

async function evaluationsPerSecond(): Promise<BenchResult[]> {
  const rand = mulberry32(42);
  const leads = Array.from({ length: 100_000 }, () => syntheticLead(rand));
  const model = compileModel({ criteria: criteria20(), thresholds: { hotMinScore: 70, warmMinScore: 40, fitWeight: 0.6, engagementWeight: 0.4 } });
  let qualified = 0;
  for (const lead of leads.slice(0, 5000)) evaluateLead(model, lead, TODAY); // warm-up
  const started = process.hrtime.bigint();
  for (const lead of leads) if (evaluateLead(model, lead, TODAY).convertible) qualified++;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;

  const now = new Date(`${TODAY}T12:00:00Z`);
  const activity: EngagementActivity[] = Array.from({ length: 20 }, (_, i) => ({ type: i % 2 ? 'email_open' : 'page_view', occurredAt: new Date(now.getTime() - i * 3 * 86_400_000) }));
  const eStarted = process.hrtime.bigint();
  for (let i = 0; i < 100_000; i++) engagementScore(activity, now, { halfLifeDays: 30 });
  const eSeconds = Number(process.hrtime.bigint() - eStarted) / 1e9;
  return [
    {
      name: 'evaluations per second (100k leads x 20 criteria)',
      value: Math.round(leads.length / seconds),
      unit: 'leads/s',
      notes: `${seconds.toFixed(2)} s for 100k leads, single thread; ${qualified} convertible; every operator family used`
    },
    {
      name: 'engagement scores per second (20 activities each)',
      value: Math.round(100_000 / eSeconds),
      unit: 'leads/s',
      notes: 'exponential decay, half-life 30 days'
    }
  ];
}

async function sweepApiCalls(): Promise<BenchResult[]> {
  const TOTAL = 10_000;
  const CHANGED = TOTAL / 10;
  const emulator = await startEmulator({ port: 0, quiet: true, seed: 'none', dailyApiLimit: 1_000_000 });
  const client = await createOrgClient({ emulatorUrl: emulator.url, env: {}, bulkPollIntervalMs: 100 });
  const store = await openStore({ dataDir: 'memory://' });
  try {
    const rand = mulberry32(7);
    const records = Array.from({ length: TOTAL }, (_, i) => ({
      LastName: `Bench ${i}`,
      Company: `Bench Co ${i}`,
      Budget_Confirmed__c: rand() < 0.5,
      Authority_Level__c: rand() < 0.5 ? 'Decision Maker' : 'User',
      Need_Identified__c: rand() < 0.7,
      NumberOfEmployees: Math.floor(rand() * 1000),
      Industry: rand() < 0.5 ? 'Technology' : 'Retail'
    }));
    const inserted = await client.bulk.ingest('Lead', 'insert', records);
    const ids = inserted.results.filter((r) => r.success).map((r) => r.id as string);
    const config = { qualification: { sweep: { overlapSeconds: 0 } } };
    const sweep = () => withRuntime({ store, org: client, json: true, config }, (rt) => runQualify(rt, { all: true }));
    await sweep(); // initial scoring of every lead

    // Change 10% of the leads in a way that changes their qualification (toggle Budget confirmed).
    const toChange = ids.slice(0, CHANGED).map((Id, i) => ({ Id, Budget_Confirmed__c: !records[i]?.Budget_Confirmed__c }));
    await client.bulk.ingest('Lead', 'update', toChange);

    const before = client.usage.bySurface();
    const totalBefore = client.usage.total();
    const started = Date.now();
    const s = await sweep();
    const ms = Date.now() - started;
    const after = client.usage.bySurface();
    const delta = (k: string) => (after[k] ?? 0) - (before[k] ?? 0);
    const goal = Math.ceil(CHANGED / 200);
    return [
      {
        name: 'write calls, sweep of 10k leads with 10% changed',
        value: s.writeCalls,
        unit: 'calls',
        baseline: `goal <= ${goal}`,
        baselineValue: goal,
        notes: `${s.changed} changed, ${s.written} written (${s.writeApi}); only changed leads are sent`
      },
      {
        name: 'total API calls, sweep of 10k leads with 10% changed',
        value: client.usage.total() - totalBefore,
        unit: 'calls',
        notes: `by surface: ${Object.keys(after).map((k) => `${k} ${delta(k)}`).filter((x) => !x.endsWith(' 0')).join(', ')}; reads = lead pages + 2 activity queries per 500 leads + criteria + describe`
      },
      { name: 'sweep duration, 10k leads on the emulator', value: Math.round(ms), unit: 'ms', notes: 'in-memory emulator on the same machine' }
    ];
  } finally {
    await client.close();
    await store.close();
    await emulator.close();
  }
}

export async function run(): Promise<BenchResult[]> {
  return [...(await evaluationsPerSecond()), ...(await sweepApiCalls())];
}
