import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { WORKSPACE_ROOT } from '@sockets/testing';

// `upper` is whatever Node's toUpperCase() computes, and that moves with the Unicode tables Node
// ships. PROTOCOL.md promises one version to authors of other servers, so a Node carrying
// another one would make the page wrong without any vector noticing (the vectors pin only a few
// of the code points that change between versions).
const PROTOCOL_PATH = resolve(WORKSPACE_ROOT, 'docs/PROTOCOL.md');

function documentedVersion(): string | undefined {
  return /This protocol follows \*\*Unicode (\d+\.\d+)\*\*/.exec(readFileSync(PROTOCOL_PATH, 'utf8'))?.[1];
}

describe('the Unicode version in docs/PROTOCOL.md', () => {
  it('is named where section 2.1 says it is', () => {
    expect(documentedVersion()).toMatch(/^\d+\.\d+$/);
  });

  it('is the one the running Node carries', () => {
    const documented = documentedVersion();
    // A Node built without ICU has no Unicode tables of its own to report.
    const running = process.versions.unicode?.split('.').slice(0, 2).join('.') ?? 'none';
    if (running !== documented) {
      throw new Error(
        `Node ${process.version} carries Unicode ${running}, but docs/PROTOCOL.md says the protocol follows Unicode ${documented}. ` +
          `Either run on a Node with Unicode ${documented}, or move the protocol: run the comparison in PROTOCOL.md section 2.1 ` +
          `("The Unicode version") between the two versions, list the code points whose uppercase changed, add vectors for them ` +
          `to docs/test-vectors.json, and change the version the page names.`,
      );
    }
  });
});
