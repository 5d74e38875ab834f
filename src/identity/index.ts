/** Public API of the identity capability: `leadflow resolve` and the person lookup behind it. */
import type { Command } from 'commander';
import { runCommand } from '../cli';
import { resolvePerson } from './resolve';

export { resolvePerson, classifyResolveInput, type ResolveSummary, type ResolvedPerson, type ResolveKey } from './resolve';

export function registerResolveCommand(program: Command): void {
  program
    .command('resolve')
    .description("Show a person's current Lead, Contact, Account and Opportunity (follows converted leads)")
    .argument('<who>', 'a Lead Id (00Q...), a Contact Id (003...), an email, or a Source_External_Id__c such as hubspot:123')
    .action(async (who: string, _opts: unknown, cmd: Command) => {
      await runCommand(cmd, 'resolve', async (rt) => resolvePerson(await rt.org(), who));
    });
}
