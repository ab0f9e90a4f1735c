import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { installK3sPreTerminate, installKubeadmPreTerminate, k3sPreTerminate, KUBEADM_SNAPSHOT_STUBS } from './support/pre-terminate';
import { runWithStubs } from './support/stub-run';
import { userDataOf } from './support/user-data';
import { K3sCluster, K3sVersion } from '../../../lib/clusters/k3s';
import { KubeadmCluster, KubeadmVersion } from '../../../lib/clusters/kubeadm';
import { PlatformNetwork } from '../../../lib/network';

/*
 * An upgrade in the model: a release change rolls each group as its template says (UpdatePolicy, DependsOn,
 * the termination hook's drain runbook), against a cluster model whose Nodes and etcd snapshots are files.
 * The simulation follows CloudFormation's AutoScalingRollingUpdate: per batch of MaxBatchSize it terminates
 * old instances (the hook runs the runbook's Run Command text first), launches new ones and waits for them.
 */

type Kind = 'k3s' | 'k3s-ha' | 'kubeadm';

function template(kind: Kind): { resources: Record<string, any>; serverUserData: string } {
  const stack = new Stack(new App(), 'rolling');
  const vpc = new PlatformNetwork(stack, 'Network', { azCount: 2 }).vpc;
  if (kind === 'kubeadm') new KubeadmCluster(stack, 'Cluster', { vpc, clusterName: 'acme', version: KubeadmVersion.V1_33_1 });
  else new K3sCluster(stack, 'Cluster', { vpc, clusterName: 'acme', highAvailability: kind === 'k3s-ha', version: K3sVersion.V1_33_1 });
  const t = Template.fromStack(stack);
  return { resources: t.toJSON().Resources, serverUserData: userDataOf(t, 'ClusterServer') };
}

/** The same model as node-drain.test.ts, kept in MODEL_DIR so it outlives one Run Command. */
const MODEL = `M="$MODEL_DIR"; mkdir -p "$M/nodes" "$M/snapshots"
if [ "$1" = etcd-snapshot ] && [ "$2" = save ]; then echo "$4" > "$M/snapshots/$4"; echo "snapshot $4" >> "$M/log"; exit 0; fi
[ "$1" = kubectl ] && shift
[ "$1" = --kubeconfig ] && shift 2
node() { [ -f "$M/nodes/$1" ] || { echo "NotFound: $1" >&2; exit 1; }; }
case "$1" in
  get) if [ "$2" = nodes ]; then for f in "$M"/nodes/*; do echo "\${f##*/} True"; done; exit 0; fi; node "$3"; echo "node/$3" ;;
  annotate) node "$3"; echo "leave etcd $3 ($4 $5)" >> "$M/log" ;;
  cordon) node "$2"; [ "$(cat "$M/nodes/$2")" = drained ] || echo cordoned > "$M/nodes/$2"; echo "cordon $2" >> "$M/log" ;;
  drain) node "$2"; [ "$(cat "$M/nodes/$2")" != Ready ] || { echo "drain of an uncordoned node" >&2; exit 1; }
    echo drained > "$M/nodes/$2"; echo "drain $2" >> "$M/log" ;;
  *) exit 1 ;;
esac`;

interface Group { readonly id: string; readonly role: 'server' | 'agent'; readonly count: number; readonly policy: any; readonly dependsOn: string[] }

function groupsOf(resources: Record<string, any>): Group[] {
  return Object.entries(resources).filter(([, r]) => r.Type === 'AWS::AutoScaling::AutoScalingGroup').map(([id, r]) => ({
    id,
    role: id.includes('ServerGroup') ? 'server' : 'agent',
    count: Number(r.Properties.MinSize),
    policy: r.UpdatePolicy.AutoScalingRollingUpdate,
    dependsOn: r.DependsOn ?? [],
  }));
}

/** CloudFormation's update order: a group after every group it depends on. */
function updateOrder(groups: Group[]): Group[] {
  const done: Group[] = [];
  while (done.length < groups.length) {
    const next = groups.find(g => !done.includes(g) && g.dependsOn.every(d => !groups.some(o => o.id === d) || done.some(o => o.id === d)));
    if (!next) throw new Error('dependency cycle between the node groups');
    done.push(next);
  }
  return done;
}

function roll(kind: Kind) {
  const { resources, serverUserData } = template(kind);
  const [doc] = Object.values(resources).filter(r => r.Type === 'AWS::SSM::Document');
  const text = (role: 'server' | 'agent') => (doc.Properties.Content.mainSteps as any[])
    .find(s => s.name === (role === 'server' ? 'drainServer' : 'drainAgentFromServers')).inputs.Parameters.commands.join('\n') as string;
  const modelDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-k8s-roll-'));
  fs.mkdirSync(path.join(modelDir, 'nodes'));
  const groups = updateOrder(groupsOf(resources));
  const members = new Map<string, string[]>(); // group id -> instance ids
  let seq = 0;
  const launch = (g: Group, release: string) => {
    const id = `i-0${g.role}${release}${seq++}`;
    fs.writeFileSync(path.join(modelDir, 'nodes', id), 'Ready');
    return id;
  };
  for (const g of groups) members.set(g.id, Array.from({ length: g.count }, () => launch(g, 'old')));
  const events: string[] = [];
  const calls: string[] = [];
  const ready = (ids: string[]) => ids.filter(i => fs.existsSync(path.join(modelDir, 'nodes', i)) && fs.readFileSync(path.join(modelDir, 'nodes', i), 'utf8').trim() === 'Ready');

  for (const g of groups) {
    events.push(`update ${g.role} group`);
    const old = [...members.get(g.id)!];
    for (let i = 0; i < old.length; i += g.policy.MaxBatchSize) {
      const batch = old.slice(i, i + g.policy.MaxBatchSize);
      const inService = members.get(g.id)!.length - batch.length;
      if (inService < g.policy.MinInstancesInService) throw new Error(`${g.role}: ${inService} in service < ${g.policy.MinInstancesInService}`);
      for (const instance of batch) {
        // the termination hook: the runbook's Run Command (a server drains itself, an agent is drained from a server)
        // every old server finished its bootstrap and holds the real pre-terminate command of its distribution
        const install = (root: string) => {
          if (g.role !== 'server') return;
          if (kind === 'kubeadm') installKubeadmPreTerminate(root, instance, { ready: true });
          else installK3sPreTerminate(root, k3sPreTerminate(serverUserData, instance), { ready: true });
        };
        const r = runWithStubs(text(g.role).replace(/\{\{ InstanceId \}\}/g, instance), {
          stubs: { ...KUBEADM_SNAPSHOT_STUBS, k3s: MODEL, kubectl: MODEL }, env: { MODEL_DIR: modelDir }, setup: install,
        });
        events.push(`drain ${instance} exit ${r.status}`);
        calls.push(...r.calls);
        events.push(`terminate ${instance} (${fs.readFileSync(path.join(modelDir, 'nodes', instance), 'utf8').trim()})`);
        fs.rmSync(path.join(modelDir, 'nodes', instance));
        members.set(g.id, members.get(g.id)!.filter(m => m !== instance));
        const servers = groups.filter(o => o.role === 'server').flatMap(o => members.get(o.id)!);
        events.push(`ready servers ${ready(servers).length}`);
      }
      for (const _ of batch) {
        const instance = launch(g, 'new');
        members.set(g.id, [...members.get(g.id)!, instance]);
        events.push(`signal ${instance} SUCCESS`); // WaitOnResourceSignals: the next batch waits for it
      }
    }
  }
  const log = fs.readFileSync(path.join(modelDir, 'log'), 'utf8').trim().split('\n');
  const remaining = fs.readdirSync(path.join(modelDir, 'nodes')).sort();
  fs.rmSync(modelDir, { recursive: true, force: true });
  return { events, log, remaining, groups, calls };
}

describe('upgrade in the model: one node at a time, servers first, each drained before it goes', () => {
  test('k3s, one server and two agents: the server rolls first (API down for its roll), then one agent at a time', () => {
    const { events, log, remaining, groups, calls } = roll('k3s');
    expect(groups.map(g => g.role)).toEqual(['server', 'agent']);
    expect(events).toEqual([
      'update server group',
      'drain i-0serverold0 exit 0', 'terminate i-0serverold0 (drained)', 'ready servers 0', 'signal i-0servernew3 SUCCESS',
      'update agent group',
      'drain i-0agentold1 exit 0', 'terminate i-0agentold1 (drained)', 'ready servers 1', 'signal i-0agentnew4 SUCCESS',
      'drain i-0agentold2 exit 0', 'terminate i-0agentold2 (drained)', 'ready servers 1', 'signal i-0agentnew5 SUCCESS',
    ]);
    // the old server's own pre-terminate command snapshots etcd to the bucket before it is cordoned (the
    // replacement restores that snapshot), and drains with the runbook's timeout; no etcd leave with one server
    expect(log.slice(0, 3)).toEqual(['snapshot pre-terminate-i-0serverold0', 'cordon i-0serverold0', 'drain i-0serverold0']);
    expect(calls.find(c => c.startsWith('k3s etcd-snapshot save'))).toMatch(/^k3s etcd-snapshot save --name pre-terminate-i-0serverold0 --etcd-s3 --etcd-s3-bucket REF_ClusterSnapshotBucket\w+ /);
    expect(calls).toContainEqual('k3s kubectl drain i-0serverold0 --ignore-daemonsets --delete-emptydir-data --timeout=10m');
    expect(log.some(l => l.startsWith('leave etcd'))).toBe(false);
    expect(remaining).toEqual(['i-0agentnew4', 'i-0agentnew5', 'i-0servernew3']);
  });

  test('k3s HA: three servers, one at a time, never fewer than two Ready (etcd quorum), each snapshotted, drained, then out of etcd', () => {
    const { events, log, calls } = roll('k3s-ha');
    const quorum = events.filter(e => e.startsWith('ready servers')).map(e => Number(e.split(' ').pop()));
    expect(quorum).toEqual([2, 2, 2]);
    expect(events.filter(e => e.startsWith('drain'))).toEqual(['drain i-0serverold0 exit 0', 'drain i-0serverold1 exit 0', 'drain i-0serverold2 exit 0']);
    for (const server of ['i-0serverold0', 'i-0serverold1', 'i-0serverold2']) {
      expect(log.filter(l => l.endsWith(server) || l.includes(`${server} `))).toEqual([
        `snapshot pre-terminate-${server}`, `cordon ${server}`, `drain ${server}`, `leave etcd ${server} (--overwrite etcd.k3s.cattle.io/remove=true)`,
      ]);
      expect(calls).toContainEqual(`k3s kubectl drain ${server} --ignore-daemonsets --delete-emptydir-data --timeout=10m`);
    }
    for (const line of events.filter(e => e.startsWith('terminate'))) expect(line).toMatch(/\(drained\)$/);
  });

  test('kubeadm: the control plane first (its pre-terminate command uploads an etcd snapshot), then each worker drained from it', () => {
    const { events, log, calls } = roll('kubeadm');
    expect(events.filter(e => e.startsWith('update') || e.startsWith('terminate'))).toEqual([
      'update server group', 'terminate i-0serverold0 (drained)',
      'update agent group', 'terminate i-0agentold1 (drained)', 'terminate i-0agentold2 (drained)',
    ]);
    const upload = calls.findIndex(c => /^aws s3 cp .*\/etcd\/snapshot\.db s3:\/\/state-bucket\/etcd-snapshots\/\d{8}T\d{6}Z_v1\.33\.1_i-0serverold0_pre-terminate\.db$/.test(c));
    expect(upload).toBeGreaterThanOrEqual(0);
    expect(upload).toBeLessThan(calls.findIndex(c => / cordon i-0serverold0$/.test(c)));
    expect(calls.some(c => / drain i-0serverold0 --ignore-daemonsets --delete-emptydir-data --timeout=10m$/.test(c))).toBe(true);
    expect(log.slice(0, 2)).toEqual(['cordon i-0serverold0', 'drain i-0serverold0']);
  });
});
