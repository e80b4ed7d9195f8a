import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKSPACE_ROOT } from '@sockets/testing';
import { clientChannels } from './client-channels';

describe('the client channels', () => {
  it('are the ones docs/TRACE.md names, so a subscriber can rely on the page', () => {
    const page = readFileSync(join(WORKSPACE_ROOT, 'docs/TRACE.md'), 'utf8');
    const documented = [...page.matchAll(/^\| `(sockets:[a-z:-]+)` \|/gm)].map((match) => match[1]);
    const declared = Object.values(clientChannels).map((channel) => String(channel.name));
    expect(documented.sort()).toEqual(declared.sort());
  });
});
