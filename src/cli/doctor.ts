/**
 * `leadflow doctor`: a checklist of what the service needs from the org and its own store. Every check runs
 * even when an earlier one fails (except those that need the org connection), so one run shows everything.
 */
import type { LeadflowRuntime } from '../runtime/runtime';
import type { CommandResult } from '../runtime/types';
import { SalesforceError, type OrgClient } from '../salesforce/types';
import { soqlIn, soqlString } from '../salesforce/soql';
import { toSalesforceError } from '../salesforce/errors';
import {
  EXPECTED_PACKAGE_FIELDS,
  PACKAGE_PERMISSION_SETS,
  POST_INSTALL,
  SERVICE_PERMISSION_SETS
} from './package-fields';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';
export interface DoctorCheck {
  name: string;
  status: CheckStatus;
  detail: string;
}
export interface DoctorReport {
  checks: DoctorCheck[];
  org?: { label: string; kind: string; username?: string; userId?: string; orgId?: string };
}

const MARK: Record<CheckStatus, string> = { pass: '[ok]  ', warn: '[warn]', fail: '[FAIL]', skip: '[skip]' };

export async function runDoctor(rt: LeadflowRuntime): Promise<CommandResult<DoctorReport>> {
  const checks: DoctorCheck[] = [];
  const report: DoctorReport = { checks };

  checks.push({ name: 'store', status: 'pass', detail: `${rt.store.kind} store open, migrations applied` });

  let client: OrgClient | undefined;
  let identity: { userId?: string; username?: string; orgId?: string } = {};
  try {
    client = await rt.org();
    identity = await whoAmI(client);
    report.org = { label: client.target.label, kind: client.target.kind, ...identity };
    checks.push({
      name: 'org access',
      status: 'pass',
      detail: `${identity.username ?? identity.userId ?? 'unknown user'} in org ${identity.orgId ?? '?'} via ${client.target.label} (API v${client.apiVersion})`
    });
  } catch (err) {
    checks.push({ name: 'org access', status: 'fail', detail: (err as Error).message });
  }

  if (client) {
    for (const [object, expected] of Object.entries(EXPECTED_PACKAGE_FIELDS)) {
      checks.push(await checkFields(client, object, expected));
    }
    checks.push(await checkPermissionSets(client, identity.userId));
    checks.push(await checkLimits(client));
    checks.push(...(await checkPostInstall(client, identity.userId)));
  } else {
    for (const name of ['package fields', 'permission sets', 'API limits']) {
      checks.push({ name, status: 'skip', detail: 'needs org access' });
    }
  }

  const failed = checks.filter((c) => c.status === 'fail');
  const lines = [
    ...checks.map((c) => `${MARK[c.status]} ${c.name}: ${c.detail}`),
    failed.length === 0 ? 'doctor: all checks passed' : `doctor: ${failed.length} check(s) failed`
  ];
  return { ok: failed.length === 0, summary: report, lines };
}

/** Who the connection runs as: OAuth userinfo, falling back to the id URL the token response carried. */
async function whoAmI(client: OrgClient): Promise<{ userId?: string; username?: string; orgId?: string }> {
  const conn = client.connection;
  try {
    const info = (await conn.request({ method: 'GET', url: '/services/oauth2/userinfo' })) as Record<
      string,
      unknown
    >;
    return {
      userId: typeof info.user_id === 'string' ? info.user_id : undefined,
      username: typeof info.preferred_username === 'string' ? info.preferred_username : undefined,
      orgId: typeof info.organization_id === 'string' ? info.organization_id : undefined
    };
  } catch (err) {
    const userId = conn.userInfo?.id;
    if (!userId) throw toSalesforceError(err);
    const rows = await client.rest.query<{ Id: string; Username: string }>(
      `SELECT Id, Username FROM User WHERE Id = ${soqlString(userId)}`
    );
    return { userId, username: rows[0]?.Username, orgId: conn.userInfo?.organizationId };
  }
}

async function checkFields(client: OrgClient, object: string, expected: string[]): Promise<DoctorCheck> {
  const name = `package fields on ${object}`;
  try {
    const present = await client.describe.fieldNames(object);
    const missing = expected.filter((f) => !present.has(f));
    return missing.length === 0
      ? { name, status: 'pass', detail: `${expected.length} fields present` }
      : { name, status: 'fail', detail: `missing ${missing.join(', ')} (is the leadflow package deployed?)` };
  } catch (err) {
    const e = toSalesforceError(err);
    const absent = e.errorCode === 'NOT_FOUND' || e.errorCode === 'INVALID_TYPE';
    return {
      name,
      status: 'fail',
      detail: absent
        ? `object ${object} not found (is the leadflow package deployed?)`
        : `${e.errorCode}: ${e.message}`
    };
  }
}

async function checkPermissionSets(client: OrgClient, userId: string | undefined): Promise<DoctorCheck> {
  const name = 'permission sets';
  if (!userId) return { name, status: 'skip', detail: 'running user unknown' };
  try {
    const rows = await client.rest.query<{ PermissionSet?: { Name?: string } }>(
      `SELECT PermissionSet.Name FROM PermissionSetAssignment WHERE AssigneeId = ${soqlString(userId)} AND PermissionSet.Name IN ${soqlIn([...PACKAGE_PERMISSION_SETS])}`
    );
    const assigned = rows.map((r) => r.PermissionSet?.Name).filter((n): n is string => Boolean(n));
    if (assigned.some((n) => SERVICE_PERMISSION_SETS.includes(n))) {
      return { name, status: 'pass', detail: `assigned: ${assigned.join(', ')}` };
    }
    return {
      name,
      status: 'fail',
      detail: `the running user has ${assigned.length ? assigned.join(', ') : 'no leadflow permission set'}; assign Leadflow_Integration (sf org assign permset --name Leadflow_Integration)`
    };
  } catch (err) {
    const e = err instanceof SalesforceError ? err : toSalesforceError(err);
    if (['INVALID_TYPE', 'INVALID_FIELD', 'MALFORMED_QUERY', 'NOT_FOUND'].includes(e.errorCode)) {
      return {
        name,
        status: 'warn',
        detail: `cannot be checked: this org does not support PermissionSetAssignment queries (${e.errorCode})`
      };
    }
    return { name, status: 'fail', detail: `${e.errorCode}: ${e.message}` };
  }
}

async function checkLimits(client: OrgClient): Promise<DoctorCheck> {
  const name = 'API limits';
  try {
    const limits = await client.limits();
    const daily = limits.DailyApiRequests;
    if (!daily) return { name, status: 'warn', detail: 'DailyApiRequests not reported by /limits' };
    const detail = `${daily.Remaining} of ${daily.Max} daily API requests left`;
    if (daily.Remaining <= 0) return { name, status: 'fail', detail };
    if (daily.Remaining < daily.Max * 0.1) return { name, status: 'warn', detail: `${detail} (under 10%)` };
    return { name, status: 'pass', detail };
  } catch (err) {
    const e = toSalesforceError(err);
    return { name, status: 'fail', detail: `${e.errorCode}: ${e.message}` };
  }
}

/** Error codes meaning "this org (or the local emulator) cannot answer that query", not "the check failed". */
const UNSUPPORTED = [
  'INVALID_TYPE',
  'INVALID_FIELD',
  'MALFORMED_QUERY',
  'NOT_FOUND',
  'API_DISABLED_FOR_ORG',
  'ERROR_HTTP_404'
];

/** Runs one checklist query; an org that cannot answer it gives a warning naming what to check by hand. */
async function checklistItem(
  name: string,
  what: string,
  run: () => Promise<DoctorCheck>
): Promise<DoctorCheck> {
  try {
    return await run();
  } catch (err) {
    const e = err instanceof SalesforceError ? err : toSalesforceError(err);
    if (UNSUPPORTED.includes(e.errorCode)) {
      return {
        name,
        status: 'warn',
        detail: `cannot be checked here (${e.errorCode}); check ${what} by hand`
      };
    }
    return { name, status: 'fail', detail: `${e.errorCode}: ${e.message}` };
  }
}

/** The post-install checklist (POST_INSTALL, docs/admin-guide.md): what the package deploy must have created. */
export async function checkPostInstall(
  client: OrgClient,
  userId: string | undefined
): Promise<DoctorCheck[]> {
  const query = <T extends Record<string, unknown>>(soql: string) =>
    client.rest.query<T & { Id?: string }>(soql);
  const checks: DoctorCheck[] = [];

  // One query for the running user's permission sets, shared by every bypass check.
  let assignedPermissionSets: string[] | undefined;
  const permissionSetsOfUser = async (id: string) =>
    (assignedPermissionSets ??= (
      await query<{ PermissionSetId: string }>(
        `SELECT PermissionSetId FROM PermissionSetAssignment WHERE AssigneeId = ${soqlString(id)}`
      )
    ).map((a) => a.PermissionSetId));

  for (const bypass of POST_INSTALL.bypassPermissions) {
    checks.push(
      await checklistItem(bypass.check, `custom permission ${bypass.permission}`, async () => {
        const name = bypass.check;
        const rows = await query<{ Id: string }>(
          `SELECT Id FROM CustomPermission WHERE DeveloperName = ${soqlString(bypass.permission)}`
        );
        const permission = rows[0];
        if (!permission)
          return {
            name,
            status: 'fail',
            detail: `custom permission ${bypass.permission} is missing (is the leadflow package deployed?)`
          };
        if (!userId) return { name, status: 'warn', detail: 'custom permission present; running user unknown' };
        const permissionSets = await permissionSetsOfUser(userId);
        const granted =
          permissionSets.length > 0 &&
          (
            await query<{ Id: string }>(
              `SELECT Id FROM SetupEntityAccess WHERE SetupEntityId = ${soqlString(permission.Id)} AND ParentId IN ${soqlIn(permissionSets)}`
            )
          ).length > 0;
        return granted
          ? { name, status: 'pass', detail: `the running user holds ${bypass.permission}` }
          : {
              name,
              status: 'warn',
              detail: `the running user lacks ${bypass.permission}: ${bypass.whyNeeded} (assign Leadflow_Integration or the Leadflow_Integration_Users group)`
            };
      })
    );
  }

  checks.push(
    await checklistItem(
      'permission set groups',
      `Setup > Permission Set Groups (${POST_INSTALL.permissionSetGroups.join(', ')})`,
      async () => {
        const name = 'permission set groups';
        const rows = await query<{ DeveloperName: string; Status: string }>(
          `SELECT DeveloperName, Status FROM PermissionSetGroup WHERE DeveloperName IN ${soqlIn([...POST_INSTALL.permissionSetGroups])}`
        );
        const found = new Map(rows.map((r) => [r.DeveloperName, r.Status]));
        const missing = POST_INSTALL.permissionSetGroups.filter((g) => !found.has(g));
        if (missing.length)
          return {
            name,
            status: 'fail',
            detail: `missing ${missing.join(', ')} (is the leadflow package deployed?)`
          };
        const stale = [...found]
          .filter(([, status]) => status !== 'Updated')
          .map(([g, status]) => `${g} (${status})`);
        return stale.length
          ? {
              name,
              status: 'warn',
              detail: `still recalculating: ${stale.join(', ')}; assignments apply once the status is Updated`
            }
          : { name, status: 'pass', detail: `${POST_INSTALL.permissionSetGroups.join(', ')} present` };
      }
    )
  );

  checks.push(
    await checklistItem('converted lead status', 'Setup > Lead Status values', async () => {
      const name = 'converted lead status';
      const rows = await query<{ MasterLabel: string }>(
        'SELECT MasterLabel FROM LeadStatus WHERE IsConverted = true ORDER BY SortOrder LIMIT 1'
      );
      return rows[0]
        ? { name, status: 'pass', detail: `conversions use "${rows[0].MasterLabel}"` }
        : {
            name,
            status: 'fail',
            detail: 'no Lead Status value is marked Converted; add one under Setup > Lead Status'
          };
    })
  );

  checks.push(
    await checklistItem(
      'conversion guard trigger',
      `Apex trigger ${POST_INSTALL.trigger} (Setup > Apex Triggers)`,
      async () => {
        const name = 'conversion guard trigger';
        const rows = await query<{ Status: string }>(
          `SELECT Status FROM ApexTrigger WHERE Name = ${soqlString(POST_INSTALL.trigger)}`
        );
        if (!rows[0])
          return {
            name,
            status: 'fail',
            detail: `trigger ${POST_INSTALL.trigger} is missing (is the leadflow package deployed?)`
          };
        return rows[0].Status === 'Active'
          ? { name, status: 'pass', detail: `${POST_INSTALL.trigger} is active` }
          : {
              name,
              status: 'fail',
              detail: `${POST_INSTALL.trigger} is ${rows[0].Status}; activate it (redeploy the package)`
            };
      }
    )
  );

  const { object, name: ruleName } = POST_INSTALL.validationRule;
  checks.push(
    await checklistItem('conversion validation rule', `validation rule ${object}.${ruleName}`, async () => {
      const name = 'conversion validation rule';
      const result = await client.connection.tooling.query<{ Active: boolean }>(
        `SELECT Active FROM ValidationRule WHERE ValidationName = ${soqlString(ruleName)} AND EntityDefinition.QualifiedApiName = ${soqlString(object)}`
      );
      const rule = result.records[0];
      if (!rule)
        return {
          name,
          status: 'fail',
          detail: `${object}.${ruleName} is missing (is the leadflow package deployed?)`
        };
      return rule.Active
        ? { name, status: 'pass', detail: `${object}.${ruleName} is active` }
        : {
            name,
            status: 'fail',
            detail: `${object}.${ruleName} is inactive; activate it under Object Manager > Lead > Validation Rules`
          };
    })
  );

  checks.push(
    await checklistItem(
      'Lead to Cash reports',
      'the Leadflow Reports folder and the Lead to Cash dashboard',
      async () => {
        const name = 'Lead to Cash reports';
        const reports = await query<{ DeveloperName: string }>(
          `SELECT DeveloperName FROM Report WHERE DeveloperName IN ${soqlIn([...POST_INSTALL.reports])}`
        );
        const dashboards = await query<{ DeveloperName: string }>(
          `SELECT DeveloperName FROM Dashboard WHERE DeveloperName = ${soqlString(POST_INSTALL.dashboard)}`
        );
        const have = new Set(reports.map((r) => r.DeveloperName));
        const missing = [
          ...POST_INSTALL.reports.filter((r) => !have.has(r)),
          ...(dashboards.length ? [] : [`dashboard ${POST_INSTALL.dashboard}`])
        ];
        return missing.length
          ? {
              name,
              status: 'fail',
              detail: `missing ${missing.join(', ')} (is the leadflow package deployed?)`
            }
          : {
              name,
              status: 'pass',
              detail: `${POST_INSTALL.reports.length} reports and the ${POST_INSTALL.dashboard} dashboard present`
            };
      }
    )
  );

  for (const step of POST_INSTALL.manualSteps) {
    checks.push({
      name: 'manual step',
      status: 'skip',
      detail: `not readable through the API; confirm by hand: ${step} (docs/admin-guide.md)`
    });
  }
  return checks;
}
