export { WORKSPACE_ROOT, distMain, textbookScript } from './paths';
export { startServer, type RunningServer, type StartServerOptions } from './start-server';
export { runProgram, type ProgramResult, type RunProgramOptions } from './run-program';
export { peakRssKb } from './proc-status';
