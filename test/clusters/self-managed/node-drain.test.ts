import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { installK3sPreTerminate, installKubeadmPreTerminate, k3sPreTerminate, KUBEADM_SNAPSHOT_STUBS } from './support/pre-terminate';
import { runWithStubs } from './support/stub-run';
import { bashSyntaxErrors, shellcheckFindings, userDataOf } from './support/user-data';
import { K3sCluster } from '../../../lib/clusters/k3s';
import { KubeadmCluster } from '../../../lib/clusters/kubeadm';
import { PlatformNetwork } from '../../../lib/network';

/*
 * The drain that runs before an Auto Scaling group terminates a node, run as the runbook sends it (the
 * Run Command text of the template, `{{ InstanceId }}` substituted as SSM Automation does) against a model
 * of the cluster: Nodes (Ready, cordoned, drained) and etcd snapshots kept in files.
 */

/** The runbook's Run Command texts and the server's user data of a cluster's template. */
function build(kind: 'k3s' | 'kubeadm') {
  const stack = new Stack(new App(), kind);
  const vpc = new PlatformNetwork(stack, 'Network', { azCount: 2 }).vpc;
  if (kind === 'k3s') new K3sCluster(stack, 'Cluster', { vpc, clusterName: 'acme' });
  else new KubeadmCluster(stack, 'Cluster', { vpc, clusterName: 'acme' });
  const template = Template.fromStack(stack);
  const [doc] = Object.values(template.findResources('AWS::SSM::Document'));
  const text = (step: string) => ((doc.Properties.Content.mainSteps as any[]).find(s => s.name === step).inputs.Parameters.commands as string[]).join('\n');
  return { server: text('drainServer'), agent: text('drainAgentFromServers'), userData: userDataOf(template, 'ClusterServer') };
}
const K3S = build('k3s');
const KUBEADM = build('kubeadm');
const TEXT = {
  k3sServer: K3S.server,
  k3sAgent: K3S.agent,
  kubeadmServer: KUBEADM.server,
  kubeadmAgent: KUBEADM.agent,
};

/** A cluster model: `k3s kubectl` and `kubectl --kubeconfig ...` over Node files; `k3s etcd-snapshot save` writes a snapshot. */
const MODEL = `M="$CDK_K8S_ROOT/model"; mkdir -p "$M/nodes" "$M/snapshots"
if [ "$1" = etcd-snapshot ] && [ "$2" = save ]; then echo "$4" > "$M/snapshots/$4"; echo "snapshot $4" >> "$M/log"; exit 0; fi
[ "$1" = kubectl ] && shift
[ "$1" = --kubeconfig ] && { [ -f "$2" ] || { echo "no kubeconfig $2" >&2; exit 1; }; shift 2; }
node() { [ -f "$M/nodes/$1" ] || { echo "Error from server (NotFound): nodes \\"$1\\" not found" >&2; exit 1; }; }
case "$1" in
  get) node "$3"; echo "node/$3" ;;
  cordon) node "$2"; [ "$(cat "$M/nodes/$2")" = drained ] || echo cordoned > "$M/nodes/$2"; echo "cordon $2" >> "$M/log" ;;
  drain) node "$2"; case "$(cat "$M/nodes/$2")" in cordoned|drained) ;; *) echo "drain of an uncordoned node" >&2; exit 1 ;; esac
    echo drained > "$M/nodes/$2"; echo "drain $2" >> "$M/log" ;;
  *) echo "model: unexpected $*" >&2; exit 1 ;;
esac`;

interface Scenario {
  readonly text: string;
  readonly instance: string;
  readonly nodes: string[];
  /** What /usr/local/sbin/cdk-k8s-platform-pre-terminate is: a stub, the real command of the bootstrap, none. */
  readonly preTerminate?: 'stub' | 'k3s' | 'kubeadm';
  /** The server's bootstrap finished (/var/lib/cdk-k8s-platform/ready). */
  readonly ready?: boolean;
}

function run(s: Scenario) {
  const r = runWithStubs(s.text.replace(/\{\{ InstanceId \}\}/g, s.instance), {
    stubs: { ...(s.preTerminate === 'kubeadm' ? KUBEADM_SNAPSHOT_STUBS : {}), k3s: MODEL, kubectl: MODEL },
    setup: root => {
      fs.mkdirSync(path.join(root, 'model/nodes'), { recursive: true });
      for (const n of s.nodes) fs.writeFileSync(path.join(root, 'model/nodes', n), 'Ready');
      fs.mkdirSync(path.join(root, 'etc/kubernetes'), { recursive: true });
      fs.writeFileSync(path.join(root, 'etc/kubernetes/admin.conf'), 'kubeconfig');
      const ready = s.ready ?? true;
      if (s.preTerminate === 'stub') {
        fs.mkdirSync(path.join(root, 'usr/local/sbin'), { recursive: true });
        fs.writeFileSync(path.join(root, 'usr/local/sbin/cdk-k8s-platform-pre-terminate'), '#!/bin/bash\necho "pre-terminate $#:$*:$DRAIN_TIMEOUT" >> "$CALLS"\n', { mode: 0o755 });
      } else if (s.preTerminate === 'k3s') {
        installK3sPreTerminate(root, k3sPreTerminate(K3S.userData, s.instance), { ready });
      } else if (s.preTerminate === 'kubeadm') {
        installKubeadmPreTerminate(root, s.instance, { ready });
      }
      fs.mkdirSync(path.join(root, 'var/lib/cdk-k8s-platform'), { recursive: true });
      if (ready) fs.writeFileSync(path.join(root, 'var/lib/cdk-k8s-platform/ready'), 'done');
    },
  });
  const model = (p: string) => path.join(r.root, 'model', p);
  const state = (n: string) => fs.readFileSync(model(`nodes/${n}`), 'utf8').trim();
  const log = fs.existsSync(model('log')) ? fs.readFileSync(model('log'), 'utf8').trim().split('\n') : [];
  const snapshots = fs.existsSync(model('snapshots')) ? fs.readdirSync(model('snapshots')) : [];
  return { ...r, state, log, snapshots };
}

describe('drain before termination, in the model', () => {
  test('a terminating k3s server runs its pre-terminate command with no argument and the runbook\'s DRAIN_TIMEOUT', () => {
    const r = run({ text: TEXT.k3sServer, instance: 'i-0server1', nodes: ['i-0server1', 'i-0agent1'], preTerminate: 'stub' });
    expect(r.status).toBe(0);
    expect(r.calls.filter(c => c.startsWith('pre-terminate'))).toEqual(['pre-terminate 0::10m']);
    expect(r.log).toEqual([]); // the command does the work; this script adds none
  });

  test('the real k3s pre-terminate command (etcd snapshot, then drain of itself) runs with DRAIN_TIMEOUT=10m', () => {
    const r = run({ text: TEXT.k3sServer, instance: 'i-0server1', nodes: ['i-0server1', 'i-0agent1'], preTerminate: 'k3s' });
    expect(r.status).toBe(0);
    expect(r.log).toEqual(['snapshot pre-terminate-i-0server1', 'cordon i-0server1', 'drain i-0server1']);
    expect(r.calls.find(c => c.startsWith('k3s etcd-snapshot save'))).toMatch(/^k3s etcd-snapshot save --name pre-terminate-i-0server1 --etcd-s3 --etcd-s3-bucket REF_ClusterSnapshotBucket\w+ --etcd-s3-folder etcd-snapshots --etcd-s3-region eu-west-1$/);
    expect(r.calls).toContainEqual('k3s kubectl drain i-0server1 --ignore-daemonsets --delete-emptydir-data --timeout=10m');
    expect([r.state('i-0server1'), r.state('i-0agent1')]).toEqual(['drained', 'Ready']);
  });

  test('a k3s server whose bootstrap never finished takes no snapshot (with its command or without), and is drained', () => {
    for (const preTerminate of ['k3s', undefined] as const) {
      const r = run({ text: TEXT.k3sServer, instance: 'i-0server1', nodes: ['i-0server1'], preTerminate, ready: false });
      expect([preTerminate, r.status]).toEqual([preTerminate, 0]);
      expect(r.snapshots).toEqual([]);
      expect(r.calls.some(c => c.startsWith('k3s etcd-snapshot'))).toBe(false);
      expect(r.log).toEqual(['cordon i-0server1', 'drain i-0server1']);
      expect(r.output).toMatch(/no etcd snapshot: (this server|i-0server1) never finished its bootstrap/);
    }
  });

  test('a server bootstrapped before the command existed: snapshot first, then cordon and drain, the agent untouched', () => {
    const r = run({ text: TEXT.k3sServer, instance: 'i-0server1', nodes: ['i-0server1', 'i-0agent1'] });
    expect(r.status).toBe(0);
    expect(r.log).toEqual(['snapshot pre-terminate-i-0server1', 'cordon i-0server1', 'drain i-0server1']);
    expect(r.snapshots).toEqual(['pre-terminate-i-0server1']);
    expect([r.state('i-0server1'), r.state('i-0agent1')]).toEqual(['drained', 'Ready']);
    expect(r.calls).toContainEqual('k3s kubectl drain i-0server1 --ignore-daemonsets --delete-emptydir-data --timeout=10m');
  });

  test('a terminating agent is drained from the server; the other nodes keep running', () => {
    const r = run({ text: TEXT.k3sAgent, instance: 'i-0agent1', nodes: ['i-0server1', 'i-0agent1', 'i-0agent2'], preTerminate: 'stub' });
    expect(r.status).toBe(0);
    expect(r.log).toEqual(['cordon i-0agent1', 'drain i-0agent1']);
    expect(['i-0server1', 'i-0agent1', 'i-0agent2'].map(r.state)).toEqual(['Ready', 'drained', 'Ready']);
    expect(r.snapshots).toEqual([]); // an agent holds no etcd
    expect(r.calls.some(c => c.startsWith('pre-terminate'))).toBe(false); // never the server's own drain
  });

  test('a roll of two agents, one at a time: each drained before it goes, twice is harmless', () => {
    const nodes = ['i-0server1', 'i-0agent1', 'i-0agent2'];
    for (const agent of ['i-0agent1', 'i-0agent2']) {
      const r = run({ text: TEXT.k3sAgent, instance: agent, nodes });
      expect(r.state(agent)).toBe('drained');
      expect(nodes.filter(n => n !== agent).map(r.state)).toEqual(['Ready', 'Ready']);
    }
    // the hook fires again for the same instance (a retried event): still drained, still success
    const again = runWithStubs(TEXT.k3sAgent.replace(/\{\{ InstanceId \}\}/g, 'i-0agent1'), {
      stubs: { k3s: MODEL },
      setup: root => {
        fs.mkdirSync(path.join(root, 'model/nodes'), { recursive: true });
        fs.writeFileSync(path.join(root, 'model/nodes/i-0agent1'), 'drained');
      },
    });
    expect(again.status).toBe(0);
    expect(fs.readFileSync(path.join(again.root, 'model/nodes/i-0agent1'), 'utf8').trim()).toBe('drained');
  });

  test('an agent whose Node is already gone: nothing to drain, success (the runbook then completes the action)', () => {
    const r = run({ text: TEXT.k3sAgent, instance: 'i-0gone', nodes: ['i-0server1'] });
    expect(r.status).toBe(0);
    expect(r.output).toContain('no Node i-0gone in the cluster: nothing to drain');
    expect(r.log).toEqual([]);
  });

  test('kubeadm: the control plane\'s real pre-terminate command uploads an etcd snapshot, then drains with the 10m timeout', () => {
    const server = run({ text: TEXT.kubeadmServer, instance: 'i-0cp', nodes: ['i-0cp', 'i-0w1'], preTerminate: 'kubeadm' });
    expect(server.status).toBe(0);
    const upload = server.calls.findIndex(c => /^aws s3 cp --only-show-errors --region eu-west-1 \S+\/etcd\/snapshot\.db s3:\/\/state-bucket\/etcd-snapshots\/\d{8}T\d{6}Z_v1\.33\.1_i-0cp_pre-terminate\.db$/.test(c));
    expect(upload).toBeGreaterThanOrEqual(0);
    expect(server.log).toEqual(['cordon i-0cp', 'drain i-0cp']);
    expect(server.calls.findIndex(c => c.includes(' cordon i-0cp'))).toBeGreaterThan(upload);
    expect(server.calls).toContainEqual(`kubectl --kubeconfig ${server.root}/etc/kubernetes/admin.conf drain i-0cp --ignore-daemonsets --delete-emptydir-data --timeout=10m`);
    const failed = run({ text: TEXT.kubeadmServer, instance: 'i-0cp', nodes: ['i-0cp'], preTerminate: 'kubeadm', ready: false });
    expect(failed.calls.some(c => c.startsWith('aws s3 cp') || c.startsWith('ctr'))).toBe(false); // never booted: no snapshot
    expect(failed.log).toEqual(['cordon i-0cp', 'drain i-0cp']);
  });

  test('kubeadm: without the command, the control plane is drained; a worker is drained with the admin kubeconfig', () => {
    const fallback = run({ text: TEXT.kubeadmServer, instance: 'i-0cp', nodes: ['i-0cp', 'i-0w1'] });
    expect(fallback.log).toEqual(['cordon i-0cp', 'drain i-0cp']); // kubeadm's etcd backup belongs to its pre-terminate command
    const worker = run({ text: TEXT.kubeadmAgent, instance: 'i-0w1', nodes: ['i-0cp', 'i-0w1'] });
    expect(worker.status).toBe(0);
    expect([worker.state('i-0cp'), worker.state('i-0w1')]).toEqual(['Ready', 'drained']);
    expect(worker.calls).toContainEqual(`kubectl --kubeconfig ${worker.root}/etc/kubernetes/admin.conf drain i-0w1 --ignore-daemonsets --delete-emptydir-data --timeout=10m`);
  });

  test('a failed drain exits non-zero (reported by Run Command; the runbook still completes the action)', () => {
    const r = runWithStubs(TEXT.k3sAgent.replace(/\{\{ InstanceId \}\}/g, 'i-0agent1'), {
      stubs: { k3s: 'case "$2" in get) echo node/i-0agent1 ;; cordon) ;; drain) echo "Cannot evict pod as it would violate the pod\'s disruption budget." >&2; exit 1 ;; esac' },
    });
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('disruption budget');
  });

  test('a node name that is not an instance id is refused before any command', () => {
    const r = run({ text: TEXT.k3sAgent, instance: 'x; rm -rf /', nodes: ['i-0server1'] });
    expect(r.status).toBe(2);
    expect(r.output).toContain('refusing to drain "x; rm -rf /": not an instance id');
    expect(r.calls.filter(c => /^(k3s|kubectl) /.test(c))).toEqual([]);
  });

  test('every drain text passes bash -n and shellcheck', () => {
    for (const text of Object.values(TEXT)) {
      const script = text.replace(/\{\{ InstanceId \}\}/g, 'i-0abc');
      expect(bashSyntaxErrors(script)).toBe('');
      const inner = script.slice(script.indexOf('\n', script.indexOf("<<'CDK_K8S_PLATFORM_DRAIN'")) + 1, script.lastIndexOf('\nCDK_K8S_PLATFORM_DRAIN'));
      expect(inner.startsWith('#!/bin/bash')).toBe(true);
      const findings = shellcheckFindings(inner);
      if (findings !== undefined) expect(findings).toBe('');
    }
  });
});
