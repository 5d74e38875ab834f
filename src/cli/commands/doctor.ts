import type { Command } from 'commander';
import { runCommand } from '../run';
import { runDoctor } from '../doctor';

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('Check org access, package fields, permission sets, API limits and the store; exit 1 if any check fails')
    .action(async (_opts: unknown, cmd: Command) => {
      await runCommand(cmd, 'doctor', (rt) => runDoctor(rt));
    });
}
