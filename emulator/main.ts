/**
 * CLI: `npm run emulator -- [--port 4010] [--data-dir .emulator-data] [--seed package|demo|none] [--reset]
 * [--force-app dir] [--token-ttl 7200] [--daily-api-limit 15000] [--fault SPEC ...] [--fault-seed N]
 * [--jwt-cert file] [--quiet]`.
 * Prints a startup banner with the URL, credentials, the admin key and a ready-to-paste sf CLI login
 * command including an access token. The token appears only in this banner, never in the request log.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { assertDataDirFree } from './core/data-dir-lock';
import { FaultConfigError, parseFaultRuleSpec, type FaultRule } from './faults/config';
import {
  ADMIN_USERNAME,
  DEFAULT_PORT,
  DEFAULT_USER_PASSWORD,
  startEmulator,
  type EmulatorOptions,
  type RunningEmulator
} from './server';

function integer(name: string, min: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min)
      throw new InvalidArgumentError(`${name} must be an integer >= ${min}`);
    return parsed;
  };
}

function collectFault(value: string, previous: FaultRule[]): FaultRule[] {
  try {
    return [...previous, parseFaultRuleSpec(value)];
  } catch (error) {
    throw new InvalidArgumentError(
      error instanceof FaultConfigError ? error.issues.join('; ') : String(error)
    );
  }
}

function banner(emulator: RunningEmulator, token: string, dataDir: string | undefined, seedOption: string): string {
  const ctx = emulator.ctx;
  const seed = emulator.seed
    ? emulator.seed.skipped
      ? 'demo (already seeded)'
      : `demo (${Object.entries(emulator.seed.counts)
          .map(([k, v]) => `${v} ${k}`)
          .join(', ')})`
    : seedOption === 'none'
      ? 'none (empty org: deploy the package with sf project deploy start)'
      : 'package (force-app loaded at start-up)';
  return [
    '',
    `Leadflow local org emulator listening on ${emulator.url}`,
    `  data dir       ${dataDir ?? '(in memory)'}`,
    `  seed           ${seed}`,
    `  org id         ${ctx.orgId}`,
    `  admin user     ${ADMIN_USERNAME} (password: ${DEFAULT_USER_PASSWORD}; Id ${ctx.defaultUserId})`,
    `  client id      ${emulator.clientId}`,
    `  client secret  ${emulator.clientSecret}`,
    `  admin key      ${emulator.adminKey}   (header X-Emulator-Admin-Key for /__emulator/*)`,
    '',
    'Log the sf CLI in (access token valid for the configured TTL):',
    `  SF_DISABLE_DNS_CHECK=true SF_ACCESS_TOKEN='${token}' sf org login access-token --instance-url ${emulator.url} --no-prompt --alias leadflow-emu`,
    '',
    'Press Ctrl+C to stop.',
    ''
  ].join('\n');
}

async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name('emulator')
    .description('Local Salesforce org emulator (REST, Bulk 2.0, SOAP convertLead, OAuth) for leadflow')
    .option('--port <port>', 'port to listen on (127.0.0.1 only)', integer('port', 0), DEFAULT_PORT)
    .option('--data-dir <dir>', 'PGlite data directory (persists records and tokens)', '.emulator-data')
    .option('--in-memory', 'keep everything in memory (ignores --data-dir)', false)
    .addOption(
      new Option(
        '--seed <seed>',
        'package: load force-app at start-up; demo: that plus the demo org (once per data dir); none: an empty org (standard objects only) to deploy into with `sf project deploy start`'
      )
        .choices(['package', 'demo', 'none'])
        .default('package')
    )
    .option('--reset', 'delete the data directory before starting', false)
    .option(
      '--force-app <dir>',
      'package folder whose metadata extends the schema (default: ./force-app/main/default)'
    )
    .option(
      '--token-ttl <seconds>',
      'access-token lifetime in seconds (0 = never expire)',
      integer('token-ttl', 0),
      7200
    )
    .option(
      '--daily-api-limit <n>',
      'DailyApiRequests Max; calls beyond it get 403 REQUEST_LIMIT_EXCEEDED',
      integer('daily-api-limit', 0),
      15000
    )
    .option(
      '--fault <spec>',
      'inject a fault, e.g. SERVER_UNAVAILABLE:rate=0.05 or UNABLE_TO_LOCK_ROW:calls=5,9:path=/composite (repeatable)',
      collectFault,
      []
    )
    .option('--fault-seed <n>', 'seed of the fault RNG', integer('fault-seed', 0), 1)
    .option('--jwt-cert <file>', 'PEM certificate/public key of the connected app for the JWT bearer flow')
    .option('--admin-key <key>', 'fixed admin key for /__emulator endpoints (default: random)')
    .option('--quiet', 'no request log', false)
    .parse(argv);

  const opts = program.opts<{
    port: number;
    dataDir: string;
    inMemory: boolean;
    seed: 'package' | 'demo' | 'none';
    reset: boolean;
    forceApp?: string;
    tokenTtl: number;
    dailyApiLimit: number;
    fault: FaultRule[];
    faultSeed: number;
    jwtCert?: string;
    adminKey?: string;
    quiet: boolean;
  }>();

  const dataDir = opts.inMemory ? undefined : path.resolve(opts.dataDir);
  // --reset must not delete the files under a running emulator.
  if (opts.reset && dataDir) {
    assertDataDirFree(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  }

  const options: EmulatorOptions = {
    port: opts.port,
    host: '127.0.0.1',
    seed: opts.seed === 'demo' ? 'demo' : 'none',
    tokenTtlSeconds: opts.tokenTtl === 0 ? null : opts.tokenTtl,
    dailyApiLimit: opts.dailyApiLimit,
    faults: { seed: opts.faultSeed, rules: opts.fault },
    quiet: opts.quiet
  };
  if (dataDir) options.dataDir = dataDir;
  if (opts.seed === 'none' && opts.forceApp) throw new InvalidArgumentError('--seed none starts an empty org: it loads no --force-app');
  // An empty org: metadata comes only from Metadata API deploys (kept in the data dir across restarts).
  if (opts.seed === 'none') options.forceAppDir = null;
  else if (opts.forceApp) options.forceAppDir = path.resolve(opts.forceApp);
  if (opts.jwtCert) options.jwtCertificate = path.resolve(opts.jwtCert);
  if (opts.adminKey) options.adminKey = opts.adminKey;

  const emulator = await startEmulator(options);
  const token = await emulator.issueAccessToken();
  process.stdout.write(banner(emulator, token, dataDir, opts.seed));

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    process.stdout.write(`\n${signal}: stopping the emulator...\n`);
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      }
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main(process.argv).catch((error: unknown) => {
  console.error(`emulator: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
