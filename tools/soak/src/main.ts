import { resolve } from 'node:path';
import { exitWhenStdoutCloses, runCli } from '@sockets/cli';
import { PROGRAM, SOAK_FLAGS } from './options';
import { runSoak } from './soak';

// The bundle lives in dist/tools/soak/: the workspace root, and the built servers, are three levels up.
// `soak | head` is a reader that has seen enough, not a failure; the exit handler stops the servers.
exitWhenStdoutCloses();
runCli(PROGRAM, SOAK_FLAGS, (values) => runSoak(values, resolve(__dirname, '../../..')));
