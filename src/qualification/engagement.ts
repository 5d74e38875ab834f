/**
 * Engagement scoring from activity: each activity earns points that halve every `halfLifeDays`;
 * the sum is capped to 0..100 and rounded half-up. Classification of org Tasks and CampaignMembers into
 * activity types follows the conventions documented in docs/qualification.md.
 */
export const ENGAGEMENT_TYPES = [
  'email_open',
  'email_click',
  'email_reply',
  'page_view',
  'pricing_page_view',
  'form_fill',
  'webinar_attended',
  'event_attended'
] as const;
export type EngagementType = (typeof ENGAGEMENT_TYPES)[number];

/** Points before decay. A pricing-page view weighs as much as a click; attending a live event most. */
export const DEFAULT_POINTS: Readonly<Record<EngagementType, number>> = {
  email_open: 2,
  email_click: 5,
  email_reply: 10,
  page_view: 1,
  pricing_page_view: 8,
  form_fill: 15,
  webinar_attended: 20,
  event_attended: 25
};

export interface EngagementActivity {
  type: EngagementType;
  occurredAt: Date;
  /** Explicit points (e.g. from an ingested event); the type's points otherwise. */
  weight?: number | null;
  /** Where it came from, for explanations: task, campaign, store:<source>. */
  source?: string;
}

export interface EngagementOptions {
  halfLifeDays: number;
  points?: Partial<Record<EngagementType, number>>;
}

const DAY_MS = 86_400_000;

/** 0.5^(age/halfLife); activity dated in the future counts as now (never more than full weight). */
export function decayFactor(ageMs: number, halfLifeDays: number): number {
  const age = Math.max(0, ageMs);
  return Math.pow(0.5, age / (halfLifeDays * DAY_MS));
}

export function pointsFor(a: EngagementActivity, opts: EngagementOptions): number {
  const base = a.weight ?? opts.points?.[a.type] ?? DEFAULT_POINTS[a.type];
  return Number.isFinite(base) && base > 0 ? base : 0;
}

/** Integer 0..100: round(min(100, sum(points * decay))). */
export function engagementScore(activities: readonly EngagementActivity[], now: Date, opts: EngagementOptions): number {
  let sum = 0;
  for (const a of activities) {
    sum += pointsFor(a, opts) * decayFactor(now.getTime() - a.occurredAt.getTime(), opts.halfLifeDays);
    if (sum >= 100) return 100;
  }
  return Math.round(Math.max(0, sum));
}

/** The Task fields classification reads. */
export interface TaskLike {
  TaskSubtype?: string | null;
  Type?: string | null;
  Subject?: string | null;
}

/**
 * Task conventions (first match wins; Subject compared case-insensitively from its start):
 * - Subject "Email Opened" -> email_open; "Email Clicked" / "Link Clicked" -> email_click;
 *   "Email Replied" / "Reply:" / "RE:" on an Email-subtype task -> email_reply
 * - Subject "Page View" / "Visited" -> page_view, or pricing_page_view when the subject mentions "pricing"
 * - Subject "Form Fill" / "Form Submitted" / "Form Submission" -> form_fill
 * - Type "Webinar" or Subject "Webinar Attended" -> webinar_attended; Type "Event" or Subject "Event Attended" -> event_attended
 * Anything else (calls, outbound emails, to-dos) is sales activity, not lead engagement: ignored.
 */
export function classifyTask(t: TaskLike): EngagementType | null {
  const subject = (t.Subject ?? '').trim().toLowerCase();
  const type = (t.Type ?? '').trim().toLowerCase();
  const subtype = (t.TaskSubtype ?? '').trim().toLowerCase();
  if (subject.startsWith('email opened')) return 'email_open';
  if (subject.startsWith('email clicked') || subject.startsWith('link clicked')) return 'email_click';
  if (subject.startsWith('email replied') || subject.startsWith('reply:')) return 'email_reply';
  if (subtype === 'email' && subject.startsWith('re:')) return 'email_reply';
  if (subject.startsWith('page view') || subject.startsWith('visited')) {
    return subject.includes('pricing') ? 'pricing_page_view' : 'page_view';
  }
  if (subject.startsWith('form fill') || subject.startsWith('form submitted') || subject.startsWith('form submission')) {
    return 'form_fill';
  }
  if (type === 'webinar' || subject.startsWith('webinar attended')) return 'webinar_attended';
  if (type === 'event' || subject.startsWith('event attended')) return 'event_attended';
  return null;
}

/**
 * CampaignMember conventions: only responded members count (HasResponded). Campaign Type "Webinar" ->
 * webinar_attended; "Event", "Conference", "Trade Show", "Seminar / Conference" -> event_attended; any other
 * responded campaign (email, web, content) -> form_fill (a campaign response is a conversion).
 */
export function classifyCampaignResponse(campaignType: string | null | undefined): EngagementType {
  const t = (campaignType ?? '').trim().toLowerCase();
  if (t === 'webinar') return 'webinar_attended';
  if (t === 'event' || t === 'conference' || t === 'trade show' || t === 'seminar / conference') return 'event_attended';
  return 'form_fill';
}

/** Store events (ingest) name their type freely; map the common spellings, URL decides pricing page views. */
export function classifyStoredEvent(type: string, url?: string | null): EngagementType | null {
  const t = type.trim().toLowerCase().replace(/[\s-]+/g, '_');
  const aliases: Record<string, EngagementType> = {
    open: 'email_open',
    email_open: 'email_open',
    email_opened: 'email_open',
    click: 'email_click',
    email_click: 'email_click',
    email_clicked: 'email_click',
    reply: 'email_reply',
    email_reply: 'email_reply',
    email_replied: 'email_reply',
    form_fill: 'form_fill',
    form_submit: 'form_fill',
    form_submission: 'form_fill',
    form: 'form_fill',
    webinar: 'webinar_attended',
    webinar_attended: 'webinar_attended',
    event: 'event_attended',
    event_attended: 'event_attended',
    pricing_page_view: 'pricing_page_view'
  };
  if (t === 'page_view' || t === 'pageview' || t === 'visit') {
    return url && /\/pricing(\b|\/|$|\?)/i.test(url) ? 'pricing_page_view' : 'page_view';
  }
  return aliases[t] ?? null;
}
