import { parseArgs } from 'node:util';
import type { FlagSpec } from '@sockets/cli';

/** A decimal in [min, max], for seconds: `--duration 0.3` is fine, `--duration 1e3` is not. */
export function decimalFlag(
  options: Omit<FlagSpec<number>, 'parse' | 'valueName'> & { min: number; max: number; valueName?: string },
): FlagSpec<number> {
  const { min, max, ...rest } = options;
  return {
    valueName: 'S',
    ...rest,
    parse(raw) {
      const value = Number(raw);
      if (!/^\d+(\.\d+)?$|^\.\d+$/.test(raw) || value < min || value > max) throw new Error(`expected a number from ${min} to ${max}`);
      return value;
    },
  };
}

/** One of a fixed set of words. */
export function choiceFlag<T extends string>(
  options: Omit<FlagSpec<T>, 'parse' | 'valueName'> & { choices: readonly T[]; valueName?: string },
): FlagSpec<T> {
  const { choices, ...rest } = options;
  return {
    valueName: 'NAME',
    ...rest,
    parse(raw) {
      if (!(choices as readonly string[]).includes(raw)) throw new Error(`expected one of ${choices.join(', ')}`);
      return raw as T;
    },
  };
}

/**
 * A comma list of words from a fixed set, without repeats; `all` (when `all` is given) stands for
 * every one of them, in their own order.
 */
export function listFlag<T extends string>(
  options: Omit<FlagSpec<T[]>, 'parse' | 'valueName'> & { choices: readonly T[]; all?: boolean; valueName?: string },
): FlagSpec<T[]> {
  const { choices, all, ...rest } = options;
  return {
    valueName: 'LIST',
    ...rest,
    parse(raw) {
      const words = raw.split(',').filter(Boolean);
      if (all && words.includes('all')) return [...choices];
      const accepted = `${all ? 'all or ' : ''}a comma list of ${choices.join(', ')}`;
      if (words.length === 0) throw new Error(`expected ${accepted}`);
      for (const word of words) {
        if (!(choices as readonly string[]).includes(word)) throw new Error(`unknown ${JSON.stringify(word)}; expected ${accepted}`);
      }
      return [...new Set(words)] as T[];
    },
  };
}

/**
 * Every value a string flag was given, in order. parseFlags keeps only the last one of a flag
 * given twice; call this only after parseFlags accepted `argv`, so the command line is known to
 * be well formed and every spec is a string option, as parseFlags declares them.
 */
export function repeatedValues(argv: string[], specNames: readonly string[], name: string): string[] {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const spec of specNames) options[spec] = { type: 'string' };
  const { tokens } = parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true });
  return tokens.flatMap((t) => (t.kind === 'option' && t.name === name && t.value !== undefined ? [t.value] : []));
}
