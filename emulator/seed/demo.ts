/**
 * The demo org: sales users in two teams under a manager, accounts, contacts, ~300 leads from eight
 * channels with BANT values and funnel progress, campaigns and members, email/call activity, and
 * opportunities in every stage, spread over the past 18 months.
 *
 * Deterministic (seeded RNG; dates are relative to the day of seeding). Written through the record
 * layer with a clock that walks through history, so CreatedDate, LeadHistory and OpportunityHistory
 * look like the org grew over time. Runs once per data dir (marker table emu_seed), in one transaction.
 */
import { createRecordStore } from '../core/records';
import type { OrgContext, RecordStore, SObjectRecord } from '../core/types';
import { createRng } from '../faults/rng';
import { COMPANIES, PEOPLE, type CompanyName, type PersonName } from './names';

export interface SeedSummary {
  skipped: boolean;
  counts: Record<string, number>;
}

export const DEMO_SEED_NAME = 'demo-v1';
const RNG_SEED = 20240601;
const DAY_MS = 24 * 3600 * 1000;
const HISTORY_DAYS = 540;

export const LEAD_CHANNELS = [
  'Web',
  'Phone Inquiry',
  'Partner Referral',
  'Purchased List',
  'Trade Show',
  'Webinar',
  'LinkedIn',
  'Advertisement'
] as const;
type Channel = (typeof LEAD_CHANNELS)[number];
const CHANNEL_WEIGHTS: Record<Channel, number> = {
  Web: 24,
  'Phone Inquiry': 8,
  'Partner Referral': 10,
  'Purchased List': 14,
  'Trade Show': 10,
  Webinar: 14,
  LinkedIn: 12,
  Advertisement: 8
};
const SOURCE_SYSTEM: Record<Channel, string> = {
  Web: 'webform',
  'Phone Inquiry': 'manual',
  'Partner Referral': 'partner-portal',
  'Purchased List': 'csv',
  'Trade Show': 'csv',
  Webinar: 'hubspot',
  LinkedIn: 'linkedin',
  Advertisement: 'hubspot'
};
const ICP_INDUSTRIES = ['Technology', 'Finance', 'Healthcare', 'Manufacturing'];
const OTHER_INDUSTRIES = ['Retail', 'Education', 'Energy', 'Transportation', 'Consulting', 'Media'];
const AUTHORITY = ['Decision Maker', 'Influencer', 'User', 'Unknown'];
const TIMELINES: Array<[string, number | null]> = [
  ['Immediate', 14],
  ['1-3 Months', 60],
  ['3-6 Months', 135],
  ['6-12 Months', 270],
  ['12+ Months', 450],
  ['Unknown', null]
];
const PRODUCTS = ['Platform', 'Analytics', 'Integrations', 'Services'];
const RECYCLE_REASONS = [
  'No Budget',
  'No Authority',
  'No Need',
  'Bad Timing',
  'Unresponsive',
  'Competitor',
  'SLA Expired',
  'Other'
];
const TITLES = [
  'CEO',
  'CTO',
  'Head of Operations',
  'IT Manager',
  'Procurement Lead',
  'Marketing Director',
  'Data Analyst',
  'VP Sales',
  'Founder'
];
const NEEDS = [
  'Consolidate lead sources into one pipeline',
  'Replace spreadsheets for forecasting',
  'Automate qualification and routing',
  'Integrate the web shop with the CRM',
  'Reporting across subsidiaries'
];
/** Opportunity stages in order; the last two are the closed ones. */
const STAGES = [
  'Prospecting',
  'Qualification',
  'Needs Analysis',
  'Value Proposition',
  'Id. Decision Makers',
  'Perception Analysis',
  'Proposal/Price Quote',
  'Negotiation/Review',
  'Closed Won',
  'Closed Lost'
];

type Rng = () => number;

/** A write replayed later, in time order (see replay()). */
interface Pending {
  at: Date;
  type: string;
  op: 'insert' | 'update';
  record: SObjectRecord;
  userId: string;
}

/** Bulk-ish syncs (marketing activity) are batched per ISO week, record changes per day. */
function bucketOf(pending: Pending): string {
  const day = Math.floor(pending.at.getTime() / DAY_MS);
  const weekly = pending.op === 'insert' && (pending.type === 'Task' || pending.type === 'CampaignMember');
  return weekly ? `w${Math.floor((day + 3) / 7)}` : `d${day}`;
}

class SeedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeedError';
  }
}

function helpers(random: Rng) {
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const chance = (p: number) => random() < p;
  const weighted = <T extends string>(weights: Record<T, number>): T => {
    const entries = Object.entries(weights) as Array<[T, number]>;
    let roll = random() * entries.reduce((sum, [, w]) => sum + w, 0);
    for (const [value, weight] of entries) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return (entries[entries.length - 1] as [T, number])[0];
  };
  return { int, pick, chance, weighted };
}

function dateOnly(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export async function seedDemoOrg(ctx: OrgContext): Promise<SeedSummary> {
  await ctx.db.exec(
    `CREATE TABLE IF NOT EXISTS emu_seed (name text PRIMARY KEY, seeded_at timestamptz NOT NULL, counts jsonb NOT NULL)`
  );
  const done = await ctx.db.query<{ counts: Record<string, number> }>(
    `SELECT counts FROM emu_seed WHERE name = $1`,
    [DEMO_SEED_NAME]
  );
  if (done.rows[0]) return { skipped: true, counts: done.rows[0].counts };

  const random = createRng(RNG_SEED);
  const { int, pick, chance, weighted } = helpers(random);
  const today = new Date(Math.floor(ctx.now().getTime() / DAY_MS) * DAY_MS);
  const start = new Date(today.getTime() - HISTORY_DAYS * DAY_MS);
  /** A working-hours time on the given day offset from the start (clamped to before now). */
  const dayAt = (dayOffset: number): Date => {
    const day = new Date(start.getTime() + dayOffset * DAY_MS);
    day.setUTCHours(int(7, 17), int(0, 59), int(0, 59), int(0, 999));
    return day.getTime() < ctx.now().getTime() ? day : new Date(ctx.now().getTime() - int(60, 3600) * 1000);
  };
  const later = (from: Date, minDays: number, maxDays: number): Date => {
    const next = new Date(from.getTime() + int(minDays * 24, maxDays * 24) * 3600 * 1000);
    return next;
  };
  const isPast = (date: Date) => date.getTime() < ctx.now().getTime();

  let clock = start;
  const store: RecordStore = createRecordStore({
    db: ctx.db,
    schema: ctx.schema,
    now: () => clock,
    orgId: ctx.orgId,
    defaultUserId: ctx.defaultUserId
  });
  const counts: Record<string, number> = {};

  /** Only fields this org's schema has (the package may lack some BANT fields). */
  const known = (type: string, record: SObjectRecord): SObjectRecord => {
    const object = ctx.schema.get(type);
    if (!object) throw new SeedError(`the schema has no ${type}`);
    return Object.fromEntries(
      Object.entries(record).filter(
        ([key, value]) => value !== undefined && object.fieldMap.has(key.toLowerCase())
      )
    );
  };
  const check = (
    type: string,
    verb: string,
    results: Array<{
      success: boolean;
      id: string | null;
      errors: Array<{ statusCode: string; message: string }>;
    }>
  ) => {
    const failed = results.find((r) => !r.success);
    if (failed)
      throw new SeedError(
        `demo seed could not ${verb} ${type}: ${failed.errors.map((e) => `${e.statusCode} ${e.message}`).join('; ')}`
      );
  };
  const insert = async (type: string, record: SObjectRecord, at: Date, userId: string): Promise<string> => {
    clock = at;
    const results = await store.insert(type, [known(type, record)], { allOrNone: true, userId });
    check(type, 'insert', results);
    counts[type] = (counts[type] ?? 0) + 1;
    return results[0]?.id as string;
  };
  const update = async (type: string, record: SObjectRecord, at: Date, userId: string): Promise<void> => {
    clock = at;
    check(type, 'update', await store.update(type, [known(type, record)], { allOrNone: true, userId }));
  };

  // Later writes are queued with their time and replayed in time order, so every record's
  // history moves forward and the org "grows" chronologically. Writes of the same kind in the same
  // day (week, for activity syncs) go to the record layer as one call: one call per record was ~20x slower.
  const queue: Pending[] = [];
  const later$ = (at: Date, type: string, op: Pending['op'], record: SObjectRecord, userId: string) => {
    if (isPast(at)) queue.push({ at, type, op, record, userId });
  };
  const replay = async () => {
    queue.sort((a, b) => a.at.getTime() - b.at.getTime());
    const groups: Array<{ first: Pending; items: Pending[]; ids: Set<string> }> = [];
    const open = new Map<string, (typeof groups)[number]>();
    for (const pending of queue) {
      const key = `${bucketOf(pending)}|${pending.op}|${pending.type}|${pending.userId}`;
      const id = typeof pending.record.Id === 'string' ? pending.record.Id : null;
      let group = open.get(key);
      // Two changes of one record never share a call: the second must see the first.
      if (!group || (id !== null && group.ids.has(id))) {
        group = { first: pending, items: [], ids: new Set() };
        groups.push(group);
        open.set(key, group);
      }
      group.items.push(pending);
      if (id !== null) group.ids.add(id);
    }
    for (const { first, items } of groups) {
      clock = first.at;
      const records = items.map((item) => known(item.type, item.record));
      const opts = { allOrNone: true, userId: first.userId };
      const results =
        first.op === 'insert'
          ? await store.insert(first.type, records, opts)
          : await store.update(first.type, records, opts);
      check(first.type, first.op, results);
      if (first.op === 'insert') counts[first.type] = (counts[first.type] ?? 0) + records.length;
    }
  };

  await store.transaction(async () => {
    // Users: a manager and two teams. Sam Seller and Riley Rep come with every org.
    const admin = ctx.defaultUserId;
    const orgStart = new Date(start.getTime() - 30 * DAY_MS);
    const userBase = {
      TimeZoneSidKey: 'Europe/Berlin',
      LocaleSidKey: 'de_DE',
      EmailEncodingKey: 'UTF-8',
      LanguageLocaleKey: 'en_US',
      ProfileId: '00e000000000001AAA',
      IsActive: true
    };
    const manager = await insert(
      'User',
      {
        ...userBase,
        Username: 'margarete.vogel@leadflow.local',
        FirstName: 'Margarete',
        LastName: 'Vogel',
        Email: 'margarete.vogel@leadflow.local',
        Alias: 'mvogel',
        CommunityNickname: 'mvogel',
        Title: 'Sales Manager',
        Department: 'Sales'
      },
      orgStart,
      admin
    );
    const north = ['005000000000002AAA'];
    const south = ['005000000000003AAA'];
    await update('User', { Id: north[0], Department: 'Sales - North', ManagerId: manager }, orgStart, admin);
    await update('User', { Id: south[0], Department: 'Sales - South', ManagerId: manager }, orgStart, admin);
    const newReps: Array<[string, string, string, string[]]> = [
      ['Andrei', 'Ionescu', 'aionescu', north],
      ['Leila', 'Ahmadi', 'lahmadi', south],
      ['Kenji', 'Sato', 'ksato', south]
    ];
    for (const [first, last, alias, team] of newReps) {
      const username = `${first}.${last}@leadflow.local`.toLowerCase();
      team.push(
        await insert(
          'User',
          {
            ...userBase,
            Username: username,
            FirstName: first,
            LastName: last,
            Email: username,
            Alias: alias,
            CommunityNickname: alias,
            Title: 'Account Executive',
            Department: team === north ? 'Sales - North' : 'Sales - South',
            ManagerId: manager
          },
          orgStart,
          admin
        )
      );
    }
    const reps = [...north, ...south];

    // Campaigns, one or two per channel that runs campaigns.
    const campaignSpecs: Array<[string, string, Channel | 'Email', number, number]> = [
      ['Data Summit Webinar Series', 'Webinar', 'Webinar', 20, 500],
      ['Spring Product Webinar', 'Webinar', 'Webinar', 300, 40],
      ['Hannover Messe', 'Trade Show', 'Trade Show', 60, 6],
      ['Web Summit Lisboa', 'Trade Show', 'Trade Show', 380, 5],
      ['LinkedIn Lead Gen – DACH', 'Advertisement', 'LinkedIn', 90, 200],
      ['Search Ads – Analytics', 'Advertisement', 'Advertisement', 150, 240],
      ['Partner Co-Marketing', 'Partners', 'Partner Referral', 30, 480],
      ['Monthly Newsletter', 'Email', 'Email', 0, 540]
    ];
    const campaigns: Array<{
      id: string;
      name: string;
      channel: Channel | 'Email';
      from: number;
      to: number;
    }> = [];
    for (const [name, type, channel, from, length] of campaignSpecs) {
      const to = Math.min(from + length, HISTORY_DAYS);
      const id = await insert(
        'Campaign',
        {
          Name: name,
          Type: type,
          Status: to >= HISTORY_DAYS ? 'In Progress' : 'Completed',
          StartDate: dateOnly(dayAt(from)),
          EndDate: dateOnly(new Date(start.getTime() + to * DAY_MS)),
          IsActive: to >= HISTORY_DAYS,
          BudgetedCost: int(2, 40) * 1000,
          OwnerId: admin
        },
        dayAt(Math.max(0, from - 10)),
        admin
      );
      campaigns.push({ id, name, channel, from, to });
    }

    // Accounts: the named companies plus generated ones in several languages.
    const generated: CompanyName[] = [];
    const stems: Array<[string[], string[], string, string, string]> = [
      [
        ['Carpați', 'Dunărea', 'Mureș', 'Siret'],
        ['Tehnologii', 'Construcții', 'Distribuție'],
        'SRL',
        'ro',
        'Romania'
      ],
      [
        ['Rhein', 'Alpen', 'Nordsee', 'Schwarzwald'],
        ['Technik', 'Logistik', 'Büromöbel'],
        'GmbH',
        'de',
        'Germany'
      ],
      [['Волга', 'Урал', 'Нева'], ['Технологии', 'Логистика'], 'ООО', 'ru', 'Russia'],
      [['Atlântico', 'Paraná', 'Minho'], ['Tecnologia', 'Logística'], 'Ltda', 'br', 'Brazil']
    ];
    for (const [places, sectors, legal, tld, country] of stems) {
      for (const place of places) {
        for (const sector of sectors) {
          const name = legal === 'ООО' ? `ООО «${place} ${sector}»` : `${place} ${sector} ${legal}`;
          const slug =
            `${place}-${sector}`
              .normalize('NFD')
              .replace(/[^\w-]/g, '')
              .toLowerCase() || `co${generated.length}`;
          generated.push({ name, domain: `${slug}.${tld}`, country, city: place });
        }
      }
    }
    const companies = [...COMPANIES, ...generated].slice(0, 60);
    const accounts: Array<{ id: string; company: CompanyName; owner: string; created: Date }> = [];
    for (const company of companies) {
      const created = dayAt(int(0, 360));
      const owner = pick(reps);
      const industry = chance(0.7) ? pick(ICP_INDUSTRIES) : pick(OTHER_INDUSTRIES);
      const id = await insert(
        'Account',
        {
          Name: company.name,
          Website: `https://www.${company.domain}`,
          Website_Domain__c: company.domain,
          Industry: industry,
          NumberOfEmployees: pick([12, 35, 80, 150, 420, 1200, 5000]),
          AnnualRevenue: int(5, 900) * 100000,
          BillingCity: company.city,
          BillingCountry: company.country,
          Type: chance(0.4) ? 'Customer - Direct' : 'Prospect',
          OwnerId: owner
        },
        created,
        owner
      );
      accounts.push({ id, company, owner, created });
    }

    // Contacts at those accounts.
    for (let i = 0; i < 80; i++) {
      const account = accounts[i % accounts.length] as (typeof accounts)[number];
      const who: PersonName = pick(PEOPLE);
      await insert(
        'Contact',
        {
          AccountId: account.id,
          FirstName: who.first,
          LastName: who.last,
          Email: `${who.email}${i}@${account.company.domain}`,
          Title: pick(TITLES),
          LeadSource: pick(LEAD_CHANNELS),
          MailingCountry: who.country,
          OwnerId: account.owner
        },
        later(account.created, 1, 60),
        account.owner
      );
    }

    // Leads with BANT values; funnel progress and activity are scheduled for later.
    const leadPlans: Array<{
      record: SObjectRecord;
      created: Date;
      createdDay: number;
      owner: string;
      channel: Channel;
      id: string;
    }> = [];
    for (let i = 0; i < 300; i++) {
      const channel = weighted(CHANNEL_WEIGHTS);
      const who: PersonName = PEOPLE[i % PEOPLE.length] as PersonName;
      const company = chance(0.3)
        ? (pick(accounts).company as CompanyName)
        : pick([...COMPANIES, ...generated]);
      // More recent months have more leads (the business grows).
      const createdDay = Math.floor(HISTORY_DAYS * Math.sqrt(random()));
      const created = dayAt(createdDay);
      const team = ['Web', 'LinkedIn', 'Advertisement', 'Webinar'].includes(channel) ? north : south;
      const owner = pick(team);
      const [timeline, timelineDays] = pick(TIMELINES);
      const hasNeed = chance(0.55);
      const system = SOURCE_SYSTEM[channel];
      leadPlans.push({
        record: {
          FirstName: who.first,
          LastName: who.last,
          Company: company.name,
          Email: `${who.email}.${i}@${company.domain}`,
          Phone: `+${int(1, 99)} ${int(100, 999)} ${int(1000000, 9999999)}`,
          Title: pick(TITLES),
          City: company.city,
          Country: company.country,
          Website: `https://www.${company.domain}`,
          Industry: chance(0.65) ? pick(ICP_INDUSTRIES) : pick(OTHER_INDUSTRIES),
          NumberOfEmployees: pick([5, 20, 45, 60, 150, 400, 2000]),
          LeadSource: channel,
          Status: 'Open - Not Contacted',
          OwnerId: owner,
          Budget_Amount__c: chance(0.7) ? int(10, 500) * 500 : undefined,
          Budget_Confirmed__c: chance(0.4),
          Authority_Level__c: pick(AUTHORITY),
          Need_Identified__c: hasNeed,
          Need_Description__c: hasNeed ? pick(NEEDS) : undefined,
          Purchase_Timeline__c: timeline,
          Expected_Purchase_Date__c:
            timelineDays === null ? undefined : dateOnly(new Date(created.getTime() + timelineDays * DAY_MS)),
          Product_Interest__c: pick(PRODUCTS),
          Funnel_Stage__c: 'Name',
          Source_System__c: system,
          Source_External_Id__c: `${system}:${100000 + i}`
        },
        created,
        createdDay,
        owner,
        channel,
        id: ''
      });
    }

    // Leads of the same day and owner are inserted in one call (a web form sync, an import...).
    const byDay = new Map<string, typeof leadPlans>();
    for (const plan of [...leadPlans].sort((x, y) => x.created.getTime() - y.created.getTime())) {
      const key = `${Math.floor(plan.created.getTime() / DAY_MS)}|${plan.owner}`;
      byDay.set(key, [...(byDay.get(key) ?? []), plan]);
    }
    for (const plans of byDay.values()) {
      clock = (plans[0] as (typeof plans)[number]).created;
      const results = await store.insert(
        'Lead',
        plans.map((plan) => known('Lead', plan.record)),
        { allOrNone: true, userId: (plans[0] as (typeof plans)[number]).owner }
      );
      check('Lead', 'insert', results);
      results.forEach((result, k) => ((plans[k] as (typeof plans)[number]).id = result.id as string));
      counts.Lead = (counts.Lead ?? 0) + plans.length;
    }

    for (const { id: leadId, channel, created, createdDay, owner } of leadPlans) {
      // Campaign membership: the campaign the lead came from, and the newsletter for some.
      const source =
        campaigns.find((c) => c.channel === channel && createdDay >= c.from && createdDay <= c.to) ??
        campaigns.find((c) => c.channel === channel);
      if (source)
        later$(
          created,
          'CampaignMember',
          'insert',
          { CampaignId: source.id, LeadId: leadId, Status: 'Responded' },
          admin
        );
      const newsletter = campaigns.find((c) => c.channel === 'Email') as (typeof campaigns)[number];
      if (chance(0.4)) {
        const sent = later(created, 1, 20);
        later$(
          sent,
          'CampaignMember',
          'insert',
          { CampaignId: newsletter.id, LeadId: leadId, Status: chance(0.3) ? 'Responded' : 'Sent' },
          admin
        );
      }

      // Funnel: Name -> Engaged -> MQL -> SAL -> SQL, with recycling along the way.
      let at = created;
      const step = (fields: SObjectRecord, when: Date) =>
        later$(when, 'Lead', 'update', { Id: leadId, ...fields }, owner);
      if (!chance(0.6)) continue;
      at = later(at, 1, 25);
      const engagedAt = at;
      step({ Funnel_Stage__c: 'Engaged' }, engagedAt);
      // Email engagement arrives from the marketing tool (integration user = admin).
      for (let k = 0, opens = int(1, 3); k < opens; k++) {
        const openAt = later(engagedAt, 0, 30);
        const mail =
          pick(campaigns.filter((c) => c.channel === 'Email' || c.channel === channel)) ?? newsletter;
        const email = {
          WhoId: leadId,
          TaskSubtype: 'Email',
          Type: 'Email',
          Status: 'Completed',
          Priority: 'Normal',
          ActivityDate: dateOnly(openAt),
          OwnerId: owner
        };
        later$(openAt, 'Task', 'insert', { ...email, Subject: `Email opened: ${mail.name}` }, admin);
        if (chance(0.4))
          later$(
            new Date(openAt.getTime() + 60000),
            'Task',
            'insert',
            { ...email, Subject: `Email link clicked: ${mail.name}` },
            admin
          );
      }
      if (!chance(0.58)) continue;
      at = later(at, 2, 30);
      const mqlAt = at;
      step(
        {
          Funnel_Stage__c: 'MQL',
          MQL_Date__c: mqlAt.toISOString(),
          Status: 'Working - Contacted',
          SAL_Accept_By__c: new Date(mqlAt.getTime() + 2 * DAY_MS).toISOString()
        },
        mqlAt
      );
      const callAt = later(mqlAt, 0, 3);
      later$(
        callAt,
        'Task',
        'insert',
        {
          WhoId: leadId,
          Subject: 'Call',
          TaskSubtype: 'Call',
          Type: 'Call',
          CallType: 'Outbound',
          CallDurationInSeconds: int(30, 1800),
          CallDisposition: pick(['Connected', 'Left voicemail', 'No answer']),
          Status: 'Completed',
          Priority: 'Normal',
          ActivityDate: dateOnly(callAt),
          OwnerId: owner
        },
        owner
      );
      if (chance(0.25)) {
        const recycledAt = later(mqlAt, 3, 40);
        step(
          {
            Funnel_Stage__c: 'Recycled',
            Recycle_Reason__c: pick(RECYCLE_REASONS),
            Status: 'Closed - Not Converted'
          },
          recycledAt
        );
        continue;
      }
      if (!chance(0.6)) continue;
      at = later(at, 0, 2);
      const salAt = at;
      step({ Funnel_Stage__c: 'SAL', SAL_Accepted_Date__c: salAt.toISOString() }, salAt);
      if (!chance(0.6)) continue;
      at = later(at, 3, 30);
      const sqlAt = at;
      step(
        {
          Funnel_Stage__c: 'SQL',
          SQL_Date__c: sqlAt.toISOString(),
          Budget_Confirmed__c: true,
          Need_Identified__c: true,
          Authority_Level__c: 'Decision Maker'
        },
        sqlAt
      );
    }

    // Opportunities: each walks through the stages up to a target stage, so every stage is present.
    for (let i = 0; i < 80; i++) {
      const account = pick(accounts);
      const target = i % STAGES.length;
      const path =
        target >= 8
          ? [...STAGES.slice(0, 8 - int(0, 5)), STAGES[target] as string]
          : STAGES.slice(0, target + 1);
      const gap = int(6, 18);
      const latestStart = HISTORY_DAYS - path.length * gap - 2;
      const created = dayAt(int(Math.max(0, latestStart - 360), Math.max(0, latestStart)));
      const amount = int(8, 300) * 1000;
      const name = `${account.company.name} – ${pick(PRODUCTS)}`;
      const oppId = await insert(
        'Opportunity',
        {
          Name: name,
          AccountId: account.id,
          StageName: path[0],
          CloseDate: dateOnly(new Date(created.getTime() + int(45, 150) * DAY_MS)),
          Amount: amount,
          LeadSource: pick(LEAD_CHANNELS),
          OwnerId: account.owner,
          MQL_Date__c: new Date(created.getTime() - int(10, 40) * DAY_MS).toISOString(),
          SQL_Date__c: new Date(created.getTime() - int(1, 9) * DAY_MS).toISOString()
        },
        created,
        account.owner
      );
      let at = created;
      for (const stage of path.slice(1)) {
        at = new Date(at.getTime() + gap * DAY_MS + int(0, 23) * 3600 * 1000);
        const when = at;
        const closing = stage === 'Closed Won' || stage === 'Closed Lost';
        const fields: SObjectRecord = { Id: oppId, StageName: stage };
        if (closing) fields.CloseDate = dateOnly(when);
        if (stage === 'Closed Won') fields.Won_Date__c = dateOnly(when);
        if (stage === 'Proposal/Price Quote' && chance(0.5))
          fields.Amount = Math.round(amount * (0.8 + random() * 0.5));
        later$(when, 'Opportunity', 'update', fields, account.owner);
      }
    }

    await replay();

    clock = ctx.now();
    await ctx.db.query(`INSERT INTO emu_seed (name, seeded_at, counts) VALUES ($1, $2, $3)`, [
      DEMO_SEED_NAME,
      ctx.now().toISOString(),
      JSON.stringify(counts)
    ]);
  });
  return { skipped: false, counts };
}
