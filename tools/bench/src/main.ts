import { isMainThread } from 'node:worker_threads';
import { runMain } from '@sockets/cli';
import { workerMain } from './load/worker';
import { runBench } from './run-bench';

// One bundle is both programs: the main thread runs the benchmark, worker threads run load.
if (isMainThread) runMain('bench', () => runBench(process.argv.slice(2), __filename));
else workerMain();
