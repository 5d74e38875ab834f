/** Demo org seed (filled in below). */
import type { OrgContext } from '../core/types';

export interface SeedSummary {
  skipped: boolean;
  counts: Record<string, number>;
}

export async function seedDemoOrg(_ctx: OrgContext): Promise<SeedSummary> {
  throw new Error('The demo seed is not implemented yet');
}
