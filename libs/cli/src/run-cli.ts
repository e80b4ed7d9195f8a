import { helpText, parseFlags, type FlagSpec, type FlagValues, type Program } from './flags';
import { EXIT } from './exit-codes';
import { runMain } from './run-main';
import { VERSION } from './version';

/**
 * What every program does before its own work: read the flags (a usage error exits 2 through
 * runMain), answer `--help` or `--version`, then run `main` with the values and any words after
 * the flags.
 */
export function runCli<S extends Record<string, FlagSpec<unknown>>>(
  program: Program,
  specs: S,
  main: (values: FlagValues<S>, positionals: string[]) => Promise<number | void>,
): void {
  runMain(program.name, async () => {
    const parsed = parseFlags(program, specs, process.argv.slice(2));
    if (!parsed.help) return main(parsed.values, parsed.positionals);
    process.stdout.write(parsed.version ? `${program.name} ${VERSION}\n` : helpText(program, specs));
    return EXIT.OK;
  });
}
