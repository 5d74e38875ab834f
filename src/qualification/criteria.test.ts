import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../shared/errors';
import { loadCriteriaFile, loadCriteriaFromOrg } from './criteria';
import { parseQualificationConfig } from './config';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-criteria-'));
const write = (name: string, content: unknown) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
};
const errorOf = (fn: () => unknown): ConfigError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('loadCriteriaFile', () => {
  it('should combine presets and custom criteria, custom replacing a preset criterion by name', () => {
    const p = write('ok.json', {
      presets: ['BANT', 'ICP'],
      criteria: [{ developerName: 'ICP_Industry', label: 'Retail', field: 'Industry', operator: 'equals', value: 'Retail', weight: 7 }],
      thresholds: { hotMinScore: 80 }
    });
    const model = loadCriteriaFile(p);
    expect(model.criteria).toHaveLength(7);
    expect(model.criteria.find((c) => c.developerName === 'ICP_Industry')).toMatchObject({ operator: 'equals', weight: 7, framework: 'Custom', active: true });
    expect(model.thresholds).toEqual({ hotMinScore: 80, warmMinScore: 40, fitWeight: 0.6, engagementWeight: 0.4 });
  });

  it('should name the path within the file and the reason when an operator is unknown', () => {
    const p = write('bad-op.json', { criteria: [{ developerName: 'A', label: 'A', field: 'Industry', operator: 'isSet', weight: 1 }, { developerName: 'B', label: 'B', field: 'Industry', operator: 'startsWith', value: 'x', weight: 1 }] });
    const err = errorOf(() => loadCriteriaFile(p));
    expect(err.issues).toEqual([{ path: 'criteria[1].operator', message: expect.stringContaining('Unknown operator "startsWith"') }]);
    expect(err.message).toContain(p);
    expect(err.message).toContain('criteria[1].operator');
  });

  it.each([
    [{ criteria: [{ developerName: 'A', label: 'A', field: 'X', operator: 'greaterThan', value: 'ten', weight: 1 }] }, 'criteria[0].value', 'decimal number'],
    [{ criteria: [{ developerName: 'A', label: 'A', field: 'X', operator: 'isSet', weight: -1 }] }, 'criteria[0].weight', '>= 0'],
    [{ criteria: [{ developerName: 'A', label: 'A', field: 'X', operator: 'withinNextDays', value: '1.5', weight: 1 }] }, 'criteria[0].value', 'whole number'],
    [{ presets: ['SPICED'] }, 'presets[0]', ''],
    [{ presets: ['BANT'], thresholds: { fitWeight: 'high' } }, 'thresholds.fitWeight', ''],
    [{ presets: ['BANT'], extra: 1 }, '', 'extra'],
    [{ criteria: [{ developerName: 'A', label: 'A', field: 'X', operator: 'isSet', weight: 1 }, { developerName: 'A', label: 'A2', field: 'Y', operator: 'isSet', weight: 1 }] }, 'criteria[1].developerName', 'duplicate'],
    [{}, '', 'presets']
  ])('should reject %j at %s', (content, at, reason) => {
    const err = errorOf(() => loadCriteriaFile(write('bad.json', content)));
    expect(err.issues.map((i) => i.path)).toContain(at);
    expect(err.issues.find((i) => i.path === at)?.message).toContain(reason);
  });

  it('should report invalid JSON and unreadable files clearly', () => {
    expect(errorOf(() => loadCriteriaFile(write('syntax.json', '{"presets": ['))).message).toMatch(/not valid JSON/);
    expect(errorOf(() => loadCriteriaFile(path.join(dir, 'missing.json'))).code).toBe('CONFIG_UNREADABLE');
  });
});

describe('parseQualificationConfig', () => {
  it('should apply defaults', () => {
    const c = parseQualificationConfig(undefined);
    expect(c.engagement.halfLifeDays).toBe(30);
    expect(c.sweep.bulkThreshold).toBe(2000);
    expect(c.timeZone).toBe('UTC');
  });
  it('should give key paths for bad values', () => {
    const err = errorOf(() => parseQualificationConfig({ engagement: { halfLifeDays: 0 }, timeZone: 'Mars/Olympus' }));
    expect(err.issues.map((i) => i.path).sort()).toEqual(['qualification.engagement.halfLifeDays', 'qualification.timeZone']);
  });
});

describe('loadCriteriaFromOrg', () => {
  const org = (criteria: Record<string, unknown>[], thresholds: Record<string, unknown>[]) => ({
    rest: { query: jest.fn(async (soql: string) => (soql.includes('Scoring_Threshold__mdt') ? thresholds : criteria)) }
  });
  const record = (o: Record<string, unknown>) => ({ DeveloperName: 'A', MasterLabel: 'A label', Framework__c: 'BANT', Field__c: 'Industry', Operator__c: 'isSet', Value__c: null, Weight__c: 10, Required_For_Conversion__c: true, Active__c: true, Sort_Order__c: 5, ...o });

  it('should map custom metadata records and the Default threshold', async () => {
    const model = await loadCriteriaFromOrg(org([record({}), record({ DeveloperName: 'B', Active__c: false })], [{ DeveloperName: 'Default', Hot_Min_Score__c: 75, Warm_Min_Score__c: 45, Fit_Weight__c: 0.5, Engagement_Weight__c: 0.5 }]) as never);
    expect(model.criteria).toEqual([
      { developerName: 'A', label: 'A label', framework: 'BANT', field: 'Industry', operator: 'isSet', value: null, weight: 10, requiredForConversion: true, active: true, sortOrder: 5 },
      expect.objectContaining({ developerName: 'B', active: false })
    ]);
    expect(model.thresholds).toEqual({ hotMinScore: 75, warmMinScore: 45, fitWeight: 0.5, engagementWeight: 0.5 });
  });

  it('should refuse an active record with an unknown operator, naming it', async () => {
    await expect(loadCriteriaFromOrg(org([record({ DeveloperName: 'Bad', Operator__c: 'like' })], []) as never)).rejects.toThrow(/Qualification_Criterion__mdt\.Bad\.operator: Unknown operator "like"/);
  });

  it('should ignore a broken inactive record and default the thresholds', async () => {
    const model = await loadCriteriaFromOrg(org([record({ DeveloperName: 'Bad', Operator__c: 'like', Active__c: false })], []) as never);
    expect(model.criteria).toEqual([]);
    expect(model.thresholds.hotMinScore).toBe(70);
  });
});
