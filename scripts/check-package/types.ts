/** One problem a package gate found. `file` is relative to the project directory when it lies inside it. */
export interface Finding {
  gate: GateName;
  file?: string;
  line?: number;
  /** Analyzer rule or check id, e.g. "ApexCRUDViolation", "apex-ls:Missing", "permissionset-object". */
  rule: string;
  message: string;
}

export type GateName = 'apex-ls' | 'pmd' | 'cross-reference' | 'convert';

export interface GateResult {
  gate: GateName;
  /** Findings that fail the gate. */
  errors: Finding[];
  /** Reported, do not fail the gate (e.g. apex-ls unused-member hints). */
  notes: Finding[];
  durationMs: number;
}

/** The gate could not run at all (no Java, analyzer crashed): distinct from "ran and found problems". */
export class GateRunError extends Error {
  constructor(
    readonly gate: GateName,
    message: string
  ) {
    super(`${gate}: ${message}`);
    this.name = 'GateRunError';
  }
}
