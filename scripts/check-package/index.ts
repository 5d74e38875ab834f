import { runApexLs } from './apex-ls';
import { runConvert } from './convert';
import { runCrossReference } from './crossref';
import { runPmd } from './pmd';
import type { GateName, GateResult } from './types';

export { runApexLs, runConvert, runCrossReference, runPmd };
export type { Finding, GateName, GateResult } from './types';

export const GATES: Record<GateName, (projectDir: string) => Promise<GateResult>> = {
  convert: runConvert,
  'cross-reference': runCrossReference,
  'apex-ls': runApexLs,
  pmd: runPmd
};
