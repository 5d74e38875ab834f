/**
 * Every reason the convert preview gives, worded once. Apex ConvertPreviewReasons.cls holds the same templates
 * (src/conversion/reasons.test.ts compares them), so `leadflow convert --dry-run` and the rep's Convert preview
 * say the same thing. `{0}`.. placeholders are filled in order, as Apex String.format does.
 */
export const REASON_TEMPLATES = {
  CONVERTED_STATUS_INVALID: {
    message: 'The converted status "{0}" is not a Lead Status marked Converted in this org.',
    fix: 'Use one of the converted statuses ({1}), or mark a Lead Status value as Converted in Setup > Lead Status.'
  },
  NO_CONVERTED_STATUS: {
    message: 'This org has no Lead Status marked Converted, so no lead can be converted.',
    fix: 'Mark a Lead Status value as Converted in Setup > Lead Status.'
  },
  REQUIRED_FIELD_UNMAPPED: {
    message: '{0} is required and the conversion leaves it empty.',
    fix: 'Give {0} a default value, make it optional, or map a Lead field to it (Setup > Lead > Map Lead Fields).'
  },
  REQUIRED_FIELD_EMPTY: {
    message: '{0} is required and {1}, which fills it, is empty on this lead.',
    fix: 'Fill in {1} on the lead before converting.'
  },
  VALUE_TOO_LONG: {
    message: '{1} has {2} characters on this lead but {0} holds at most {3}.',
    fix: 'Shorten {1} on the lead to {3} characters, or make {0} longer.'
  },
  TYPE_MISMATCH: {
    message: '{1} ({2}) cannot be copied to {0} ({3}).',
    fix: 'Map {0} from a Lead field of type {3}, or remove that mapping (Setup > Lead > Map Lead Fields).'
  },
  AMBIGUOUS_ACCOUNT: {
    message: '{0} accounts match this lead by {1}: {2}.',
    fix: 'Choose one of these accounts when converting, or merge the duplicate accounts.'
  },
  DUPLICATE_CONTACT: {
    message: 'Contact {0} under another account already has the email {1}: converting creates a second contact.',
    fix: 'Convert into account {2}, the contact\'s, to reuse it, or merge the contacts afterwards.'
  }
} as const;

export type ReasonCode = keyof typeof REASON_TEMPLATES;

export interface PreviewReason {
  code: ReasonCode;
  /** Object.Field the reason is about, e.g. "Contact.Region__c". */
  field: string;
  message: string;
  fix: string;
  /** true: the conversion would fail; false: it would succeed with a side effect (a duplicate contact). */
  blocking: boolean;
}

export function fillTemplate(template: string, args: readonly (string | number)[]): string {
  return template.replace(/\{(\d+)\}/g, (whole, i: string) => (args[Number(i)] === undefined ? whole : String(args[Number(i)])));
}

export function reason(code: ReasonCode, field: string, args: readonly (string | number)[]): PreviewReason {
  const t = REASON_TEMPLATES[code];
  return {
    code,
    field,
    message: fillTemplate(t.message, args),
    fix: fillTemplate(t.fix, args),
    blocking: code !== 'DUPLICATE_CONTACT'
  };
}

/** One line for the table and the log: "Contact.Region__c: ... Fix: ...". */
export function reasonLine(r: PreviewReason): string {
  return `${r.field}: ${r.message} Fix: ${r.fix}`;
}
