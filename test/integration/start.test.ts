/**
 * `npm start` (scripts/start.ts): the pipeline on an in-process local org, run twice on the same state
 * directory. Steps whose capability is not installed are reported as skipped, never as done.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runStart } from '../../scripts/start';
import { capabilityInstalled, PIPELINE_STEPS, STEP_SOURCES } from '../../src/runtime/capabilities';

describe('npm start', () => {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-start-'));
  afterAll(() => fs.rmSync(stateDir, { recursive: true, force: true }));

  it('should run the pipeline twice on the same data, each time in under a minute', async () => {
    for (const round of [1, 2]) {
      const lines: string[] = [];
      const t0 = Date.now();
      const result = await runStart({ stateDir, log: (l) => lines.push(l) });
      const elapsed = Date.now() - t0;
      expect({ round, failed: result.steps.filter((s) => s.status === 'failed') }).toEqual({ round, failed: [] });
      expect(result.ok).toBe(true);
      expect(elapsed).toBeLessThan(60_000);
      expect(result.steps.map((s) => s.step)).toEqual([...PIPELINE_STEPS]);
      for (const step of result.steps) {
        const installed = STEP_SOURCES[step.step].some((s) => capabilityInstalled(s.capability));
        if (!installed) {
          expect(step.status).toBe('skipped');
          expect(lines.join('\n')).toContain(`${step.step}: skipped:`);
        }
      }
      expect(lines[lines.length - 1]).toMatch(/^Done in \d+\.\d s$/);
      expect(lines.some((l) => l.startsWith('API calls: '))).toBe(true);
      if (result.reportHtml) expect(fs.existsSync(result.reportHtml)).toBe(true);
    }
    expect(fs.existsSync(path.join(stateDir, 'emulator'))).toBe(true);
  });
});
