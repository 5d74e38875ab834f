import type { ColumnMetadata } from '../core/types';
import type { SelectPlan } from './compile';

export async function placeholder(): Promise<void> {}
export function buildColumns(plan: SelectPlan): { columnMetadata: ColumnMetadata[]; entityName: string; groupBy: boolean; idSelected: boolean; keyPrefix: string | null } {
  return { columnMetadata: [], entityName: plan.object.name, groupBy: plan.kind === 'aggregate', idSelected: false, keyPrefix: plan.object.keyPrefix };
}
