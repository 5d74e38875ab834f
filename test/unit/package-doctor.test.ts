/**
 * `leadflow doctor`'s post-install checklist (src/cli/doctor.ts checkPostInstall) against a stub org: what an admin
 * sees after `sf project deploy start` worked, after it did not, and on an org that cannot answer a query.
 */
import { checkPostInstall } from '../../src/cli/doctor';
import { POST_INSTALL } from '../../src/cli/package-fields';
import { SalesforceError, type OrgClient } from '../../src/salesforce/types';

type Answer = Array<Record<string, unknown>> | SalesforceError;
const USER = '005000000000009AAA';

/** An org answering each SOQL query by the first matching FROM object. */
function stubOrg(byObject: Record<string, Answer>, validationRule: Answer = [{ Active: true }]): OrgClient {
  const answer = (a: Answer) => (a instanceof SalesforceError ? Promise.reject(a) : Promise.resolve(a));
  return {
    rest: {
      query: (soql: string) => {
        const object = /\bFROM\s+(\w+)/i.exec(soql)?.[1] ?? '';
        return answer(byObject[object] ?? []);
      }
    },
    connection: { tooling: { query: () => answer(validationRule).then((records) => ({ records })) } }
  } as unknown as OrgClient;
}

const GROUPS = POST_INSTALL.permissionSetGroups.map((g) => ({ DeveloperName: g, Status: 'Updated' }));
const deployed: Record<string, Answer> = {
  CustomPermission: [{ Id: '0CP000000000001AAA' }],
  PermissionSetAssignment: [{ PermissionSetId: '0PS000000000001AAA' }],
  SetupEntityAccess: [{ Id: '0J0000000000001AAA' }],
  PermissionSetGroup: GROUPS,
  LeadStatus: [{ MasterLabel: 'Closed - Converted' }],
  ApexTrigger: [{ Status: 'Active' }],
  Report: POST_INSTALL.reports.map((r) => ({ DeveloperName: r })),
  Dashboard: [{ DeveloperName: 'Lead_to_Cash' }]
};

const byName = async (org: OrgClient) => {
  const checks = await checkPostInstall(org, USER);
  return Object.fromEntries(checks.filter((c) => c.name !== 'manual step').map((c) => [c.name, c]));
};

describe('post-install checklist', () => {
  it('should pass every item when the package is deployed and the service user holds the bypass', async () => {
    const checks = await byName(stubOrg(deployed));
    expect(Object.values(checks).map((c) => [c.name, c.status])).toEqual([
      ['conversion guard bypass', 'pass'],
      ['routing bypass', 'pass'],
      ['permission set groups', 'pass'],
      ['converted lead status', 'pass'],
      ['conversion guard trigger', 'pass'],
      ['conversion validation rule', 'pass'],
      ['Lead to Cash reports', 'pass']
    ]);
  });

  it('should list the manual steps it cannot read through the API', async () => {
    const manual = (await checkPostInstall(stubOrg(deployed), USER)).filter((c) => c.name === 'manual step');
    expect(manual.map((c) => c.status)).toEqual(['skip', 'skip', 'skip']);
    expect(manual.map((c) => c.detail).join('\n')).toContain(
      'record page "Leadflow Lead Record Page" activated'
    );
  });

  it('should fail each item with what is missing when the package was not deployed', async () => {
    const checks = await byName(stubOrg({ LeadStatus: [] }, []));
    expect(checks['conversion guard bypass']).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('Leadflow_Bypass_Conversion_Guard is missing')
    });
    expect(checks['routing bypass']).toMatchObject({
      status: 'fail',
      detail: 'custom permission Leadflow_Bypass_Routing is missing (is the leadflow package deployed?)'
    });
    expect(checks['permission set groups']).toMatchObject({
      status: 'fail',
      detail:
        'missing Leadflow_Sales_Reps, Leadflow_Sales_Managers, Leadflow_Integration_Users (is the leadflow package deployed?)'
    });
    expect(checks['converted lead status']).toMatchObject({ status: 'fail' });
    expect(checks['conversion guard trigger']).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('LeadTrigger is missing')
    });
    expect(checks['conversion validation rule']).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('Require_Qualification_To_Convert is missing')
    });
    expect(checks['Lead to Cash reports']).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('dashboard Lead_to_Cash')
    });
  });

  it('should warn when the service user lacks the bypass, and when a group is still recalculating', async () => {
    const checks = await byName(
      stubOrg({
        ...deployed,
        SetupEntityAccess: [],
        PermissionSetGroup: GROUPS.map((g, i) => (i === 0 ? { ...g, Status: 'Updating' } : g))
      })
    );
    expect(checks['conversion guard bypass']).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('lacks Leadflow_Bypass_Conversion_Guard')
    });
    // Without the routing bypass the trigger would re-route every lead ingest inserts: the admin is told so.
    expect(checks['routing bypass']).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('lacks Leadflow_Bypass_Routing: the Lead trigger re-routes every lead')
    });
    expect(checks['permission set groups']).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('Leadflow_Sales_Reps (Updating)')
    });
  });

  it('should fail an inactive trigger or validation rule', async () => {
    const checks = await byName(
      stubOrg({ ...deployed, ApexTrigger: [{ Status: 'Inactive' }] }, [{ Active: false }])
    );
    expect(checks['conversion guard trigger']).toMatchObject({
      status: 'fail',
      detail: 'LeadTrigger is Inactive; activate it (redeploy the package)'
    });
    expect(checks['conversion validation rule']).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('is inactive')
    });
  });

  it('should warn, not fail, when the org cannot answer a query (the local emulator has no setup objects)', async () => {
    const unsupported = new SalesforceError('INVALID_TYPE', "sObject type 'ApexTrigger' is not supported.");
    const checks = await byName(stubOrg({ ...deployed, ApexTrigger: unsupported }));
    expect(checks['conversion guard trigger']).toMatchObject({
      status: 'warn',
      detail:
        'cannot be checked here (INVALID_TYPE); check Apex trigger LeadTrigger (Setup > Apex Triggers) by hand'
    });
  });
});
