/**
 * Runs the shared SAL clock vectors (force-app/main/default/staticresources/SalSlaVectors.json) through the
 * service's decideSla. Apex SalSlaVectorsTest runs the same file through SalSlaRule.decide, so the service's
 * SLA job and the in-org SalSlaExpiryJob take the same decision for the same lead.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { decideSla } from './sla';

const VECTOR_FILE = path.join(__dirname, '../../force-app/main/default/staticresources/SalSlaVectors.json');

const instant = z.string().datetime({ offset: true }).nullable();
const vectorFile = z.object({
  vectors: z
    .array(
      z.object({
        name: z.string(),
        now: z.string().datetime({ offset: true }),
        rule: z.object({
          acceptWithinDays: z.number().positive(),
          action: z.enum(['flag', 'escalate', 'recycle'])
        }),
        lead: z.object({
          funnelStage: z.string().nullable(),
          status: z.string().nullable(),
          isConverted: z.boolean(),
          mqlDate: instant,
          mqlEnteredAt: instant,
          salAcceptedDate: instant,
          salAcceptBy: instant
        }),
        expected: z.object({
          waiting: z.boolean(),
          clockStart: instant,
          acceptBy: instant,
          stamp: z.boolean(),
          expired: z.boolean(),
          outcome: z.enum(['not-waiting', 'waiting', 'flag', 'escalate', 'recycle'])
        })
      })
    )
    .min(12)
});

const toDate = (v: string | null) => (v === null ? null : new Date(v));
const { vectors } = vectorFile.parse(JSON.parse(fs.readFileSync(VECTOR_FILE, 'utf8')));

describe('shared SAL clock vectors (decideSla)', () => {
  it('should have unique vector names', () => {
    expect(new Set(vectors.map((v) => v.name)).size).toBe(vectors.length);
  });

  it('should cover every outcome', () => {
    expect(new Set(vectors.map((v) => v.expected.outcome))).toEqual(
      new Set(['not-waiting', 'waiting', 'flag', 'escalate', 'recycle'])
    );
  });

  it.each(vectors.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const decision = decideSla(
      {
        funnelStage: v.lead.funnelStage,
        status: v.lead.status,
        isConverted: v.lead.isConverted,
        mqlDate: toDate(v.lead.mqlDate),
        mqlEnteredAt: toDate(v.lead.mqlEnteredAt),
        salAcceptedDate: toDate(v.lead.salAcceptedDate),
        salAcceptBy: toDate(v.lead.salAcceptBy)
      },
      v.rule,
      new Date(v.now)
    );
    expect({
      waiting: decision.waiting,
      clockStart: decision.clockStart?.toISOString() ?? null,
      acceptBy: decision.acceptBy?.toISOString() ?? null,
      stamp: decision.stamp,
      expired: decision.expired,
      outcome: decision.outcome
    }).toEqual(v.expected);
  });
});
