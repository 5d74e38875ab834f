/**
 * Column mappings for well-known lead exports. Header names follow each tool's export/import property
 * labels (HubSpot contact properties "First Name", "Email", "Company Name", "Country/Region"...; Marketo
 * person fields "Email Address", "Company Name"...; LinkedIn Lead Gen Form predefined fields; lead
 * retrieval badge-scanner exports). Headers match case-insensitively and ignoring surrounding spaces;
 * several alternatives are listed where exports vary between versions. Override with `mapping`.
 */
import type { CanonicalField } from './canonical';

export const PRESET_NAMES = ['hubspot', 'marketo', 'linkedin', 'badge-scanner'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export type ColumnMapping = Partial<Record<CanonicalField, string | string[]>>;

export interface Preset {
  mapping: ColumnMapping;
  /** Channel recorded in LeadSource when the row has none. */
  leadSource: string;
}

export const PRESETS: Record<PresetName, Preset> = {
  hubspot: {
    leadSource: 'HubSpot',
    mapping: {
      recordId: ['Record ID', 'Contact ID', 'hs_object_id'],
      firstName: ['First Name', 'firstname'],
      lastName: ['Last Name', 'lastname'],
      email: ['Email', 'Email Address', 'email'],
      phone: ['Phone Number', 'Phone', 'phone'],
      mobilePhone: ['Mobile Phone Number', 'mobilephone'],
      company: ['Company Name', 'Company', 'company'],
      website: ['Website URL', 'Website', 'website'],
      title: ['Job Title', 'jobtitle'],
      street: ['Street Address', 'address'],
      city: ['City', 'city'],
      state: ['State/Region', 'State', 'state'],
      postalCode: ['Postal Code', 'Zip Code', 'zip'],
      country: ['Country/Region', 'Country', 'country'],
      industry: ['Industry', 'industry'],
      numberOfEmployees: ['Number of Employees', 'numemployees'],
      annualRevenue: ['Annual Revenue', 'annualrevenue'],
      productInterest: ['Product Interest', 'product_interest'],
      leadSource: ['Original Source', 'Original Traffic Source', 'hs_analytics_source'],
      campaign: ['First Conversion', 'Campaign'],
      description: ['Message', 'Notes'],
      updatedAt: ['Last Modified Date', 'lastmodifieddate'],
      pageViews: ['Number of Pageviews', 'hs_analytics_num_page_views'],
      formFills: ['Number of Form Submissions', 'num_conversion_events'],
      emailOpens: ['Marketing emails opened', 'hs_email_open']
    }
  },
  marketo: {
    leadSource: 'Marketo',
    mapping: {
      recordId: ['Id', 'Marketo ID', 'Lead ID'],
      firstName: ['First Name', 'firstName'],
      lastName: ['Last Name', 'lastName'],
      email: ['Email Address', 'Email', 'email'],
      phone: ['Phone Number', 'Phone', 'phone'],
      mobilePhone: ['Mobile Phone Number', 'mobilePhone'],
      company: ['Company Name', 'Company', 'company'],
      website: ['Website', 'website'],
      title: ['Job Title', 'title'],
      street: ['Address', 'Street', 'address'],
      city: ['City', 'city'],
      state: ['State', 'state'],
      postalCode: ['Postal Code', 'postalCode'],
      country: ['Country', 'country'],
      industry: ['Industry', 'industry'],
      numberOfEmployees: ['Num Employees', 'Number of Employees', 'numberOfEmployees'],
      annualRevenue: ['Annual Revenue', 'annualRevenue'],
      productInterest: ['Product Interest'],
      leadSource: ['Lead Source', 'leadSource'],
      campaign: ['Acquisition Program', 'Campaign'],
      description: ['Comments', 'Notes'],
      updatedAt: ['Updated At', 'updatedAt']
    }
  },
  linkedin: {
    leadSource: 'LinkedIn',
    mapping: {
      recordId: ['Lead ID', 'Id', 'leadId'],
      firstName: ['First Name', 'firstName'],
      lastName: ['Last Name', 'lastName'],
      email: ['Email Address', 'Email', 'Work Email'],
      phone: ['Phone Number', 'Work Phone', 'Phone'],
      company: ['Company Name', 'Company'],
      website: ['Company Website', 'Website'],
      title: ['Job Title', 'Title'],
      city: ['City'],
      state: ['State', 'State/Province'],
      postalCode: ['Zip Code', 'Postal Code'],
      country: ['Country', 'Country/Region'],
      industry: ['Industry'],
      numberOfEmployees: ['Company Size'],
      campaign: ['Campaign Name', 'Campaign'],
      updatedAt: ['Submitted At', 'Date Submitted', 'Submitted On']
    }
  },
  'badge-scanner': {
    leadSource: 'Trade Show',
    mapping: {
      recordId: ['Badge ID', 'Badge Id', 'Registration ID', 'Attendee ID'],
      firstName: ['First Name'],
      lastName: ['Last Name'],
      fullName: ['Full Name', 'Name'],
      email: ['Email', 'Email Address'],
      phone: ['Phone', 'Phone Number', 'Work Phone'],
      mobilePhone: ['Mobile', 'Mobile Phone'],
      company: ['Company', 'Organization', 'Company Name'],
      website: ['Website', 'Company Website'],
      title: ['Title', 'Job Title'],
      street: ['Address', 'Address 1', 'Street'],
      city: ['City'],
      state: ['State', 'State/Province'],
      postalCode: ['Zip', 'Postal Code', 'Zip/Postal Code'],
      country: ['Country'],
      productInterest: ['Product Interest', 'Interest'],
      campaign: ['Event', 'Event Name', 'Show'],
      description: ['Notes', 'Comments'],
      updatedAt: ['Scan Date', 'Scanned At', 'Capture Date']
    }
  }
};

/** The preset's mapping with the source's own entries taking precedence. */
export function resolveMapping(preset: PresetName | undefined, overrides: ColumnMapping | undefined): ColumnMapping {
  return { ...(preset ? PRESETS[preset].mapping : {}), ...(overrides ?? {}) };
}
