import { mapIngestResults, MAX_POLL_INTERVAL_MS, nextPollDelay, parseBulkError, toCsvRows } from './bulk';
import { classifyRequest, createUsageCounter, formatUsage } from './usage';
import { resolveCredentials, jwtAudience } from './auth';
import { toSoapLeadConvert } from './soap';

describe('toCsvRows', () => {
  it('should drop Id on insert, send only Id on delete and mark nulls with #N/A', () => {
    expect(toCsvRows('insert', [{ Id: 'x', LastName: 'A', Email: null }, { LastName: 'B', Company: 'C' }])).toEqual({
      columns: ['LastName', 'Email', 'Company'],
      rows: [
        ['A', '#N/A', ''],
        ['B', '', 'C']
      ]
    });
    expect(toCsvRows('delete', [{ Id: '00Q1', LastName: 'A' }])).toEqual({ columns: ['Id'], rows: [['00Q1']] });
  });
});

describe('mapIngestResults', () => {
  const columns = ['LastName', 'Company'];
  const rows = [
    ['A', 'X'],
    ['B', 'X'],
    ['A', 'X'],
    ['C', '#N/A']
  ];

  it('should map shuffled success and failure rows back to input indexes, duplicates included', () => {
    const res = mapIngestResults(
      '750x',
      columns,
      rows,
      [
        { sf__Id: '00Q3', sf__Created: 'true', LastName: 'A', Company: 'X' },
        { sf__Id: '00Q1', sf__Created: 'true', LastName: 'A', Company: 'X' },
        { sf__Id: '00Q4', sf__Created: 'true', LastName: 'C', Company: '' }
      ],
      [{ sf__Id: '', sf__Error: 'REQUIRED_FIELD_MISSING:Required fields are missing: [Company]:Company --', LastName: 'B', Company: 'X' }],
      []
    );
    expect(res.unprocessed).toEqual([]);
    expect(res.results.map((r) => [r.index, r.success])).toEqual([
      [0, true],
      [1, false],
      [2, true],
      [3, true]
    ]);
    expect(res.results[1]!.errors).toEqual([
      { statusCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [Company]', fields: ['Company'] }
    ]);
    expect(res.results[3]!.id).toBe('00Q4');
  });

  it('should report rows missing from every result list as unprocessed', () => {
    const res = mapIngestResults('750x', columns, rows, [{ sf__Id: '1', sf__Created: 'true', LastName: 'B', Company: 'X' }], [], [{ LastName: 'A', Company: 'X' }]);
    expect(res.results.map((r) => r.index)).toEqual([1]);
    expect(res.unprocessed).toEqual([0, 2, 3]);
  });

  it('should throw when a result row matches no input row', () => {
    expect(() => mapIngestResults('750x', columns, rows, [{ sf__Id: '1', sf__Created: 'true', LastName: 'Z', Company: 'X' }], [], [])).toThrow(
      /could not be matched/
    );
  });
});

describe('parseBulkError', () => {
  it.each([
    ['FIELD_CUSTOM_VALIDATION_EXCEPTION:This lead cannot be converted:Missing_Criteria__c --', 'FIELD_CUSTOM_VALIDATION_EXCEPTION', ['Missing_Criteria__c']],
    ['DUPLICATE_VALUE:duplicate value found: Source_External_Id__c duplicates value on record with id: 00Q1:--', 'DUPLICATE_VALUE', []],
    ['garbage', 'UNKNOWN_ERROR', []]
  ])('should parse %s', (text, code, fields) => {
    const [err] = parseBulkError(text);
    expect(err!.statusCode).toBe(code);
    expect(err!.fields).toEqual(fields);
  });
});

describe('classifyRequest', () => {
  it.each([
    ['http://h/services/oauth2/token', 'auth'],
    ['http://h/services/Soap/u/62.0', 'soap'],
    ['http://h/services/data/v62.0/jobs/ingest/750x/batches', 'bulk'],
    ['http://h/services/data/v62.0/jobs/query', 'bulk'],
    ['http://h/services/data/v62.0/composite/sobjects', 'collections'],
    ['http://h/services/data/v62.0/composite/sobjects/Lead/Source_External_Id__c', 'collections'],
    ['http://h/services/data/v62.0/sobjects/Lead/describe', 'describe'],
    ['http://h/services/data/v62.0/sobjects', 'describe'],
    ['http://h/services/data/v62.0/query?q=SELECT+Id+FROM+Lead', 'rest'],
    ['http://h/services/data/v62.0/limits', 'rest']
  ])('should classify %s as %s', (url, surface) => {
    expect(classifyRequest(url)).toBe(surface);
  });

  it('should leave auth calls out of the total', () => {
    const u = createUsageCounter();
    u.record('auth');
    u.record('rest');
    u.record('collections');
    expect(u.total()).toBe(2);
    expect(formatUsage(u)).toBe('2 (rest 1, collections 1, auth 1)');
    u.reclassify('rest', 'rejected');
    expect(u.total()).toBe(1);
    expect(u.bySurface()).toMatchObject({ rest: 0, rejected: 1 });
  });
});

describe('resolveCredentials', () => {
  it('should prefer --target-org, then env client_credentials, then the emulator', () => {
    expect(resolveCredentials({ targetOrg: 'prod', env: { SF_CLIENT_ID: 'x' } })).toEqual({ kind: 'sf-alias', aliasOrUsername: 'prod' });
    expect(
      resolveCredentials({ env: { SF_INSTANCE_URL: 'https://acme.my.salesforce.com/', SF_CLIENT_ID: 'id', SF_CLIENT_SECRET: 's' } })
    ).toMatchObject({ kind: 'client_credentials', target: 'env', instanceUrl: 'https://acme.my.salesforce.com' });
    expect(resolveCredentials({ env: {} })).toMatchObject({ kind: 'client_credentials', target: 'emulator', instanceUrl: 'http://127.0.0.1:4010' });
    expect(resolveCredentials({ env: { LEADFLOW_EMULATOR_URL: 'http://127.0.0.1:5000' } })).toMatchObject({ instanceUrl: 'http://127.0.0.1:5000' });
  });

  it('should fail fast on half-configured env credentials, naming what is missing', () => {
    expect(() => resolveCredentials({ env: { SF_CLIENT_ID: 'id' } })).toThrow(/SF_INSTANCE_URL, SF_CLIENT_SECRET/);
    expect(() => resolveCredentials({ env: { SF_USERNAME: 'u@x', SF_CLIENT_ID: 'id' } })).toThrow(/SF_JWT_KEY_FILE/);
    expect(() => resolveCredentials({ env: { SF_INSTANCE_URL: 'not a url', SF_CLIENT_ID: 'i', SF_CLIENT_SECRET: 's' } })).toThrow(/not a valid URL/);
  });

  it('should pick the JWT audience from the login URL', () => {
    expect(jwtAudience('https://acme.my.salesforce.com')).toBe('https://login.salesforce.com');
    expect(jwtAudience('https://test.salesforce.com')).toBe('https://test.salesforce.com');
    expect(jwtAudience('https://acme--dev.sandbox.my.salesforce.com')).toBe('https://test.salesforce.com');
    expect(jwtAudience('http://127.0.0.1:4010')).toBe('http://127.0.0.1:4010');
  });
});

describe('toSoapLeadConvert', () => {
  it('should leave out unset optional values', () => {
    expect(toSoapLeadConvert({ leadId: '00Q1', convertedStatus: 'Closed - Converted', accountId: null, doNotCreateOpportunity: false })).toEqual({
      convertedStatus: 'Closed - Converted',
      doNotCreateOpportunity: false,
      leadId: '00Q1'
    });
  });
});

describe('nextPollDelay', () => {
  it('should wait the expected time before the first check, never less than the poll interval', () => {
    expect(nextPollDelay(0, 250, 1_200)).toBe(1_200);
    expect(nextPollDelay(0, 250, 10)).toBe(250);
    expect(nextPollDelay(0, 250)).toBe(250);
  });

  it('should then wait half the elapsed time, between the poll interval and MAX_POLL_INTERVAL_MS', () => {
    expect(nextPollDelay(300, 250)).toBe(250);
    expect(nextPollDelay(4_000, 250)).toBe(2_000);
    expect(nextPollDelay(60_000, 250)).toBe(MAX_POLL_INTERVAL_MS);
  });

  it('should check a 60 s job about a dozen times from a 250 ms interval, not 240 times', () => {
    let elapsed = 0;
    let checks = 0;
    while (elapsed < 60_000) {
      elapsed += nextPollDelay(elapsed, 250, checks === 0 ? 0.2 * 5_000 : undefined);
      checks++;
    }
    expect(checks).toBeLessThan(25);
    // seen done at most 50% (or 5 s) late
    expect(elapsed - 60_000).toBeLessThanOrEqual(MAX_POLL_INTERVAL_MS);
  });
});
