import type { Command, Option } from 'commander';

/**
 * Required options, the way a reader needs them: `--help` marks each "(required)", and a
 * command missing several names them all in one error (exit 2). Commander stops at the first
 * missing one, so the mandatory flag is taken off here and the check runs in a `preAction`
 * hook of the program, before any verb's action. Call once, after every verb is registered.
 */
export function checkRequiredTogether(program: Command): void {
  const required = new Map<Command, Option[]>();
  const visit = (command: Command): void => {
    const mandatory = command.options.filter((option) => option.mandatory);
    for (const option of mandatory) {
      option.mandatory = false;
      option.description = option.description ? `${option.description} (required)` : '(required)';
    }
    if (mandatory.length > 0) required.set(command, mandatory);
    command.commands.forEach(visit);
  };
  visit(program);
  program.hook('preAction', (_program, command) => {
    const missing = (required.get(command) ?? []).filter((option) => command.getOptionValue(option.attributeName()) === undefined);
    if (missing.length === 0) return;
    const names = missing.map((option) => `'${option.flags}'`).join(', ');
    command.error(`error: required option${missing.length > 1 ? 's' : ''} ${names} not specified`, { code: 'commander.missingMandatoryOptionValue', exitCode: 2 });
  });
}
