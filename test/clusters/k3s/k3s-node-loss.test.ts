import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ModelInstance, ModelNode, NodeModel } from './support/node-model';
import { k3sUserData } from './support/user-data';
import { StubRun } from '../self-managed/support/stub-run';
import { shellcheckFindings } from '../self-managed/support/user-data';

// Node-loss scenarios: the real rendered user data, and the commands it installs, run against a model of a
// live cluster (Nodes, etcd members, the cluster's Auto Scaling groups, the snapshot bucket) kept in files.
let server: string;
let haServer: string;
let agent: string;
beforeAll(() => {
  ({ server, haServer, agent } = k3sUserData());
});

const CLEANUP = 'usr/local/sbin/cdk-k8s-platform-node-cleanup';
const PRE_TERMINATE = 'usr/local/sbin/cdk-k8s-platform-pre-terminate';
const TOKENS = ['server-token-value', 'agent-token-value'];
const srv = (name: string, ready: ModelNode['ready'] = 'True'): ModelNode => ({ name, role: 'server', ready });
const agt = (name: string, ready: ModelNode['ready'] = 'True'): ModelNode => ({ name, role: 'agent', ready });
const inst = (id: string, state: string, group: ModelInstance['group'] = 'server'): ModelInstance => ({ id, state, group });

/** Asserts a run succeeded and signalled SUCCESS, and that no token value reached its output or calls. */
function expectSuccess(run: StubRun, model: NodeModel): void {
  expect({ status: run.status, signals: model.signals().slice(-1) }).toEqual({ status: 0, signals: ['SUCCESS'] });
  expectNoToken(run);
}

/**
 * The day-2 commands the HA bootstrap installs on server i-0a (they hold its REGION, CLUSTER_NAME and INSTANCE_ID,
 * never the model's state), from one boot against a healthy cluster: tests that only run a command take it from here.
 */
let installedOnA: { cleanup: string; preTerminate: string; root: string } | undefined;
function commandsOfA(): { cleanup: string; preTerminate: string; root: string } {
  if (!installedOnA) {
    const model = new NodeModel('acme-ha', {
      nodes: [srv('i-0a'), srv('i-0b'), srv('i-0c')],
      members: ['i-0a', 'i-0b', 'i-0c'],
      instances: [inst('i-0a', 'InService'), inst('i-0b', 'InService'), inst('i-0c', 'InService')],
      running: ['i-0a', 'i-0b', 'i-0c'],
    });
    const boot = model.run(haServer, 'i-0a');
    expectSuccess(boot, model);
    installedOnA = { cleanup: boot.file(CLEANUP), preTerminate: boot.file(PRE_TERMINATE), root: boot.root };
  }
  return installedOnA;
}

/** A copy of the disk of server i-0a after its bootstrap finished (its ready mark), for a command to run on. */
function diskOfA(): string {
  const disk = fs.mkdtempSync(path.join(os.tmpdir(), 'k3s-disk-'));
  fs.cpSync(commandsOfA().root, disk, { recursive: true });
  return disk;
}

function expectNoToken(run: StubRun): void {
  const texts = [run.output, run.calls.join('\n')];
  if (run.exists('var/log/cdk-k8s-platform-bootstrap.log')) texts.push(run.file('var/log/cdk-k8s-platform-bootstrap.log'));
  for (const token of TOKENS) for (const text of texts) expect(text).not.toContain(token);
}

describe('k3s HA: a lost server is replaced', () => {
  let model: NodeModel;
  let first: StubRun;
  beforeAll(() => {
    // i-0c died: the group terminated it and launched i-0d; its Node is NotReady and its member stays.
    model = new NodeModel('acme-ha', {
      nodes: [srv('i-0a'), srv('i-0b'), srv('i-0c', 'Unknown')],
      members: ['i-0a', 'i-0b', 'i-0c'],
      instances: [inst('i-0a', 'InService'), inst('i-0b', 'InService'), inst('i-0c', 'Terminated'), inst('i-0d', 'Pending')],
      running: ['i-0a', 'i-0b', 'i-0d'],
    });
    first = model.run(haServer, 'i-0d');
  });

  test('the replacement joins and removes the dead server: 3 members, live Nodes untouched', () => {
    expectSuccess(first, model);
    expect(first.file('etc/rancher/k3s/config.yaml')).not.toContain('cluster-init');
    expect(model.members()).toEqual(['i-0a', 'i-0b', 'i-0d']);
    expect(model.nodes()).toEqual([srv('i-0a'), srv('i-0b'), srv('i-0d')]);
    expect(first.calls.filter(c => c.startsWith('k3s kubectl delete node'))).toEqual(['k3s kubectl delete node i-0c --ignore-not-found --wait=false']);
  });

  test('the removal is a normal delete (k3s\'s finalizer removes the member), after the join', () => {
    expect(first.calls.some(c => / delete .*(--force|--grace-period=0)/.test(c))).toBe(false);
    const del = first.calls.findIndex(c => c.startsWith('k3s kubectl delete node'));
    expect(del).toBeGreaterThan(first.calls.indexOf('systemctl start k3s'));
    expect(del).toBeGreaterThan(first.calls.indexOf('k3s kubectl get --raw=/readyz'));
  });

  test('a second consecutive replacement: still 3 members', () => {
    model.set({
      instances: [inst('i-0a', 'InService'), inst('i-0b', 'Terminated'), inst('i-0d', 'InService'), inst('i-0e', 'Pending')],
      running: ['i-0a', 'i-0d', 'i-0e'],
    });
    const second = model.run(haServer, 'i-0e');
    expectSuccess(second, model);
    expect(model.members()).toEqual(['i-0a', 'i-0d', 'i-0e']);
    expect(model.nodeNames()).toEqual(['i-0a', 'i-0d', 'i-0e']);
  });
});

describe('k3s HA: what is never removed', () => {
  const base = () => new NodeModel('acme-ha', {
    nodes: [srv('i-0a'), srv('i-0b'), srv('i-0c', 'False')],
    members: ['i-0a', 'i-0b', 'i-0c'],
    instances: [inst('i-0a', 'InService'), inst('i-0b', 'InService'), inst('i-0c', 'InService')],
    running: ['i-0a', 'i-0b'],
  });

  test('a rebooting server (NotReady, still InService) is kept, by the bootstrap and by the timer', () => {
    const model = base();
    model.set({ instances: [inst('i-0a', 'InService'), inst('i-0b', 'InService'), inst('i-0c', 'InService'), inst('i-0d', 'Pending')], running: ['i-0a', 'i-0b', 'i-0d'] });
    const boot = model.run(haServer, 'i-0d');
    expectSuccess(boot, model);
    const timer = model.run(boot.file(CLEANUP), 'i-0d');
    expect(timer.status).toBe(0);
    expect(model.members()).toEqual(['i-0a', 'i-0b', 'i-0c', 'i-0d']);
    expect(model.nodeNames()).toEqual(['i-0a', 'i-0b', 'i-0c', 'i-0d']);
    expect([...boot.calls, ...timer.calls].some(c => c.startsWith('k3s kubectl delete'))).toBe(false);
  });

  test('a server being drained (Terminating:Wait, still Ready) is left until it is NotReady, then removed', () => {
    const model = base();
    model.set({ nodes: [srv('i-0a'), srv('i-0b'), srv('i-0c')], instances: [inst('i-0a', 'InService'), inst('i-0b', 'InService'), inst('i-0c', 'Terminating:Wait')], running: ['i-0a', 'i-0b', 'i-0c'] });
    const cleanup = commandsOfA().cleanup;
    const draining = model.run(cleanup, 'i-0a');
    expect(draining.status).toBe(1);
    expect(draining.output).toContain('Node i-0c (Terminating:Wait) is still Ready: left for later');
    expect(model.members()).toEqual(['i-0a', 'i-0b', 'i-0c']);
    model.set({ running: ['i-0a', 'i-0b'], instances: [inst('i-0a', 'InService'), inst('i-0b', 'InService'), inst('i-0c', 'Terminating:Proceed')] });
    model.run(cleanup, 'i-0a'); // the Node still reads Ready once (grace period), then Unknown
    const gone = model.run(cleanup, 'i-0a');
    expect(gone.status).toBe(0);
    expect(model.members()).toEqual(['i-0a', 'i-0b']);
  });

  test('nothing is removed when this instance is not in the listing (wrong filter, eventual consistency)', () => {
    const model = base();
    model.set({ instances: [inst('i-0b', 'InService')] });
    const timer = model.run(commandsOfA().cleanup, 'i-0a');
    expect(timer.status).toBe(1);
    expect(timer.output).toContain('i-0a is not listed in the cluster\'s groups: no Node removed');
    expect(model.nodeNames()).toEqual(['i-0a', 'i-0b', 'i-0c']);
  });
});

describe('k3s HA: no server answers', () => {
  test('a server that is not the first waits for the first one, then fails instead of joining nothing', () => {
    const model = new NodeModel('acme-ha', { nodes: [], members: [], instances: [inst('i-0a', 'Pending'), inst('i-0b', 'Pending')], running: ['i-0a', 'i-0b'] });
    const run = model.run(haServer, 'i-0b', { PING_STATUS: '7' });
    expect(run.status).not.toBe(0);
    expect(model.signals()).toEqual(['FAILURE']);
    expect(run.output).toContain('waiting for the first server (i-0a)');
    // 6 pings before the election, 1 after the settle delay, then 90 waiting for the first server.
    expect(run.calls.filter(c => c.includes('/ping'))).toHaveLength(97);
    expect(run.calls.some(c => c.startsWith('systemctl start') || c.startsWith('installer'))).toBe(false);
  });
});

describe('k3s single server: the replacement restores the newest snapshot', () => {
  let model: NodeModel;
  let boot: StubRun;
  beforeAll(() => {
    const inSnapshot = [srv('i-0old'), agt('i-0a1'), agt('i-0a2')];
    model = new NodeModel('acme', {
      nodes: [],
      members: [],
      instances: [inst('i-0old', 'Terminated'), inst('i-0new', 'Pending'), inst('i-0a1', 'InService', 'agent'), inst('i-0a2', 'InService', 'agent')],
      running: ['i-0new', 'i-0a1', 'i-0a2'],
      snapshots: [
        // the newest by LastModified, although another name sorts after it
        { lastModified: '2026-11-20T11:00:00+00:00', key: 'etcd-snapshots/pre-terminate-i-0old-i-0old-1763636400', nodes: inSnapshot },
        { lastModified: '2026-11-20T10:00:00+00:00', key: 'etcd-snapshots/etcd-snapshot-i-0old-1763632800', nodes: [srv('i-0old')] },
        { lastModified: '2026-11-20T11:00:01+00:00', key: 'etcd-snapshots/.metadata/pre-terminate-i-0old-i-0old-1763636400' },
        { lastModified: '2026-11-20T12:00:00+00:00', key: 'etcd-snapshots/old/etcd-snapshot-elsewhere' },
      ],
    });
    model.failNext('list-snapshots', 2);
    boot = model.run(server, 'i-0new', { RETRY_DELAY: '2' });
  });

  test('lists the bucket again after failures, restores the newest snapshot before the first start', () => {
    expectSuccess(boot, model);
    expect(boot.calls.filter(c => c.startsWith('aws s3api list-objects-v2'))).toHaveLength(3);
    const restore = boot.calls.indexOf('k3s server --cluster-reset --cluster-reset-restore-path=pre-terminate-i-0old-i-0old-1763636400');
    expect(restore).toBeGreaterThan(boot.calls.findIndex(c => c.startsWith('installer version=')));
    expect(restore).toBeLessThan(boot.calls.indexOf('systemctl start k3s'));
  });

  test('removes the old server\'s Node once it is NotReady; the agents\' Nodes stay (they rejoin through the NLB)', () => {
    expect(model.members()).toEqual(['i-0new']);
    expect(model.nodes()).toEqual([agt('i-0a1'), agt('i-0a2'), srv('i-0new')]);
    expect(boot.output).toContain('Node i-0old (Terminated) is still Ready: left for later');
    expect(boot.output).toContain('removing the Node of i-0old (Terminated)');
  });

  test('installs the cleanup command and its 5-minute timer, and the pre-terminate command, all 0700', () => {
    for (const f of [CLEANUP, PRE_TERMINATE]) expect(boot.mode(f)).toBe(0o700);
    expect(boot.file('etc/systemd/system/cdk-k8s-platform-node-cleanup.timer')).toMatch(/OnUnitActiveSec=5min/);
    expect(boot.file('etc/systemd/system/cdk-k8s-platform-node-cleanup.service')).toContain('ExecStart=/usr/local/sbin/cdk-k8s-platform-node-cleanup\n');
    expect(boot.calls).toContain('systemctl enable --now cdk-k8s-platform-node-cleanup.timer');
    expect(boot.calls.indexOf('systemctl enable --now cdk-k8s-platform-node-cleanup.timer')).toBeLessThan(boot.calls.findIndex(c => c.includes('signal-resource')));
    for (const f of [CLEANUP, PRE_TERMINATE]) {
      for (const token of TOKENS) expect(boot.file(f)).not.toContain(token);
      const findings = shellcheckFindings(boot.file(f));
      if (findings !== undefined) expect(findings).toBe('');
    }
  });

  test('the timer removes the Nodes of agents whose instances are gone, and only those', () => {
    model.set({
      instances: [inst('i-0new', 'InService'), inst('i-0a1', 'Terminated', 'agent'), inst('i-0a2', 'InService', 'agent'), inst('i-0a3', 'InService', 'agent')],
      nodes: [agt('i-0a1', 'Unknown'), agt('i-0a2', 'False'), srv('i-0new'), agt('i-0a3'), agt('i-0a9', 'Unknown')],
      running: ['i-0new', 'i-0a3'],
    });
    const timer = model.run(boot.file(CLEANUP), 'i-0new');
    expect(timer.status).toBe(0);
    expect(model.nodeNames()).toEqual(['i-0a2', 'i-0a3', 'i-0new']);
    expect(model.members()).toEqual(['i-0new']);
    expectNoToken(timer);
  });
});

describe('k3s single server: a bucket that cannot be listed', () => {
  test('fails the bootstrap before k3s starts (never an empty cluster over existing snapshots)', () => {
    const model = new NodeModel('acme', { nodes: [], members: [], instances: [inst('i-0new', 'Pending')], running: ['i-0new'] });
    model.failNext('list-snapshots', 100);
    const run = model.run(server, 'i-0new');
    expect(run.status).not.toBe(0);
    expect(model.signals()).toEqual(['FAILURE']);
    expect(run.calls.some(c => c.startsWith('systemctl start k3s') || c.startsWith('installer'))).toBe(false);
  });
});

describe('k3s bootstrap retries with backoff', () => {
  const fresh = () => new NodeModel('acme', { nodes: [], members: [], instances: [inst('i-0new', 'Pending')], running: ['i-0new'] });

  test('an installer download that fails twice then succeeds: SUCCESS, after 2 s and 4 s', () => {
    const model = fresh();
    model.failNext('download', 2);
    const run = model.run(server, 'i-0new', { RETRY_DELAY: '2' });
    expectSuccess(run, model);
    expect(run.calls.filter(c => c.startsWith('curl -sfL https://raw.githubusercontent.com/k3s-io/k3s/'))).toHaveLength(3);
    const downloads = run.calls.map((c, i) => [c, i] as const).filter(([c]) => c.startsWith('curl -sfL'));
    expect(run.calls.slice(downloads[0][1], downloads[2][1]).filter(c => c.startsWith('sleep'))).toEqual(['sleep 2', 'sleep 4']);
    expect(run.calls.filter(c => c.startsWith('installer version='))).toHaveLength(1);
  });

  test('an installer download that always fails: FAILURE signal, non-zero exit, capped backoff, bounded attempts', () => {
    const model = fresh();
    model.failNext('download', 1000);
    const run = model.run(server, 'i-0new', { RETRY_DELAY: '2' });
    expect(run.status).not.toBe(0);
    expect(model.signals()).toEqual(['FAILURE']);
    expect(run.output).toContain('giving up after 10 attempts: run_installer');
    expect(run.calls.filter(c => c.startsWith('curl -sfL'))).toHaveLength(10);
    expect(run.calls.filter(c => c.startsWith('sleep'))).toEqual(['sleep 2', 'sleep 4', 'sleep 8', 'sleep 16', 'sleep 32', 'sleep 60', 'sleep 60', 'sleep 60', 'sleep 60']);
    expect(run.calls.some(c => c.startsWith('systemctl start k3s'))).toBe(false);
    expect(run.exists('var/lib/cdk-k8s-platform/ready')).toBe(false);
    expectNoToken(run);
  });

  test('an API that answers late: the readiness wait polls (backoff capped at 10 s) and succeeds', () => {
    const model = fresh();
    model.failNext('readyz', 6);
    const run = model.run(server, 'i-0new', { RETRY_DELAY: '2' });
    expectSuccess(run, model);
    expect(run.calls.filter(c => c === 'k3s kubectl get --raw=/readyz')).toHaveLength(7);
    expect(run.calls.filter(c => c.startsWith('sleep'))).toEqual(['sleep 2', 'sleep 4', 'sleep 8', 'sleep 10', 'sleep 10', 'sleep 10']);
  });

  test('an API that never answers: FAILURE', () => {
    const model = fresh();
    model.failNext('readyz', 1000);
    const run = model.run(server, 'i-0new');
    expect(run.status).not.toBe(0);
    expect(model.signals()).toEqual(['FAILURE']);
    expect(run.output).toContain('giving up after 90 attempts: k3s kubectl');
    expectNoToken(run);
  });
});

describe('k3s agent bootstrap retries', () => {
  const fresh = () => new NodeModel('acme', { nodes: [], members: [], instances: [inst('i-0a3', 'Pending', 'agent')], running: ['i-0a3'] });

  test('a download that fails twice then succeeds: the agent installs once, starts, SUCCESS', () => {
    const model = fresh();
    model.failNext('download', 2);
    const run = model.run(agent, 'i-0a3');
    expectSuccess(run, model);
    expect(run.calls.filter(c => c.startsWith('installer version='))).toEqual(['installer version=v1.36.5+k3s1 exec=agent']);
    expect(run.calls).toContain('systemctl start --no-block k3s-agent');
  });

  test('a download that always fails: FAILURE, the agent never starts', () => {
    const model = fresh();
    model.failNext('download', 1000);
    const run = model.run(agent, 'i-0a3');
    expect(run.status).not.toBe(0);
    expect(model.signals()).toEqual(['FAILURE']);
    expect(run.calls.some(c => c.startsWith('systemctl start'))).toBe(false);
    expectNoToken(run);
  });
});

describe('k3s pre-terminate command', () => {
  let model: NodeModel;
  let command: string;
  beforeAll(() => {
    model = new NodeModel('acme-ha', {
      nodes: [srv('i-0a'), srv('i-0b'), srv('i-0c')],
      members: ['i-0a', 'i-0b', 'i-0c'],
      instances: [inst('i-0a', 'InService'), inst('i-0b', 'InService'), inst('i-0c', 'InService')],
      running: ['i-0a', 'i-0b', 'i-0c'],
    });
    command = commandsOfA().preTerminate;
  });

  test('snapshots etcd to the cluster\'s S3 folder, then cordons and drains this node', () => {
    const run = model.run(command, 'i-0a', { CDK_K8S_ROOT: diskOfA() });
    expect(run.status).toBe(0);
    const snapshot = run.calls.findIndex(c => c.startsWith('k3s etcd-snapshot save'));
    expect(run.calls[snapshot]).toMatch(/^k3s etcd-snapshot save --name pre-terminate-i-0a --etcd-s3 --etcd-s3-bucket REF_HaSnapshotBucket\w+ --etcd-s3-folder etcd-snapshots --etcd-s3-region eu-west-1$/);
    const cordon = run.calls.indexOf('k3s kubectl cordon i-0a');
    const drain = run.calls.indexOf('k3s kubectl drain i-0a --ignore-daemonsets --delete-emptydir-data --timeout=300s');
    expect(snapshot).toBeGreaterThanOrEqual(0);
    expect([snapshot < cordon, cordon < drain]).toEqual([true, true]);
    expect(model.snapshotsTaken()).toEqual(['pre-terminate-i-0a']);
  });

  test('is safe to run twice: one snapshot, the drain again', () => {
    const disk = diskOfA();
    const first = model.run(command, 'i-0a', { CDK_K8S_ROOT: disk });
    expect(first.status).toBe(0);
    const twice = model.run(command, 'i-0a', { CDK_K8S_ROOT: disk }); // the same node's disk
    expect(twice.status).toBe(0);
    expect(twice.output).toContain('snapshot already taken');
    expect(twice.calls.some(c => c.startsWith('k3s etcd-snapshot'))).toBe(false);
    expect(twice.calls).toContain('k3s kubectl drain i-0a --ignore-daemonsets --delete-emptydir-data --timeout=300s');
  });

  test('with another node\'s id drains that node only (no snapshot); a Node already gone is fine', () => {
    const withArg = (id: string) => command.replace(/pre_terminate "\$@"\n$/, `pre_terminate ${id}\n`);
    expect(withArg('i-0b')).not.toEqual(command);
    const run = model.run(withArg('i-0b'), 'i-0a');
    expect(run.status).toBe(0);
    expect(run.calls.some(c => c.startsWith('k3s etcd-snapshot'))).toBe(false);
    expect(run.calls).toContain('k3s kubectl drain i-0b --ignore-daemonsets --delete-emptydir-data --timeout=300s');
    const gone = model.run(withArg('i-0zz'), 'i-0a');
    expect(gone.status).toBe(0);
    expect(gone.output).toContain('no Node i-0zz to drain');
    expect(gone.calls.some(c => c.startsWith('k3s kubectl drain'))).toBe(false);
  });
});
