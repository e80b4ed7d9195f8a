// The workspace's one version, from the root package.json: the bundler inlines it into each
// program, so a built app reports the version it was built from.
import { version } from '../../../package.json';

export const VERSION: string = version;
