import type { GateResult } from '../types';
import { checkApex } from './check-apex';
import { checkCustomMetadata, checkValidationRules } from './check-data';
import { checkPermissionSets } from './check-permissions';
import { checkReports } from './check-reports';
import { checkFlexiPages, checkLayouts, checkLwcImports, checkQuickActions } from './check-ui';
import { FindingSink } from './report';
import { PackageSchema } from './schema';

/** The metadata cross-reference gate: every reference between package files resolves to something of a fitting type. */
export async function runCrossReference(projectDir: string): Promise<GateResult> {
  const started = Date.now();
  const schema = new PackageSchema(projectDir);
  const sink = new FindingSink(projectDir);
  await checkPermissionSets(schema, sink);
  await checkLayouts(schema, sink);
  await checkFlexiPages(schema, sink);
  await checkQuickActions(schema, sink);
  await checkLwcImports(schema, sink);
  await checkCustomMetadata(schema, sink);
  await checkValidationRules(schema, sink);
  await checkApex(schema, sink);
  await checkReports(schema, sink);
  return { gate: 'cross-reference', errors: sink.findings, notes: [], durationMs: Date.now() - started };
}
