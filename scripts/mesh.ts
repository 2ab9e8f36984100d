// The custom mesh's operator CLI; see mesh-impls/custom/cli/cli.ts for the commands.
import { runCli } from '../mesh-impls/custom/cli/cli.ts';

try {
  process.exitCode = await runCli(process.argv.slice(2));
} catch (err) {
  console.error(`mesh: ${(err as Error).message}`);
  process.exitCode = 2;
}
