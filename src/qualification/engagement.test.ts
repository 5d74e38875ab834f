import fc from 'fast-check';
import { classifyCampaignResponse, classifyStoredEvent, classifyTask, decayFactor, engagementScore, ENGAGEMENT_TYPES, type EngagementActivity } from './engagement';
import { derivedStage, nextFunnelStage } from './funnel';

const NOW = new Date('2026-01-31T00:00:00Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);
const opts = { halfLifeDays: 30 };

describe('engagementScore', () => {
  it('should halve an activity after one half-life and sum activities', () => {
    expect(engagementScore([{ type: 'form_fill', occurredAt: NOW }], NOW, opts)).toBe(15);
    expect(engagementScore([{ type: 'webinar_attended', occurredAt: daysAgo(30) }], NOW, opts)).toBe(10);
    expect(engagementScore([{ type: 'email_open', occurredAt: NOW }, { type: 'pricing_page_view', occurredAt: NOW }], NOW, opts)).toBe(10);
  });

  it('should weigh a pricing page view more than a page view', () => {
    expect(engagementScore([{ type: 'pricing_page_view', occurredAt: NOW }], NOW, opts)).toBeGreaterThan(engagementScore([{ type: 'page_view', occurredAt: NOW }], NOW, opts));
  });

  it('should cap at 100 and honour explicit weights and configured points', () => {
    const many: EngagementActivity[] = Array.from({ length: 10 }, () => ({ type: 'event_attended', occurredAt: NOW }));
    expect(engagementScore(many, NOW, opts)).toBe(100);
    expect(engagementScore([{ type: 'page_view', occurredAt: NOW, weight: 42 }], NOW, opts)).toBe(42);
    expect(engagementScore([{ type: 'page_view', occurredAt: NOW }], NOW, { halfLifeDays: 30, points: { page_view: 3 } })).toBe(3);
  });

  it('should never be negative, never exceed 100, and never increase as activity ages', () => {
    const activityArb = fc.record({
      type: fc.constantFrom(...ENGAGEMENT_TYPES),
      ageDays: fc.double({ min: -10, max: 400, noNaN: true }),
      weight: fc.option(fc.double({ min: -5, max: 200, noNaN: true }), { nil: undefined })
    });
    fc.assert(
      fc.property(fc.array(activityArb, { maxLength: 30 }), fc.double({ min: 0, max: 100, noNaN: true }), fc.double({ min: 1, max: 120, noNaN: true }), (items, extraAge, halfLife) => {
        const at = (shift: number) => items.map((a) => ({ type: a.type, weight: a.weight, occurredAt: daysAgo(a.ageDays + shift) }));
        const young = engagementScore(at(0), NOW, { halfLifeDays: halfLife });
        const old = engagementScore(at(extraAge), NOW, { halfLifeDays: halfLife });
        expect(young).toBeGreaterThanOrEqual(0);
        expect(young).toBeLessThanOrEqual(100);
        expect(old).toBeGreaterThanOrEqual(0);
        expect(old).toBeLessThanOrEqual(young);
      })
    );
  });

  it('should keep the decay factor in 0..1 and non-increasing in age', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e10, max: 1e11, noNaN: true }), fc.double({ min: 0, max: 1e10, noNaN: true }), (age, more) => {
        const a = decayFactor(age, 30);
        const b = decayFactor(age + more, 30);
        expect(a).toBeGreaterThanOrEqual(0);
        expect(a).toBeLessThanOrEqual(1);
        expect(b).toBeLessThanOrEqual(a);
      })
    );
  });
});

describe('activity classification', () => {
  it.each([
    [{ Subject: 'Email Opened: Spring launch' }, 'email_open'],
    [{ Subject: 'Email Clicked: pricing link' }, 'email_click'],
    [{ Subject: 'RE: your quote', TaskSubtype: 'Email' }, 'email_reply'],
    [{ Subject: 'RE: your quote', TaskSubtype: 'Task' }, null],
    [{ Subject: 'Page View: /pricing' }, 'pricing_page_view'],
    [{ Subject: 'Visited /blog/post' }, 'page_view'],
    [{ Subject: 'Form Submitted: demo request' }, 'form_fill'],
    [{ Subject: 'Webinar Attended: Q1 roadmap' }, 'webinar_attended'],
    [{ Subject: 'Roadmap', Type: 'Webinar' }, 'webinar_attended'],
    [{ Subject: 'Event Attended: summit' }, 'event_attended'],
    [{ Subject: 'Call', TaskSubtype: 'Call', Type: 'Call' }, null],
    [{ Subject: null }, null]
  ])('should classify task %j as %s', (task, expected) => expect(classifyTask(task)).toBe(expected));

  it.each([
    ['Webinar', 'webinar_attended'],
    ['Conference', 'event_attended'],
    ['Trade Show', 'event_attended'],
    ['Email', 'form_fill'],
    [null, 'form_fill']
  ])('should classify a responded %s campaign member as %s', (type, expected) => expect(classifyCampaignResponse(type)).toBe(expected));

  it.each([
    ['page_view', 'https://x.io/pricing', 'pricing_page_view'],
    ['page view', 'https://x.io/pricing?plan=pro', 'pricing_page_view'],
    ['page_view', 'https://x.io/pricingsheet', 'page_view'],
    ['Email Open', null, 'email_open'],
    ['form-submit', null, 'form_fill'],
    ['unsubscribe', null, null]
  ])('should classify stored event %s (%s) as %s', (type, url, expected) => expect(classifyStoredEvent(type, url)).toBe(expected));
});

describe('funnel stage', () => {
  const rules = { targetFitMin: 50, mqlMinScore: 40, salStatuses: ['Working - Contacted'] };
  const r = (o: Partial<{ fitScore: number; engagementScore: number; totalScore: number; grade: 'Hot' | 'Warm' | 'Cold'; convertible: boolean }>) => ({
    fitScore: 0, engagementScore: 0, totalScore: 0, grade: 'Cold' as const, convertible: false, ...o
  });
  const lead = { status: 'Open - Not Contacted', salAcceptedDate: null };

  it.each([
    [r({}), lead, 'Name'],
    [r({ engagementScore: 1 }), lead, 'Engaged'],
    [r({ fitScore: 50 }), lead, 'Target'],
    [r({ fitScore: 49, engagementScore: 3 }), lead, 'Engaged'],
    [r({ grade: 'Warm', totalScore: 40 }), lead, 'MQL'],
    [r({ totalScore: 40 }), lead, 'MQL'],
    [r({}), { status: 'Working - Contacted', salAcceptedDate: null }, 'SAL'],
    [r({}), { status: 'Open - Not Contacted', salAcceptedDate: '2026-01-02T10:00:00.000+0000' }, 'SAL'],
    [r({ convertible: true }), lead, 'SQL']
  ])('should derive %j with %j as %s', (result, l, expected) => expect(derivedStage(result, l, rules)).toBe(expected));

  it('should keep Recycled and never move a lead backwards', () => {
    expect(nextFunnelStage(r({ convertible: true }), { currentStage: 'Recycled', ...lead }, rules)).toBe('Recycled');
    expect(nextFunnelStage(r({ engagementScore: 5 }), { currentStage: 'MQL', ...lead }, rules)).toBe('MQL');
    expect(nextFunnelStage(r({ grade: 'Hot', totalScore: 80 }), { currentStage: 'Engaged', ...lead }, rules)).toBe('MQL');
    expect(nextFunnelStage(r({}), { currentStage: null, ...lead }, rules)).toBe('Name');
  });
});
