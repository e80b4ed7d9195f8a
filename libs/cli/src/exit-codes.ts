/** Exit codes of every program, as the contract fixes them. */
export const EXIT = {
  OK: 0,
  /** A network or start-up failure: refused, timed out, closed early, port in use. */
  FAILURE: 1,
  /** The command line or environment asked for something the program does not accept. */
  USAGE: 2,
} as const;
