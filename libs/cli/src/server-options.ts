import { createLogger } from '@sockets/logging';
import type { ServeOptions } from '@sockets/runtime';
import type { FlagValues, Program, serverFlags } from './flags';

type ServerFlagValues = FlagValues<ReturnType<typeof serverFlags>>;

/**
 * What both servers hand to `serve` from their shared flags: where to listen, what to do, how
 * many processes, the probes, and a logger for the program. Each app adds its protocol and
 * the service it runs.
 */
export function serveOptions(program: Program, values: ServerFlagValues): Omit<ServeOptions, 'protocol' | 'createService'> {
  const { host, port, transform, workers, 'metrics-port': metricsPort, 'log-level': level, 'log-format': format } = values;
  const logger = createLogger({ service: program.name, level, format });
  return { program: program.name, host, port, transform, workers, metricsPort, logger };
}
