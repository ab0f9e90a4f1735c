import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { K3sCluster } from '../../../lib/clusters/k3s';
import { PlatformNetwork } from '../../../lib/network';
import { k3sPreTerminate } from '../self-managed/support/pre-terminate';
import { runWithStubs, StubRun } from '../self-managed/support/stub-run';
import { userDataOf } from '../self-managed/support/user-data';

// An HA server decides between joining and initialising (cluster-init, plus a snapshot restore) by the real
// rendered user data: the API answers or not, ping by ping; the server group's instances and their launch times.
// Two clusters behind one API load balancer (split brain) must never happen: a server that finds a live
// server launched before it joins, or fails its bootstrap.

let haServer: string;
beforeAll(() => {
  const stack = new Stack(new App(), 'k3s');
  const vpc = new PlatformNetwork(stack, 'Network', { azCount: 2 }).vpc;
  new K3sCluster(stack, 'Ha', { vpc, clusterName: 'acme-ha', highAvailability: true });
  haServer = userDataOf(Template.fromStack(stack), 'HaServer');
});

/** Pings answer from the PING_OK_FROM-th on (0: never); IMDS and the installer as the default stubs. */
const CURL = `for a in "$@"; do
  case "$a" in
    */api/token) echo imds-session; exit 0 ;;
    */meta-data/instance-id) echo "$INSTANCE_ID"; exit 0 ;;
    */ping) n=$(( $(cat "$CDK_K8S_ROOT/../pings" 2>/dev/null || echo 0) + 1 )); echo "$n" > "$CDK_K8S_ROOT/../pings"
      [ "\${PING_OK_FROM:-0}" -gt 0 ] && [ "$n" -ge "$PING_OK_FROM" ]; exit $? ;;
  esac
done
for a in "$@"; do case "$a" in "$CDK_K8S_ROOT"/*install-k3s.sh) printf '#!/bin/sh\\necho "installer exec=$INSTALL_K3S_EXEC" >> "$CALLS"\\n' > "$a" ;; esac; done`;

/** The server group: IN_GROUP (InService or Pending ids), IN_SERVICE (InService ids), LAUNCHES (`id time` lines). */
const AWS = `case "$1 $2" in
  "secretsmanager get-secret-value") case "$*" in *ServerToken*) echo server-token-value ;; *AgentToken*) echo agent-token-value ;; esac ;;
  "s3api list-objects-v2") printf '%b\\n' "\${SNAPSHOTS:-None}" ;;
  "autoscaling describe-auto-scaling-instances") echo server-group ;;
  "autoscaling describe-auto-scaling-groups") case "$*" in *starts_with*) printf '%b\\n' "$IN_GROUP" ;; *) printf '%b\\n' "\${IN_SERVICE:-}" ;; esac ;;
  "ec2 describe-instances") [ -z "\${EC2_DOWN:-}" ] || exit 254; printf '%b\\n' "\${LAUNCHES:-}" ;;
  "cloudformation signal-resource") for a in "$@"; do case "$a" in SUCCESS|FAILURE) echo "$a" >> "$CDK_K8S_ROOT/../signals" ;; esac; done ;;
esac`;

interface Boot extends StubRun { readonly pings: number; readonly signal: string; readonly config: string }

function boot(instance: string, env: Record<string, string>): Boot {
  const r = runWithStubs(haServer, { env: { INSTANCE_ID: instance, ...env }, stubs: { curl: CURL, aws: AWS } });
  const read = (f: string) => (fs.existsSync(path.join(r.root, '..', f)) ? fs.readFileSync(path.join(r.root, '..', f), 'utf8').trim() : '');
  return {
    ...r,
    pings: r.calls.filter(c => c.includes('/ping')).length,
    signal: read('signals'),
    config: r.exists('etc/rancher/k3s/config.yaml') ? r.file('etc/rancher/k3s/config.yaml') : '',
  };
}

const HOUR_AGO = '2026-12-01T23:00:00+00:00';
const NOW = '2026-12-02T00:00:00+00:00';
const live = { IN_GROUP: 'i-0aaa\\ti-0bbb\\ti-0ccc', IN_SERVICE: 'i-0bbb\\ti-0ccc', LAUNCHES: `i-0aaa\\t${NOW}\\ni-0bbb\\t${HOUR_AGO}\\ni-0ccc\\t${HOUR_AGO}` };

describe('k3s HA: join or initialise', () => {
  test('the API answers on the third ping: join, without reading the group', () => {
    const r = boot('i-0aaa', { PING_OK_FROM: '3' });
    expect([r.status, r.signal, r.pings]).toEqual([0, 'SUCCESS', 3]);
    expect(r.config).toMatch(/server: "https:\/\/ATT_HaApiLoadBalancer\w+_DNSName:6443"/);
    expect(r.config).not.toContain('cluster-init');
    expect(r.calls.some(c => c.startsWith('aws autoscaling') && !c.includes('--filters'))).toBe(false);
  });

  test('the API answers only after the settle delay: join (pinged again after the sleep)', () => {
    const r = boot('i-0aaa', { PING_OK_FROM: '7', IN_GROUP: 'i-0aaa\\ti-0bbb' });
    expect([r.status, r.signal, r.pings]).toEqual([0, 'SUCCESS', 7]);
    expect(r.config).not.toContain('cluster-init');
    const settle = r.calls.indexOf('sleep 30');
    const pings = r.calls.map((c, i) => [c, i] as const).filter(([c]) => c.includes('/ping')).map(([, i]) => i);
    expect(settle).toBeGreaterThan(pings[5]);
    expect(settle).toBeLessThan(pings[6]);
    expect(r.calls.some(c => c.startsWith('aws ec2') || c.includes('list-objects'))).toBe(false);
  });

  test('a replacement with the lowest id next to two live servers never initialises: it waits for the API and joins', () => {
    const r = boot('i-0aaa', { PING_OK_FROM: '20', ...live, SNAPSHOTS: `${HOUR_AGO}\\tetcd-snapshots/etcd-snapshot-x` });
    expect([r.status, r.signal, r.pings]).toEqual([0, 'SUCCESS', 20]);
    expect(r.output).toContain('servers launched before this one are in service (i-0bbb i-0ccc): a cluster exists, this server joins it and never initialises one');
    expect(r.config).not.toContain('cluster-init');
    expect(r.calls.some(c => c.includes('list-objects') || c.includes('--cluster-reset'))).toBe(false);
    expect(r.calls).toContainEqual(expect.stringMatching(/^aws ec2 describe-instances --region eu-west-1 --filters Name=instance-id,Values=i-0aaa,i-0bbb,i-0ccc /));
  });

  test('the same replacement when the API never answers: FAILURE, no cluster-init, k3s never installed', () => {
    const r = boot('i-0aaa', { ...live });
    expect(r.status).not.toBe(0);
    expect(r.signal).toBe('FAILURE');
    expect(r.config).toBe('');
    expect(r.calls.some(c => c.startsWith('installer') || c.startsWith('systemctl start') || c.includes('list-objects'))).toBe(false);
    expect(r.output).toContain('giving up after 90 attempts: api_answers');
  });

  test('a new cluster (servers launched together): the lowest id initialises and restores the newest snapshot', () => {
    const launches = `i-0aaa\\t${NOW}\\ni-0bbb\\t2026-12-01T23:59:50+00:00\\ni-0ccc\\t2026-12-02T00:00:05+00:00`;
    const r = boot('i-0aaa', { IN_GROUP: 'i-0bbb\\ti-0aaa\\ti-0ccc', IN_SERVICE: 'i-0bbb\\ti-0ccc', LAUNCHES: launches, SNAPSHOTS: `${HOUR_AGO}\\tetcd-snapshots/etcd-snapshot-x` });
    expect([r.status, r.signal, r.pings]).toEqual([0, 'SUCCESS', 7]); // six before the settle delay, one after
    expect(r.config).toContain('cluster-init: true');
    expect(r.calls).toContain('k3s server --cluster-reset --cluster-reset-restore-path=etcd-snapshot-x');
    const other = boot('i-0bbb', { IN_GROUP: 'i-0bbb\\ti-0aaa\\ti-0ccc', IN_SERVICE: 'i-0aaa\\ti-0ccc', LAUNCHES: launches });
    expect(other.status).not.toBe(0); // not the first, and nobody answers in this run
    expect(other.output).toContain('waiting for the first server (i-0aaa)');
    expect(other.config).toBe('');
  });

  test('the launch times cannot be read: FAILURE, never cluster-init', () => {
    const r = boot('i-0aaa', { ...live, EC2_DOWN: '1' });
    expect(r.status).not.toBe(0);
    expect(r.signal).toBe('FAILURE');
    expect(r.config).toBe('');
    expect(r.output).toContain('giving up after 10 attempts: aws ec2');
  });
});

describe('k3s HA pre-terminate: the server leaves etcd after its snapshot and drain', () => {
  const K3S = `case "$*" in
  "kubectl get node "*) echo "node/$4" ;;
  "kubectl get nodes "*) printf '%b\\n' "$NODES" ;;
esac`;
  const run = (ready: boolean, nodes: string) => runWithStubs(k3sPreTerminate(haServer, 'i-0a'), {
    stubs: { k3s: K3S },
    env: { NODES: nodes },
    setup: root => {
      fs.mkdirSync(path.join(root, 'var/lib/cdk-k8s-platform'), { recursive: true });
      if (ready) fs.writeFileSync(path.join(root, 'var/lib/cdk-k8s-platform/ready'), 'done');
    },
  });
  const steps = (r: StubRun) => r.calls.filter(c => c.startsWith('k3s ') && !c.startsWith('k3s kubectl get')).map(c => c.split(' ').slice(0, 4).join(' '));

  test('bootstrap finished, two other servers Ready: snapshot, cordon, drain, then the remove annotation on its own Node', () => {
    const r = run(true, 'i-0a True\\ni-0b True\\ni-0c True');
    expect(r.status).toBe(0);
    expect(steps(r)).toEqual(['k3s etcd-snapshot save --name', 'k3s kubectl cordon i-0a', 'k3s kubectl drain i-0a', 'k3s kubectl annotate node']);
    expect(r.calls).toContain('k3s kubectl annotate node i-0a --overwrite etcd.k3s.cattle.io/remove=true');
    expect(r.calls.some(c => / delete /.test(c))).toBe(false);
  });

  test('bootstrap never finished: no snapshot and no etcd leave, only the drain', () => {
    const r = run(false, 'i-0a True\\ni-0b True\\ni-0c True');
    expect(r.status).toBe(0);
    expect(steps(r)).toEqual(['k3s kubectl cordon i-0a', 'k3s kubectl drain i-0a']);
    expect(r.output).toContain('no etcd snapshot: this server never finished its bootstrap');
  });

  test('another server is NotReady: the member stays (leaving would cost the quorum)', () => {
    const r = run(true, 'i-0a True\\ni-0b True\\ni-0c Unknown');
    expect(r.status).toBe(0);
    expect(r.calls.some(c => c.includes(' annotate '))).toBe(false);
    expect(r.output).toContain('not leaving etcd: only 1 other server(s) Ready');
  });
});
