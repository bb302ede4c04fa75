import { runBackup } from './backup.ts';
import { runCheck } from './check.ts';
import { getInputs } from './inputs.ts';
import { runRestoreCommand } from './restore.ts';
import { runRotateApp } from './rotate-app.ts';
import { runWatchdogCommand } from './watchdog.ts';

export async function run(): Promise<void> {
  const inputs = getInputs();
  switch (inputs.command) {
    case 'check':
      await runCheck(inputs);
      return;
    case 'backup':
      await runBackup(inputs);
      return;
    case 'rotate-app':
      await runRotateApp(inputs);
      return;
    case 'watchdog':
      await runWatchdogCommand(inputs);
      return;
    case 'restore':
      await runRestoreCommand(inputs);
      return;
  }
}
