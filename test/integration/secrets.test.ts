/**
 * Secrets never leak: real `leadflow` processes (doctor, ingest, qualify, convert, history, report) run against
 * the local org with credentials from the environment (client credentials, and a JWT private key file), at
 * debug log level with --verbose, plus a refused login and a failing query. Everything they leave behind is
 * searched for the credentials: stdout, stderr, the output directory (reject/assignment/report files, HTML,
 * CSV, JSON) and every table of the store. The access tokens the org issued are captured as it issues them.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { IssuedTokens } from '../../emulator/auth/tokens';
import { openStore } from '../../src/store/store';
import { runLeadflow } from '../helpers/cli';
import { startTestOrg, type TestOrg } from '../helpers/emulator';

const CLIENT_ID = 'leadflow-secrets-test';
const CLIENT_SECRET = `cs-${randomBytes(18).toString('hex')}`;
const WRONG_SECRET = `wrong-${randomBytes(18).toString('hex')}`;
const WEBHOOK_SECRET = `wh-${randomBytes(18).toString('hex')}`;
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE_PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** Access tokens look like 00D<org id>!<opaque>; JWT assertions like eyJ<header>.<payload>.<signature>. */
const TOKEN_SHAPES = [
  /00D[A-Za-z0-9]{12,15}![A-Za-z0-9._\-+/=]{8,}/,
  /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+/
];

interface Run {
  label: string;
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

let org: TestOrg;
let cwd: string;
let configPath: string;
const issued: IssuedTokens[] = [];
const runs: Run[] = [];

const baseEnv = () => ({
  ...Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('SF_') && !k.startsWith('LEADFLOW_'))
  ),
  LEADFLOW_LOG_LEVEL: 'debug',
  LEADFLOW_WEBFORM_SECRET: WEBHOOK_SECRET
});
const clientCredentials = () => ({
  SF_INSTANCE_URL: org.url,
  SF_CLIENT_ID: CLIENT_ID,
  SF_CLIENT_SECRET: CLIENT_SECRET
});
const jwtCredentials = () => ({
  SF_LOGIN_URL: org.url,
  SF_USERNAME: 'admin@leadflow.local',
  SF_CLIENT_ID: CLIENT_ID,
  SF_JWT_KEY_FILE: path.join(cwd, 'server.key')
});

async function leadflow(label: string, args: string[], env: Record<string, string>): Promise<Run> {
  const result = await runLeadflow(['--config', configPath, '--verbose', ...args], {
    cwd,
    env: { ...baseEnv(), ...env }
  });
  const run = { label, ...result };
  runs.push(run);
  return run;
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : [p];
  });
}

beforeAll(async () => {
  org = await startTestOrg({
    seed: 'demo',
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    jwtCertificate: publicKey.export({ type: 'spki', format: 'pem' }).toString()
  });
  // Record every token the org hands out (the CLI processes' own sessions included).
  const tokens = org.emulator.tokens;
  const issue = tokens.issue.bind(tokens);
  tokens.issue = async (req) => {
    const t = await issue(req);
    issued.push(t);
    return t;
  };
  cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-secrets-'));
  configPath = path.join(cwd, 'leadflow.config.json');
  fs.writeFileSync(path.join(cwd, 'server.key'), PRIVATE_PEM);
  fs.writeFileSync(
    configPath,
    JSON.stringify({
      outputDir: path.join(cwd, 'out'),
      store: { dataDir: path.join(cwd, 'store') },
      ingest: { sources: [{ name: 'webform', kind: 'webhook', secretEnv: 'LEADFLOW_WEBFORM_SECRET' }] }
    })
  );
  fs.writeFileSync(
    path.join(cwd, 'leads.csv'),
    [
      'id,email,firstName,lastName,company,leadSource,country',
      's1,ana@secret-test.io,Ana,Pop,Firma,Web,RO',
      's2,not-an-email,Bad,Row,Firma,Web,RO',
      `s3,bo@secret-test.io,Bo,O'Brien,Bo Co,"=HYPERLINK(""x"",""<img src=x onerror=1>"")",US`
    ].join('\n')
  );
  // A refresh token as the authorization-code flow issues one (the CLI has no way to take one, so none may appear).
  await tokens.issue({
    userId: '005000000000001AAA',
    clientId: CLIENT_ID,
    scope: 'api refresh_token',
    withRefreshToken: true
  });
}, 60_000);

afterAll(async () => {
  await org?.close();
  if (cwd) fs.rmSync(cwd, { recursive: true, force: true });
});

describe('credentials in the environment', () => {
  it('should run every command, the refused login and the failing query without printing or storing a secret', async () => {
    const cc = clientCredentials();
    const doctor = await leadflow('doctor', ['--json', 'doctor'], cc);
    const ingest = await leadflow('ingest', ['--json', 'ingest', path.join(cwd, 'leads.csv')], cc);
    const qualify = await leadflow('qualify', ['--json', 'qualify', '--all'], cc);
    const convert = await leadflow('convert', ['--json', 'convert', '--filter', "LastName=O'Brien"], cc);
    const history = await leadflow('history (JWT)', ['--json', 'history'], jwtCredentials());
    const report = await leadflow('report', ['report', '--format', 'html'], cc);
    const badSecret = await leadflow('bad secret', ['qualify', '--all'], {
      ...cc,
      SF_CLIENT_SECRET: WRONG_SECRET
    });
    const badQuery = await leadflow('failing query', ['convert', '--filter', 'No_Such_Field__c=x'], cc);
    // A secret pasted where it does not belong ends up in an error message: the message is scrubbed everywhere it goes.
    const pasted = await leadflow(
      'pasted token',
      ['--json', 'ingest', path.join(cwd, `${org.accessToken}.csv`)],
      cc
    );

    // The commands really ran (a command that never connected would prove nothing).
    for (const r of runs)
      expect({ label: r.label, signal: r.signal }).toEqual({ label: r.label, signal: null });
    expect([0, 1]).toContain(doctor.code);
    expect(JSON.parse(doctor.stdout)).toHaveProperty('summary');
    expect(ingest.code).toBe(0);
    expect(JSON.parse(ingest.stdout)).toMatchObject({ ok: true, summary: { created: 2, rejected: 1 } });
    expect(qualify.code).toBe(0);
    expect([0, 4]).toContain(convert.code);
    expect(history.code).toBe(0);
    expect(report.code).toBe(0);
    expect(badSecret.code).toBe(3);
    expect(badSecret.stderr).toMatch(/Error: .*Authentication .*failed/);
    expect(badQuery.code).toBe(1);
    expect(badQuery.stderr).toMatch(/No_Such_Field__c/);
    expect(pasted.code).toBe(1);
    expect(JSON.parse(pasted.stdout)).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/^File not found: .*\[REDACTED\]/) }
    });
    // Debug logging was on, so the logs had every chance to leak.
    expect(ingest.stderr).toMatch(/"level":20/);
    expect(issued.filter((t) => t.refreshToken).length).toBeGreaterThanOrEqual(1);
    expect(issued.length).toBeGreaterThanOrEqual(7);

    // Everything the runs left behind.
    const outputs: { where: string; text: string }[] = runs.flatMap((r) => [
      { where: `${r.label} stdout`, text: r.stdout },
      { where: `${r.label} stderr`, text: r.stderr }
    ]);
    const files = filesUnder(path.join(cwd, 'out'));
    expect(files.some((f) => f.endsWith('-rejects.csv'))).toBe(true);
    expect(files.some((f) => f.endsWith('.html'))).toBe(true);
    // The report shows the lead source as a channel: a formula in the CSV is neutralised, markup in the HTML escaped.
    const reportCsv = fs.readFileSync(
      files.find((f) => f.endsWith('funnel-report.csv'))!,
      'utf8'
    );
    expect(reportCsv).toContain(`'=HYPERLINK(""x""`);
    expect(reportCsv).not.toMatch(/(^|,)"?=HYPERLINK/m);
    const reportHtml = fs.readFileSync(
      files.find((f) => f.endsWith('funnel-report.html'))!,
      'utf8'
    );
    expect(reportHtml).toContain(
      '=HYPERLINK(&quot;x&quot;,&quot;&lt;img src=x onerror=1&gt;&quot;)'
    );
    expect(reportHtml).not.toContain('<img');
    for (const f of files) outputs.push({ where: path.relative(cwd, f), text: fs.readFileSync(f, 'utf8') });
    const store = await openStore({ dataDir: path.join(cwd, 'store') });
    try {
      const tables = await store.query<{ table_name: string }>(
        "select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'"
      );
      expect(tables.map((t) => t.table_name)).toContain('runs');
      for (const { table_name } of tables) {
        const rows = await store.query(`select * from "${table_name}"`);
        outputs.push({ where: `store table ${table_name}`, text: JSON.stringify(rows) });
      }
    } finally {
      await store.close();
    }

    const keyBody = PRIVATE_PEM.split('\n').filter((l) => l && !l.startsWith('-----'));
    const secrets: [string, string][] = [
      ['client secret', CLIENT_SECRET],
      ['wrong client secret', WRONG_SECRET],
      ['webhook secret', WEBHOOK_SECRET],
      ['private key', 'PRIVATE KEY-----'],
      ['pasted access token', org.accessToken],
      ...keyBody.map((line, i): [string, string] => [`private key line ${i + 1}`, line]),
      ...issued.map((t, i): [string, string] => [`access token #${i + 1}`, t.accessToken]),
      ...issued
        .filter((t) => t.refreshToken)
        .map((t, i): [string, string] => [`refresh token #${i + 1}`, t.refreshToken!])
    ];
    const leaks: string[] = [];
    for (const { where, text } of outputs) {
      for (const [name, value] of secrets) if (text.includes(value)) leaks.push(`${name} in ${where}`);
      for (const shape of TOKEN_SHAPES) {
        const m = shape.exec(text);
        if (m) leaks.push(`token-shaped ${m[0].slice(0, 12)}… in ${where}`);
      }
    }
    expect(leaks).toEqual([]);
    // The search itself finds what it looks for (the key file and a token are the positive controls).
    const keyFile = fs.readFileSync(path.join(cwd, 'server.key'), 'utf8');
    expect(secrets.filter(([, v]) => keyFile.includes(v)).length).toBe(keyBody.length + 1);
    expect(TOKEN_SHAPES[0]!.test(`x ${issued[0]!.accessToken} y`)).toBe(true);
  }, 120_000);
});
