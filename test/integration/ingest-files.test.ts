/**
 * Files as people export them, through the real `leadflow ingest` CLI against a local org: a
 * semicolon-separated Windows-1250 export with Romanian diacritics and a Windows-1251 export with
 * Cyrillic names (fixtures encoded here with iconv-lite), a UTF-8 file with the values Salesforce would
 * refuse (they are rejects, not failed writes), and things that are not CSV files at all (a directory, a
 * FIFO, a symlink to /etc/passwd): a clean error in human and --json output, nothing of the file echoed
 * or stored in the runs table.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Connection } from '@jsforce/jsforce-node';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { openStore } from '../../src/store/store';
import { cliEnv, runLeadflow } from '../helpers/cli';
import { startTestOrg, type TestOrg } from '../helpers/emulator';

jest.setTimeout(300_000);

let org: TestOrg;
let conn: Connection;
let cwd: string;
let configPath: string;

const cli = async (args: string[], json = true) => {
  const env = cliEnv({ LEADFLOW_EMULATOR_URL: org.url, LEADFLOW_LOG_LEVEL: 'warn' }, { dropLeadflowVars: true });
  const run = await runLeadflow(['--config', configPath, ...(json ? ['--json'] : []), 'ingest', ...args], { cwd, env, timeoutMs: 180_000 });
  return { ...run, json: () => JSON.parse(run.stdout) as { ok: boolean; summary: Record<string, unknown>; error?: { code: string; message: string } } };
};

const leads = async (where: string) =>
  (await conn.query<Record<string, string | null>>(`SELECT FirstName, LastName, Company, City, Phone, Email FROM Lead WHERE ${where} ORDER BY Email`)).records;

// Windows-1250 has ş/ţ with cedilla (0xBA/0xFE), which is what Romanian Windows exports contain.
const ROMANIAN = [
  'id;Nume;Prenume;Email;Companie;Oraş;Venit anual',
  'r1;Ştefănescu;Ioana;ioana@firma-ro.test;Firma Română SRL;Bucureşti;1234,50',
  'r2;Ţăranu;Mărioară;marioara@firma-ro.test;Fabrica de Pâine;Iaşi;',
  'r3;Încu;Ângela;angela@firma-ro.test;Cărţi şi Idei;Brăila;'
].join('\r\n');
const CYRILLIC = [
  'id,lastName,firstName,email,company,city',
  'c1,Иванов,Пётр,petr@firma-ru.test,ООО Ромашка,Москва',
  'c2,Смирнова,Анна,anna@firma-ru.test,Берёзка,Санкт-Петербург',
  'c3,Кузнецов,Илья,ilya@firma-ru.test,Ёлка,Казань'
].join('\r\n');

beforeAll(async () => {
  org = await startTestOrg({ seed: 'none' });
  conn = org.connection();
  cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'ingest-files-'));
  configPath = path.join(cwd, 'leadflow.config.json');
  fs.writeFileSync(
    configPath,
    JSON.stringify({
      outputDir: path.join(cwd, 'out'),
      store: { dataDir: path.join(cwd, 'store') },
      ingest: {
        sources: [
          { name: 'ro', kind: 'csv', path: 'ro.csv', mapping: { lastName: 'Nume', firstName: 'Prenume', company: 'Companie', city: 'Oraş', annualRevenue: 'Venit anual' } },
          { name: 'ru', kind: 'csv', path: 'ru.csv' },
          { name: 'limits', kind: 'csv', path: 'limits.csv' }
        ],
        write: { retryBaseMs: 10 }
      }
    })
  );
  fs.writeFileSync(path.join(cwd, 'ro.csv'), iconv.encode(ROMANIAN, 'windows-1250'));
  fs.writeFileSync(path.join(cwd, 'ru.csv'), iconv.encode(CYRILLIC, 'windows-1251'));
});

afterAll(async () => {
  await org?.close();
  if (cwd) fs.rmSync(cwd, { recursive: true, force: true });
});

describe('legacy-encoded exports', () => {
  it('should load a semicolon Windows-1250 file with Romanian diacritics, report the detection, and store NFC names', async () => {
    const run = await cli(['--source', 'ro'], false);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toContain('  file: delimiter ";", encoding windows-1250');
    expect(run.stdout).toContain('  read 3, valid 3, rejected 0');

    const rows = await leads("Email LIKE '%@firma-ro.test'");
    expect(rows.map((r) => [r.FirstName, r.LastName, r.Company, r.City])).toEqual([
      ['Ângela', 'Încu', 'Cărţi şi Idei', 'Brăila'],
      ['Ioana', 'Ştefănescu', 'Firma Română SRL', 'Bucureşti'],
      ['Mărioară', 'Ţăranu', 'Fabrica de Pâine', 'Iaşi']
    ]);
    for (const r of rows) for (const v of [r.FirstName, r.LastName, r.Company, r.City]) expect(v).toBe(v!.normalize('NFC'));
    // "1234,50" in a semicolon file is 1234.50 (decimal comma), rounded to AnnualRevenue's scale 0.
    const [revenue] = (await conn.query<{ AnnualRevenue: number }>("SELECT AnnualRevenue FROM Lead WHERE Email = 'ioana@firma-ro.test'")).records;
    expect(revenue!.AnnualRevenue).toBe(1235);
  });

  it('should load a Windows-1251 file with Cyrillic names and say so in the JSON summary', async () => {
    const run = await cli(['--source', 'ru']);
    expect(run.code).toBe(0);
    expect(run.json().summary).toMatchObject({
      read: 3,
      created: 3,
      rejected: 0,
      detected: { encoding: 'windows-1251', encodingFrom: 'detected', delimiter: ',', delimiterFrom: 'detected' }
    });
    const rows = await leads("Email LIKE '%@firma-ru.test'");
    expect(rows.map((r) => [r.FirstName, r.LastName, r.Company, r.City])).toEqual([
      ['Анна', 'Смирнова', 'Берёзка', 'Санкт-Петербург'],
      ['Илья', 'Кузнецов', 'Ёлка', 'Казань'],
      ['Пётр', 'Иванов', 'ООО Ромашка', 'Москва']
    ]);
  });
});

describe('values Salesforce would refuse', () => {
  it('should reject them (exit 0, nothing failed), keep leads with a dropped optional value, and cut long values in the reject file', async () => {
    const emoji = '😀'.repeat(45);
    const long = 'd'.repeat(50_000);
    const csv = [
      'id,email,lastName,firstName,company,annualRevenue,numberOfEmployees,phone,description,Email',
      `l1,rev@limits.test,Rich,,Big,1000000000000000000,,,,`,
      `l2,emoji@limits.test,${emoji},,Smile,,,,,`,
      `l3,hex@limits.test,Hex,,Base16,,0x10,,,`,
      `l4,phone@limits.test,Maybe,,Callco,,,call me maybe,,`,
      `l5,first@limits.test,,Ioana,Solo,,,,,`,
      `l6,long@limits.test,Long,,Words,,,,${long},`,
      `l7,,Dup,,Twice,,,,,second@limits.test`
    ].join('\n');
    fs.writeFileSync(path.join(cwd, 'limits.csv'), csv);
    const run = await cli(['--source', 'limits']);
    expect(run.code).toBe(0);
    const summary = run.json().summary;
    expect(summary).toMatchObject({ read: 7, created: 3, rejected: 4, warnedRows: 2, failed: 0 });
    expect(summary.warnings).toEqual(['duplicate column "email" / "Email" (columns 2, 10): in each row the first non-blank value is used']);

    const lines = parse(fs.readFileSync(summary.rejectFile as string, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(lines).toEqual([
      { row: '2', field: 'annualRevenue', value: '1000000000000000000', reason: 'too large for AnnualRevenue: at most 18 digits before the decimal point (Salesforce number(18, 0)), got 19' },
      {
        row: '3',
        field: 'lastName',
        value: emoji,
        reason: 'longer than 80 characters (Salesforce counts 90: emoji and other characters outside the Basic Multilingual Plane count as 2)'
      },
      { row: '4', field: 'numberOfEmployees', value: '0x10', reason: 'not a decimal number (hexadecimal, octal and binary numbers are not accepted)' },
      {
        row: '5',
        field: 'phone',
        value: 'call me maybe',
        reason: 'warning: value dropped, lead kept: national number without a country; add the country or an international +prefix'
      },
      { row: '6', field: 'lastName', value: '', reason: 'warning: no last name: LastName set to "[not provided]" (as Salesforce Web-to-Lead does), first name kept' },
      { row: '7', field: 'description', value: `${'d'.repeat(1000)}…[truncated 49,000 chars]`, reason: 'longer than 32000 characters' }
    ]);
    const rows = await leads("Email LIKE '%@limits.test'");
    expect(rows.map((r) => [r.Email, r.FirstName, r.LastName, r.Phone])).toEqual([
      ['first@limits.test', 'Ioana', '[not provided]', null],
      ['phone@limits.test', null, 'Maybe', null],
      ['second@limits.test', null, 'Dup', null]
    ]);
  });
});

describe('inputs that are not CSV files', () => {
  it.each([
    [
      'a directory',
      () => {
        const p = path.join(cwd, 'exports');
        fs.mkdirSync(p);
        return p;
      },
      (p: string) => `${p} is a directory, not a file: give the CSV, JSON or NDJSON file to ingest`
    ],
    [
      'a FIFO',
      () => {
        const p = path.join(cwd, 'pipe.csv');
        execFileSync('mkfifo', [p]);
        return p;
      },
      (p: string) => `${p} is a named pipe (FIFO), not a regular file: save the export to a file and ingest that`
    ]
  ])('should refuse %s with a clean error in --json and human output (exit 1)', async (_label, make, message) => {
    const p = make();
    const asJson = await cli([p]);
    expect(asJson.code).toBe(1);
    expect(asJson.json()).toMatchObject({ ok: false, error: { code: 'INPUT', message: message(p) } });
    const human = await cli([p], false);
    expect(human.code).toBe(1);
    expect(human.stderr).toContain(`Error: ${message(p)}`);
    expect(human.stderr).not.toMatch(/^\s+at /m);
  });

  it('should not echo or store the first line of a file that is not a CSV (a symlink to /etc/passwd)', async () => {
    const link = path.join(cwd, 'passwd.csv');
    fs.symlinkSync('/etc/passwd', link);
    const firstLine = fs.readFileSync('/etc/passwd', 'utf8').split('\n')[0]!;
    const run = await cli([link]);
    expect(run.code).toBe(1);
    expect(run.json().error).toEqual({
      code: 'INPUT',
      message: expect.stringMatching(/^.*passwd\.csv: no known column in the header row \(1 column, delimiter "," detected, encoding utf-8\); the first line must be a header row/)
    });
    expect(run.stdout + run.stderr).not.toContain(firstLine);

    const store = await openStore({ dataDir: path.join(cwd, 'store') });
    try {
      const runs = await store.query<{ summary: unknown }>("select summary from runs where command = 'ingest'");
      // The refused run is recorded with its message, and the message holds nothing of the file.
      expect(JSON.stringify(runs)).toContain('passwd.csv: no known column in the header row (1 column');
      expect(JSON.stringify(runs)).not.toContain(firstLine.slice(0, 20));
    } finally {
      await store.close();
    }
  });
});
