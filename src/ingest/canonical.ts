/**
 * The canonical lead fields a source row is mapped onto before normalisation. Presets and per-source
 * mappings name, for each canonical field, the source column(s) that carry it.
 */
export const CANONICAL_FIELDS = [
  'recordId',
  'firstName',
  'lastName',
  'fullName',
  'email',
  'phone',
  'mobilePhone',
  'company',
  'website',
  'title',
  'street',
  'city',
  'state',
  'postalCode',
  'country',
  'industry',
  'numberOfEmployees',
  'annualRevenue',
  'productInterest',
  'leadSource',
  'campaign',
  'description',
  'updatedAt',
  'pageViews',
  'formFills',
  'emailOpens'
] as const;
export type CanonicalField = (typeof CANONICAL_FIELDS)[number];

/** Engagement that arrives with a lead (JSON `events` array, or CSV counters such as "Number of Pageviews"). */
export interface EngagementInput {
  type: string;
  occurredAt: string | null;
  count: number;
  properties: Record<string, unknown>;
}

/** A source row after column mapping: canonical field -> raw string value (blank cells omitted). */
export interface MappedRow {
  /** Spreadsheet-style row number (CSV: header is row 1) or the 1-based record number (JSON/NDJSON/webhook). */
  row: number;
  values: Partial<Record<CanonicalField, string>>;
  events: EngagementInput[];
}
