/**
 * SOAP convertLead of the emulator through jsforce's real client (conn.soap.convertLead): created
 * records and their field mapping, array calls with per-lead errors, merging into an existing
 * account/contact, the lead's validation rule on conversion (with rollback), converted-lead locking,
 * and the whole-call faults.
 */
import type { Connection } from '@jsforce/jsforce-node';
import { SALES_USER_IDS } from '../../emulator/core/reference-data';
import { endOfQuarter } from '../../emulator/soap';
import { startTestOrg, TEST_API_VERSION, type TestOrg } from '../helpers/emulator';

const CONVERTED = 'Closed - Converted';

interface LeadInput {
  LastName: string;
  Company: string;
  [field: string]: unknown;
}

describe('emulator SOAP convertLead via jsforce', () => {
  let org: TestOrg;
  let conn: Connection;

  beforeAll(async () => {
    org = await startTestOrg();
    conn = org.connection();
  });

  afterAll(async () => {
    await org.close();
  });

  async function createLead(fields: LeadInput): Promise<string> {
    const res = await conn.sobject('Lead').create({ Qualification_Status__c: 'Qualified', ...fields });
    if (!res.success) throw new Error(JSON.stringify(res));
    return res.id;
  }

  async function createRecord(type: string, fields: Record<string, unknown>): Promise<string> {
    const res = await conn.sobject(type).create(fields);
    if (!res.success) throw new Error(JSON.stringify(res));
    return res.id;
  }

  async function soapPost(body: string): Promise<{ status: number; text: string }> {
    const res = await fetch(`${org.url}/services/Soap/u/${TEST_API_VERSION}`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml', SOAPAction: '""' },
      body
    });
    return { status: res.status, text: await res.text() };
  }

  function envelope(bodyXml: string, sessionId = org.accessToken): string {
    return (
      '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">' +
      `<soapenv:Header xmlns="urn:partner.soap.sforce.com"><SessionHeader><sessionId>${sessionId}</sessionId></SessionHeader></soapenv:Header>` +
      `<soapenv:Body xmlns="urn:partner.soap.sforce.com">${bodyXml}</soapenv:Body></soapenv:Envelope>`
    );
  }

  it('should convert one lead into account, contact and opportunity with the standard field mapping', async () => {
    const leadId = await createLead({
      FirstName: 'Grace',
      LastName: 'Hopper',
      Company: 'Navy Systems',
      Email: 'grace@navy.example',
      Phone: '+1 555 0100',
      Title: 'Rear Admiral',
      LeadSource: 'Web',
      Street: '1 Harbor Way',
      City: 'Arlington',
      Country: 'United States',
      Industry: 'Technology',
      NumberOfEmployees: 500
    });
    const result = await conn.soap.convertLead({
      leadId,
      convertedStatus: CONVERTED,
      doNotCreateOpportunity: false
    });
    expect(result).toMatchObject({ success: true, errors: [], leadId });
    expect(result.accountId).toMatch(/^001\w{15}$/);
    expect(result.contactId).toMatch(/^003\w{15}$/);
    expect(result.opportunityId).toMatch(/^006\w{15}$/);

    const lead = await conn.sobject('Lead').retrieve(leadId);
    expect(lead).toMatchObject({
      IsConverted: true,
      Status: CONVERTED,
      ConvertedAccountId: result.accountId,
      ConvertedContactId: result.contactId,
      ConvertedOpportunityId: result.opportunityId
    });
    expect(lead.ConvertedDate).toBe(new Date().toISOString().slice(0, 10));

    const account = await conn.sobject('Account').retrieve(result.accountId as string);
    expect(account).toMatchObject({
      Name: 'Navy Systems',
      Phone: '+1 555 0100',
      BillingCity: 'Arlington',
      Industry: 'Technology',
      NumberOfEmployees: 500
    });
    const contact = await conn.sobject('Contact').retrieve(result.contactId as string);
    expect(contact).toMatchObject({
      FirstName: 'Grace',
      LastName: 'Hopper',
      Email: 'grace@navy.example',
      Title: 'Rear Admiral',
      LeadSource: 'Web',
      MailingStreet: '1 Harbor Way',
      AccountId: result.accountId
    });
    const opportunity = await conn.sobject('Opportunity').retrieve(result.opportunityId as string);
    expect(opportunity).toMatchObject({
      Name: 'Navy Systems-',
      StageName: 'Prospecting',
      CloseDate: endOfQuarter(new Date()),
      AccountId: result.accountId,
      LeadSource: 'Web',
      Amount: null
    });
  });

  it('should convert an array with per-lead results, honouring doNotCreateOpportunity and opportunityName', async () => {
    const a = await createLead({ LastName: 'Array A', Company: 'Array Co A' });
    const b = await createLead({ LastName: 'Array B', Company: 'Array Co B' });
    const c = await createLead({ LastName: 'Array C', Company: 'Array Co C' });
    const results = await conn.soap.convertLead([
      { leadId: a, convertedStatus: CONVERTED, doNotCreateOpportunity: true },
      { leadId: b, convertedStatus: 'Working - Contacted', doNotCreateOpportunity: false },
      { leadId: c, convertedStatus: CONVERTED, doNotCreateOpportunity: false, opportunityName: 'Big Deal' }
    ]);
    expect(results).toHaveLength(3);
    expect(results[0]).toMatchObject({ success: true, opportunityId: null });
    expect(results[1]).toMatchObject({
      success: false,
      accountId: null,
      contactId: null,
      opportunityId: null
    });
    expect(results[1]?.errors).toEqual([
      {
        statusCode: 'INVALID_STATUS',
        message: 'invalid convertedStatus: Working - Contacted',
        fields: ['Status']
      }
    ]);
    expect(results[2]).toMatchObject({ success: true });
    const opp = await conn.sobject('Opportunity').retrieve(results[2]?.opportunityId as string);
    expect(opp.Name).toBe('Big Deal');
    expect((await conn.sobject('Lead').retrieve(b)).IsConverted).toBe(false);
  });

  it('should merge into an existing account and contact, filling only empty fields', async () => {
    const account = { id: await createRecord('Account', { Name: 'Existing Ltd', Phone: '+44 20 0000' }) };
    const contact = {
      id: await createRecord('Contact', {
        LastName: 'Lovelace',
        AccountId: account.id,
        LeadSource: 'Partner'
      })
    };
    const leadId = await createLead({
      LastName: 'Lovelace',
      FirstName: 'Ada',
      Company: 'Ignored Co',
      Phone: '+44 20 9999',
      Website: 'https://existing.example',
      LeadSource: 'Web'
    });
    const result = await conn.soap.convertLead({
      leadId,
      convertedStatus: CONVERTED,
      accountId: account.id,
      contactId: contact.id,
      doNotCreateOpportunity: true,
      overwriteLeadSource: true
    });
    expect(result).toMatchObject({
      success: true,
      accountId: account.id,
      contactId: contact.id,
      opportunityId: null
    });
    const merged = await conn.sobject('Account').retrieve(account.id);
    expect(merged).toMatchObject({
      Name: 'Existing Ltd',
      Phone: '+44 20 0000',
      Website: 'https://existing.example'
    });
    const mergedContact = await conn.sobject('Contact').retrieve(contact.id);
    expect(mergedContact).toMatchObject({ FirstName: 'Ada', LeadSource: 'Web' });
  });

  it('should give the new records and the lead to ownerId', async () => {
    const rep = SALES_USER_IDS[0];
    const leadId = await createLead({ LastName: 'Owned', Company: 'Owner Co' });
    const result = await conn.soap.convertLead({ leadId, convertedStatus: CONVERTED, ownerId: rep, doNotCreateOpportunity: false });
    expect(result.success).toBe(true);
    for (const [type, id] of [
      ['Account', result.accountId],
      ['Contact', result.contactId],
      ['Opportunity', result.opportunityId],
      ['Lead', leadId]
    ] as const) {
      expect((await conn.sobject(type).retrieve(id as string)).OwnerId).toBe(rep);
    }
  });

  it('should refuse a contact that does not belong to the given account', async () => {
    const account = { id: await createRecord('Account', { Name: 'Account One' }) };
    const other = { id: await createRecord('Account', { Name: 'Account Two' }) };
    const contact = { id: await createRecord('Contact', { LastName: 'Elsewhere', AccountId: other.id }) };
    const leadId = await createLead({ LastName: 'Mismatch', Company: 'Mismatch Co' });
    const result = await conn.soap.convertLead({
      leadId,
      convertedStatus: CONVERTED,
      accountId: account.id,
      contactId: contact.id,
      doNotCreateOpportunity: true
    });
    expect(result.success).toBe(false);
    expect(result.errors[0]?.statusCode).toBe('INVALID_CROSS_REFERENCE_KEY');
  });

  it('should fail a lead on its validation rule and roll back the records created for it', async () => {
    const leadId = await createLead({
      LastName: 'Unqualified',
      Company: 'Rollback Corp',
      Qualification_Status__c: 'Not Qualified'
    });
    const result = await conn.soap.convertLead({
      leadId,
      convertedStatus: CONVERTED,
      doNotCreateOpportunity: false
    });
    expect(result.success).toBe(false);
    expect(result.errors[0]).toMatchObject({
      statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      message: expect.stringContaining(
        'This lead cannot be converted: its required qualification criteria are not met.'
      )
    });
    expect((await conn.query("SELECT Id FROM Account WHERE Name = 'Rollback Corp'")).totalSize).toBe(0);
    expect((await conn.query("SELECT Id FROM Contact WHERE LastName = 'Unqualified'")).totalSize).toBe(0);
    expect((await conn.sobject('Lead').retrieve(leadId)).IsConverted).toBe(false);
  });

  it('should lock a converted lead against updates and a second conversion', async () => {
    const leadId = await createLead({ LastName: 'Once', Company: 'Once Inc' });
    expect(
      (await conn.soap.convertLead({ leadId, convertedStatus: CONVERTED, doNotCreateOpportunity: true }))
        .success
    ).toBe(true);
    await expect(conn.sobject('Lead').update({ Id: leadId, LastName: 'Twice' })).rejects.toMatchObject({
      errorCode: 'CANNOT_UPDATE_CONVERTED_LEAD',
      message: 'cannot reference converted lead'
    });
    const again = await conn.soap.convertLead({
      leadId,
      convertedStatus: CONVERTED,
      doNotCreateOpportunity: true
    });
    expect(again).toMatchObject({
      success: false,
      errors: [expect.objectContaining({ statusCode: 'CANNOT_UPDATE_CONVERTED_LEAD' })]
    });
  });

  it('should report an unknown lead id per item', async () => {
    const result = await conn.soap.convertLead({
      leadId: '00Q000000000000AAA',
      convertedStatus: CONVERTED,
      doNotCreateOpportunity: true
    });
    expect(result).toMatchObject({
      success: false,
      errors: [expect.objectContaining({ statusCode: 'INVALID_CROSS_REFERENCE_KEY' })]
    });
  });

  it('should answer an invalid session with the INVALID_SESSION_ID fault jsforce recognises', async () => {
    const bad = org.connection('00D000000000001!AQ0Emu.not-a-real-token');
    await expect(
      bad.soap.convertLead({
        leadId: '00Q000000000000AAA',
        convertedStatus: CONVERTED,
        doNotCreateOpportunity: true
      })
    ).rejects.toMatchObject({
      errorCode: 'sf:INVALID_SESSION_ID',
      message: 'INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session'
    });
  });

  it('should refuse more than 100 leadConverts in one call', async () => {
    const many = Array.from({ length: 101 }, () => ({
      leadId: '00Q000000000000AAA',
      convertedStatus: CONVERTED,
      doNotCreateOpportunity: true
    }));
    await expect(conn.soap.convertLead(many)).rejects.toMatchObject({ errorCode: 'sf:LIMIT_EXCEEDED' });
  });

  it('should answer malformed XML and unknown operations with HTTP 500 faults', async () => {
    const malformed = await soapPost('<soapenv:Envelope><soapenv:Body><convertLead>');
    expect(malformed.status).toBe(500);
    expect(malformed.text).toContain('<faultcode>UNKNOWN_EXCEPTION</faultcode>');
    const unknown = await soapPost(envelope('<merge><request/></merge>'));
    expect(unknown.status).toBe(500);
    expect(unknown.text).toContain('No operation available for request {urn:partner.soap.sforce.com}merge');
  });

  it('should accept leadConvert elements in any order', async () => {
    const leadId = await createLead({ LastName: 'Order', Company: 'Order Co' });
    const res = await soapPost(
      envelope(
        `<convertLead><leadConverts><doNotCreateOpportunity>true</doNotCreateOpportunity><convertedStatus>${CONVERTED}</convertedStatus><leadId>${leadId}</leadId></leadConverts></convertLead>`
      )
    );
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/<soapenv:Body><convertLeadResponse><result><accountId>001\w{15}<\/accountId>/);
    expect(res.text).toContain(
      `<leadId>${leadId}</leadId><opportunityId xsi:nil="true"/><success>true</success>`
    );
  });
});
