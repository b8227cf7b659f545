// Roles that the architecture names but that are not built yet. They are listed so that
// `flotilla --help` shows the whole shape and a user gets a plain answer instead of an
// unknown-command error.
import type { Command } from 'commander';

export interface PlannedRole {
  name: string;
  summary: string;
  issue: string;
}

export const PLANNED_ROLES: readonly PlannedRole[] = [
];

export function registerNotYetBuilt(program: Command, registered: ReadonlySet<string>): void {
  for (const role of PLANNED_ROLES.filter((r) => !registered.has(r.name))) {
    program
      .command(role.name)
      .description(`${role.summary} (not built yet)`)
      .allowUnknownOption()
      .allowExcessArguments()
      .action(() => {
        process.stderr.write(`flotilla ${role.name}: not built yet (tracked in the "${role.issue}" issue).\n`);
        process.exitCode = 2;
      });
  }
}
