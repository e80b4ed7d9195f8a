import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

/*
 * No cluster runs here, so the manifest is held to what the servers need by reading it: both
 * protocols on 12000 under distinct names, probes on each server's metrics listener, the built
 * bundle as the entry, and time enough to drain. docs/DEPLOY.md quotes it, and must quote it whole.
 */
const MANIFEST_PATH = resolve(__dirname, '../kubernetes/sockets.yaml');
const DEPLOY_DOC_PATH = resolve(__dirname, '../../docs/DEPLOY.md');
const text = readFileSync(MANIFEST_PATH, 'utf8');

interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}
interface Probe {
  httpGet?: { path: string; port: string | number };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: ContainerPort[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
}
interface Manifest {
  kind: string;
  metadata: { name: string };
  spec: Record<string, unknown>;
}

const documents = parseAllDocuments(text).map((doc) => {
  expect(doc.errors).toEqual([]);
  return doc.toJS() as Manifest;
});
const deployment = documents.find((d) => d.kind === 'Deployment') as Manifest;
const service = documents.find((d) => d.kind === 'Service') as Manifest;
const podSpec = (deployment.spec.template as { spec: { containers: Container[]; terminationGracePeriodSeconds?: number; enableServiceLinks?: boolean } }).spec;
const containers = podSpec.containers;
const servicePorts = (service.spec as { ports: Array<{ name?: string; port: number; targetPort: string | number; protocol?: string }> }).ports;

function flag(container: Container, name: string): string | undefined {
  const args = container.args ?? [];
  const i = args.indexOf(`--${name}`);
  return i === -1 ? undefined : args[i + 1];
}

/** A probe's or Service's port, by name or number, as the container port it designates. */
function containerPort(container: Container, port: string | number): ContainerPort | undefined {
  return container.ports?.find((p) => (typeof port === 'number' ? p.containerPort === port : p.name === port));
}

describe('deploy/kubernetes/sockets.yaml', () => {
  it('holds one Deployment and one Service that selects its pods', () => {
    expect(documents.map((d) => d.kind).sort()).toEqual(['Deployment', 'Service']);
    const podLabels = (deployment.spec.template as { metadata: { labels: Record<string, string> } }).metadata.labels;
    expect(podLabels).toMatchObject((deployment.spec.selector as { matchLabels: Record<string, string> }).matchLabels);
    expect(podLabels).toMatchObject(service.spec.selector as Record<string, string>);
  });

  it('serves port 12000 over TCP and over UDP, as two entries with names of their own, each reaching the right server', () => {
    const byProtocol = new Map(servicePorts.map((p) => [p.protocol ?? 'TCP', p]));
    expect([...byProtocol.keys()].sort()).toEqual(['TCP', 'UDP']);
    expect(servicePorts.map((p) => p.port)).toEqual([12000, 12000]);
    const names = servicePorts.map((p) => p.name);
    expect(names.every(Boolean) && new Set(names).size === 2).toBe(true);
    for (const [protocol, app] of [
      ['TCP', 'tcp-server'],
      ['UDP', 'udp-server'],
    ] as const) {
      const entry = byProtocol.get(protocol);
      const container = containers.find((c) => c.name === app) as Container;
      const target = entry && containerPort(container, entry.targetPort);
      expect({ app, containerPort: target?.containerPort, protocol: target?.protocol ?? 'TCP' }).toEqual({ app, containerPort: 12000, protocol });
      expect(flag(container, 'port')).toBe('12000');
    }
  });

  it.each(['tcp-server', 'udp-server'])('runs %s as `node /app/main.js`, probed on its metrics listener', (app) => {
    const container = containers.find((c) => c.name === app) as Container;
    expect(container.image).toContain(app);
    expect(container.command).toEqual(['node', '/app/main.js']);
    const metricsPort = Number(flag(container, 'metrics-port'));
    expect(metricsPort).toBeGreaterThan(0);
    if (app === 'tcp-server') expect(metricsPort).toBe(9100);
    for (const [probe, path] of [
      [container.readinessProbe, '/readyz'],
      [container.livenessProbe, '/healthz'],
    ] as const) {
      expect(probe?.httpGet?.path).toBe(path);
      expect(containerPort(container, probe?.httpGet?.port ?? -1)?.containerPort).toBe(metricsPort);
    }
  });

  it("gives the servers their drain time: preStop's wait plus the 5 s a server takes to stop, within the grace period", () => {
    for (const container of containers) {
      const sleep = container.lifecycle?.preStop?.exec?.command;
      const preStopS = sleep?.[0] === 'sleep' ? Number(sleep[1]) : 0;
      expect(podSpec.terminationGracePeriodSeconds ?? 30).toBeGreaterThanOrEqual(preStopS + 5);
    }
    expect(podSpec.enableServiceLinks).toBe(false);
  });

  it('is quoted whole in docs/DEPLOY.md', () => {
    expect(readFileSync(DEPLOY_DOC_PATH, 'utf8')).toContain(`\`\`\`yaml\n${text}\`\`\``);
  });
});
