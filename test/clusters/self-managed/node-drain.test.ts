import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { runWithStubs } from './support/stub-run';
import { bashSyntaxErrors, shellcheckFindings } from './support/user-data';
import { K3sCluster } from '../../../lib/clusters/k3s';
import { KubeadmCluster } from '../../../lib/clusters/kubeadm';
import { PlatformNetwork } from '../../../lib/network';

/*
 * The drain that runs before an Auto Scaling group terminates a node, run as the runbook sends it (the
 * Run Command text of the template, `{{ InstanceId }}` substituted as SSM Automation does) against a model
 * of the cluster: Nodes (Ready, cordoned, drained) and etcd snapshots kept in files.
 */

/** The runbook's Run Command text for `step` of a cluster's template. */
function drainText(kind: 'k3s' | 'kubeadm', step: 'drainServer' | 'drainAgentFromServers'): string {
  const stack = new Stack(new App(), kind);
  const vpc = new PlatformNetwork(stack, 'Network', { azCount: 2 }).vpc;
  if (kind === 'k3s') new K3sCluster(stack, 'Cluster', { vpc, clusterName: 'acme' });
  else new KubeadmCluster(stack, 'Cluster', { vpc, clusterName: 'acme' });
  const [doc] = Object.values(Template.fromStack(stack).findResources('AWS::SSM::Document'));
  const found = (doc.Properties.Content.mainSteps as any[]).find(s => s.name === step);
  return (found.inputs.Parameters.commands as string[]).join('\n');
}
const TEXT = {
  k3sServer: drainText('k3s', 'drainServer'),
  k3sAgent: drainText('k3s', 'drainAgentFromServers'),
  kubeadmServer: drainText('kubeadm', 'drainServer'),
  kubeadmAgent: drainText('kubeadm', 'drainAgentFromServers'),
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
  readonly preTerminate?: boolean;
}

function run(s: Scenario) {
  const r = runWithStubs(s.text.replace(/\{\{ InstanceId \}\}/g, s.instance), {
    stubs: { k3s: MODEL, kubectl: MODEL },
    setup: root => {
      fs.mkdirSync(path.join(root, 'model/nodes'), { recursive: true });
      for (const n of s.nodes) fs.writeFileSync(path.join(root, 'model/nodes', n), 'Ready');
      fs.mkdirSync(path.join(root, 'etc/kubernetes'), { recursive: true });
      fs.writeFileSync(path.join(root, 'etc/kubernetes/admin.conf'), 'kubeconfig');
      if (s.preTerminate) {
        fs.mkdirSync(path.join(root, 'usr/local/sbin'), { recursive: true });
        fs.writeFileSync(path.join(root, 'usr/local/sbin/cdk-k8s-platform-pre-terminate'), '#!/bin/bash\necho "pre-terminate $#:$*" >> "$CALLS"\n', { mode: 0o755 });
      }
    },
  });
  const model = (p: string) => path.join(r.root, 'model', p);
  const state = (n: string) => fs.readFileSync(model(`nodes/${n}`), 'utf8').trim();
  const log = fs.existsSync(model('log')) ? fs.readFileSync(model('log'), 'utf8').trim().split('\n') : [];
  const snapshots = fs.existsSync(model('snapshots')) ? fs.readdirSync(model('snapshots')) : [];
  return { ...r, state, log, snapshots };
}

describe('drain before termination, in the model', () => {
  test('a terminating k3s server runs its pre-terminate command (etcd snapshot, then drain of itself), with no argument', () => {
    const r = run({ text: TEXT.k3sServer, instance: 'i-0server1', nodes: ['i-0server1', 'i-0agent1'], preTerminate: true });
    expect(r.status).toBe(0);
    expect(r.calls.filter(c => c.startsWith('pre-terminate'))).toEqual(['pre-terminate 0:']);
    expect(r.log).toEqual([]); // the command does the work; this script adds none
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
    const r = run({ text: TEXT.k3sAgent, instance: 'i-0agent1', nodes: ['i-0server1', 'i-0agent1', 'i-0agent2'], preTerminate: true });
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

  test('kubeadm: the control plane runs its pre-terminate command; a worker is drained with the admin kubeconfig', () => {
    const server = run({ text: TEXT.kubeadmServer, instance: 'i-0cp', nodes: ['i-0cp', 'i-0w1'], preTerminate: true });
    expect(server.calls.filter(c => c.startsWith('pre-terminate'))).toEqual(['pre-terminate 0:']);
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
