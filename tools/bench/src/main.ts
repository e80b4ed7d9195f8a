import { resolve } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { runCli } from '@sockets/cli';
import { workerMain } from './load/worker';
import { benchFlags, benchOptions, PROGRAM } from './options';
import { runBench } from './run-bench';

// One bundle is both programs: the main thread runs the benchmark, worker threads run load.
// The bundle lives in dist/tools/bench/: the workspace root is three levels up.
if (isMainThread) runCli(PROGRAM, benchFlags(), (values) => runBench(benchOptions(values, resolve(__dirname, '../../..')), __filename));
else workerMain();
