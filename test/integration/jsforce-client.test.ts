/**
 * jsforce's documented calls against the local org, used as an application would use them:
 * SOAP login/logout, sobject() CRUD with arrays (sObject Collections), query/queryMore/autoFetch,
 * relationship and aggregate queries, describe with compound fields, Bulk API 2.0 load/query,
 * limits and identity. Calls already covered elsewhere (convertLead: emulator-soap.test.ts; OAuth
 * flows: emulator-auth.test.ts) are not repeated.
 */
import { Connection } from '@jsforce/jsforce-node';
import { startTestOrg, type TestOrg } from '../helpers/emulator';

/** login() exists up to API 64.0 (removed from 65.0); every call in this file uses that version. */
const VERSION = '64.0';
const ADMIN = { username: 'admin@leadflow.local', password: 'leadflow' };

let org: TestOrg;
let conn: Connection;

beforeAll(async () => {
  org = await startTestOrg();
  conn = new Connection({ loginUrl: org.url, version: VERSION });
  await conn.login(ADMIN.username, ADMIN.password);
}, 60_000);

afterAll(async () => {
  await org.close();
});

describe('SOAP login and logout', () => {
  it('should log in with username and password and give jsforce a working session', async () => {
    const fresh = new Connection({ loginUrl: org.url, version: VERSION });
    const userInfo = await fresh.login(ADMIN.username, ADMIN.password);
    expect(userInfo).toEqual({
      id: '005000000000001AAA',
      organizationId: '00D000000000001AAA',
      url: `${org.url}/id/00D000000000001AAA/005000000000001AAA`
    });
    expect(fresh.instanceUrl).toBe(org.url);
    expect(fresh.accessToken).toMatch(/^00D000000000001!AQ0Emu\./);
    const result = await fresh.query<{ Username: string }>("SELECT Username FROM User WHERE Id = '005000000000001AAA'");
    expect(result.records[0]?.Username).toBe(ADMIN.username);
    const identity = await fresh.identity();
    expect(identity).toMatchObject({ user_id: '005000000000001AAA', organization_id: '00D000000000001AAA', username: ADMIN.username });
  });

  it('should return the Partner LoginResult with userInfo', async () => {
    const res = await fetch(`${org.url}/services/Soap/u/${VERSION}`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml', SOAPAction: '""' },
      body:
        '<se:Envelope xmlns:se="http://schemas.xmlsoap.org/soap/envelope/"><se:Header/><se:Body>' +
        '<login xmlns="urn:partner.soap.sforce.com"><username>ADMIN@leadflow.local</username><password>leadflow</password></login>' +
        '</se:Body></se:Envelope>'
    });
    expect(res.status).toBe(200);
    const xml = await res.text();
    expect(xml).toContain(`<metadataServerUrl>${org.url}/services/Soap/m/${VERSION}/00D000000000001</metadataServerUrl>`);
    expect(xml).toContain('<passwordExpired>false</passwordExpired><sandbox>false</sandbox>');
    expect(xml).toContain(`<serverUrl>${org.url}/services/Soap/u/${VERSION}/00D000000000001</serverUrl>`);
    expect(xml).toContain('<userId>005000000000001AAA</userId><userInfo>');
    expect(xml).toContain('<organizationName>Leadflow Local</organizationName>');
    expect(xml).toContain('<userName>admin@leadflow.local</userName>');
    expect(xml).toContain('<sessionSecondsValid>7200</sessionSecondsValid>');
  });

  it.each([
    ['a wrong password', ADMIN.username, 'wrong'],
    ['an unknown user', 'nobody@leadflow.local', ADMIN.password]
  ])('should refuse %s with INVALID_LOGIN', async (_what, username, password) => {
    const fresh = new Connection({ loginUrl: org.url, version: VERSION });
    await expect(fresh.login(username, password)).rejects.toThrow(
      'INVALID_LOGIN: Invalid username, password, security token; or user locked out.'
    );
    const res = await fetch(`${org.url}/services/Soap/u/${VERSION}`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml' },
      body: `<se:Envelope xmlns:se="http://schemas.xmlsoap.org/soap/envelope/"><se:Body><login xmlns="urn:partner.soap.sforce.com"><username>${username}</username><password>${password}</password></login></se:Body></se:Envelope>`
    });
    expect(res.status).toBe(500);
    const xml = await res.text();
    expect(xml).toContain('<faultcode>sf:INVALID_LOGIN</faultcode>');
    expect(xml).toContain('<sf:LoginFault xsi:type="sf:LoginFault"><sf:exceptionCode>INVALID_LOGIN</sf:exceptionCode>');
  });

  it('should not offer login() from API version 65.0, where Salesforce removed it', async () => {
    const fresh = new Connection({ loginUrl: org.url, version: '65.0' });
    await expect(fresh.login(ADMIN.username, ADMIN.password)).rejects.toThrow(/No operation available for request \{urn:partner.soap.sforce.com\}login/);
  });

  it('should end the session on logout: REST answers 401 INVALID_SESSION_ID afterwards', async () => {
    const fresh = new Connection({ loginUrl: org.url, version: VERSION });
    await fresh.login(ADMIN.username, ADMIN.password);
    const token = fresh.accessToken ?? '';
    await fresh.logout();
    expect(fresh.accessToken).toBeFalsy();
    const res = await fetch(`${org.url}/services/data/v${VERSION}/limits`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
  });
});
