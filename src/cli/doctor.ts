/**
 * `leadflow doctor`: a checklist of what the service needs from the org and its own store. Every check runs
 * even when an earlier one fails (except those that need the org connection), so one run shows everything.
 */
import type { LeadflowRuntime } from '../runtime/runtime';
import type { CommandResult } from '../runtime/types';
import { SalesforceError, type OrgClient } from '../salesforce/types';
import { soqlIn, soqlString } from '../salesforce/soql';
import { toSalesforceError } from '../salesforce/errors';
import { EXPECTED_PACKAGE_FIELDS, PACKAGE_PERMISSION_SETS, SERVICE_PERMISSION_SETS } from './package-fields';

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
    const info = (await conn.request({ method: 'GET', url: '/services/oauth2/userinfo' })) as Record<string, unknown>;
    return {
      userId: typeof info.user_id === 'string' ? info.user_id : undefined,
      username: typeof info.preferred_username === 'string' ? info.preferred_username : undefined,
      orgId: typeof info.organization_id === 'string' ? info.organization_id : undefined
    };
  } catch (err) {
    const userId = conn.userInfo?.id;
    if (!userId) throw toSalesforceError(err);
    const rows = await client.rest.query<{ Id: string; Username: string }>(`SELECT Id, Username FROM User WHERE Id = ${soqlString(userId)}`);
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
    return { name, status: 'fail', detail: absent ? `object ${object} not found (is the leadflow package deployed?)` : `${e.errorCode}: ${e.message}` };
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
      return { name, status: 'warn', detail: `cannot be checked: this org does not support PermissionSetAssignment queries (${e.errorCode})` };
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
