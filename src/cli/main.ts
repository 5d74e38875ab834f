/**
 * The `leadflow` CLI: global options and command wiring only (commands delegate to library code).
 * Exit codes: 0 ok, 1 failure, 2 usage/config error, 3 org/auth error, 4 partial failure, 5 busy (docs/cli.md).
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { ExitCode } from '../shared/errors';
import { registerDoctorCommand } from './commands/doctor';
import { registerEmulatorCommand } from './commands/emulator';
import { registerServeCommand } from '../serve';

/* ===================== Capability commands =====================
 * Each capability adds ONE import and ONE entry below when its src/<cap>/index.ts exports
 * `register<Cap>Command(program)`. A capability that has not landed has no command (no stubs).
 */
// (capability imports go here, e.g.: import { registerIngestCommand } from '../ingest';)
import { registerIngestCommand, registerRouteCommand } from '../ingest';
import { registerConvertCommand } from '../conversion';
import { registerHistoryCommand } from '../history';
import { registerQualifyCommand } from '../qualification';
import { registerResolveCommand } from '../identity';

const capabilityCommands: ((program: Command) => void)[] = [
  registerIngestCommand,
  registerRouteCommand,
  // registerIngestCommand,
  registerQualifyCommand,
  registerConvertCommand,
  registerHistoryCommand,
  registerResolveCommand,
];
/* =================== end of capability commands ================ */

export function buildProgram(): Command {
  const program = new Command('leadflow')
    .description('Lead-to-cash for Salesforce: ingest, qualify, convert, history, reports')
    .option('--config <path>', 'config file (default ./leadflow.config.json, .ts or .js)')
    .option('--target-org <aliasOrUsername>', 'sf CLI org alias or username (default: SF_* env credentials, else the local emulator)')
    .option('--json', 'print only a JSON result on stdout')
    .option('--verbose', 'debug logging on stderr')
    .option('--wait', 'when another run of the same job (ingest source, qualify, convert, history) is running, wait for it instead of exiting with code 5')
    .showHelpAfterError()
    .exitOverride();
  for (const register of capabilityCommands) register(program);
  registerServeCommand(program);
  registerDoctorCommand(program);
  registerEmulatorCommand(program);
  // exitOverride on every subcommand too, so usage errors map to exit code 2.
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

export async function main(argv: string[] = process.argv): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help / --version exit 0; everything else commander rejects is a usage error.
      const code = err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
      process.exitCode = code;
      return code;
    }
    if (err instanceof InvalidArgumentError) {
      process.exitCode = ExitCode.usage;
      return ExitCode.usage;
    }
    process.stderr.write(`Error: ${(err as Error).message}\n`);
    process.exitCode = ExitCode.failure;
    return ExitCode.failure;
  }
}
