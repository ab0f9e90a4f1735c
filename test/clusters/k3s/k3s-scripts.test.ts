import { k3sUserData } from './support/user-data';
import { callIndex, runWithStubs } from '../self-managed/support/stub-run';

// The rendered user data (from a real synth, intrinsics flattened) runs end to end under stubbed commands.
let server: string;
let haServer: string;
let agent: string;
beforeAll(() => {
  ({ server, haServer, agent } = k3sUserData());
});

describe('k3s server first boot', () => {
  let run: ReturnType<typeof runWithStubs>;
  beforeAll(() => { run = runWithStubs(server); });

  test('succeeds and calls the steps in order', () => {
    expect(run.output).toContain('bootstrap complete');
    expect(run.status).toBe(0);
    const steps = [
      'aws secretsmanager get-secret-value --region eu-west-1 --secret-id REF_ClusterServerToken',
      'aws secretsmanager get-secret-value --region eu-west-1 --secret-id REF_ClusterAgentToken',
      'aws s3api list-objects-v2 --region eu-west-1 --bucket REF_ClusterSnapshotBucket',
      'curl -sfL https://raw.githubusercontent.com/k3s-io/k3s/v1.36.5%2Bk3s1/install.sh',
      'installer version=v1.36.5+k3s1 exec=server skip_start=true selinux_rpm=',
      'systemctl enable k3s',
      'systemctl start k3s',
      'k3s kubectl get --raw=/readyz',
      'aws secretsmanager put-secret-value --region eu-west-1 --secret-id REF_ClusterKubeconfigSecret',
      'k3s kubectl -n kube-system patch deployment coredns --type merge',
    ];
    const positions = steps.map(s => callIndex(run.calls, s));
    expect(positions.filter(p => p < 0)).toEqual([]);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(run.calls.some(c => c.includes('--cluster-reset'))).toBe(false);
    expect(run.calls.some(c => c.startsWith('k3s kubectl delete node'))).toBe(false);
  });

  test('writes the tokens without newline and the config, all 0600', () => {
    expect(run.file('etc/rancher/k3s/token')).toBe('server-token-value');
    expect(run.file('etc/rancher/k3s/agent-token')).toBe('agent-token-value');
    for (const f of ['etc/rancher/k3s/token', 'etc/rancher/k3s/agent-token', 'etc/rancher/k3s/config.yaml']) expect(run.mode(f)).toBe(0o600);
    const config = run.file('etc/rancher/k3s/config.yaml');
    expect(config).toContain('node-name: "i-0new"');
    expect(config).toContain(`token-file: "${run.root}/etc/rancher/k3s/token"`);
    expect(config).toContain(`agent-token-file: "${run.root}/etc/rancher/k3s/agent-token"`);
    expect(config).toContain('cluster-init: true');
    expect(config).not.toContain('server:');
    expect(config).toMatch(/tls-san:\n {2}- "ATT_ClusterApiLoadBalancer\w+_DNSName"/);
    for (const line of ['secrets-encryption: true', 'write-kubeconfig-mode: "0600"', 'etcd-s3: true', 'etcd-s3-bucket: "REF_ClusterSnapshotBucket',
      'etcd-s3-folder: "etcd-snapshots"', 'etcd-s3-region: "eu-west-1"', 'etcd-snapshot-schedule-cron: "0 * * * *"', 'etcd-snapshot-retention: 48']) {
      expect(config).toContain(line);
    }
    expect(config).not.toContain('server-token-value');
    expect(run.exists('var/lib/cdk-k8s-platform/ready')).toBe(true);
  });
});

describe('k3s server replacement boot with a snapshot in the bucket', () => {
  let run: ReturnType<typeof runWithStubs>;
  beforeAll(() => {
    run = runWithStubs(server, {
      env: {
        SNAPSHOTS: '2026-11-20T10:00:00+00:00\\tetcd-snapshots/etcd-snapshot-i-0old-1763632800\\n'
          + '2026-11-20T11:00:00+00:00\\tetcd-snapshots/etcd-snapshot-i-0old-1763636400\\n'
          + '2026-11-20T11:00:01+00:00\\tetcd-snapshots/.metadata/etcd-snapshot-i-0old-1763636400',
        NODES: 'i-0old False\\ni-0new True',
        GROUP_INSTANCES: 'i-0new\\tPending',
      },
    });
  });

  test('restores the newest snapshot before starting, then removes the lost server\'s Node', () => {
    expect(run.status).toBe(0);
    const restore = callIndex(run.calls, 'k3s server --cluster-reset --cluster-reset-restore-path=etcd-snapshot-i-0old-1763636400');
    expect(restore).toBeGreaterThan(callIndex(run.calls, 'installer version=v1.36.5+k3s1'));
    expect(restore).toBeLessThan(callIndex(run.calls, 'systemctl start k3s'));
    const deleteNode = callIndex(run.calls, 'k3s kubectl delete node i-0old');
    expect(deleteNode).toBeGreaterThan(callIndex(run.calls, 'aws secretsmanager put-secret-value'));
    expect(run.calls.some(c => c.startsWith('k3s kubectl delete node i-0new'))).toBe(false);
    expect(run.file('etc/rancher/k3s/config.yaml')).toContain('cluster-init: true');
  });
});

describe('k3s HA servers', () => {
  test('the lowest instance id initialises a new cluster', () => {
    const run = runWithStubs(haServer, { env: { INSTANCE_ID: 'i-0aaa', PING_STATUS: '7', GROUP_INSTANCES: 'i-0ccc\\ti-0aaa\\ti-0bbb' } });
    expect(run.status).toBe(0);
    expect(run.calls).toContain('aws autoscaling describe-auto-scaling-instances --region eu-west-1 --instance-ids i-0aaa --query AutoScalingInstances[0].AutoScalingGroupName --output text');
    expect(run.file('etc/rancher/k3s/config.yaml')).toContain('cluster-init: true');
  });

  test('another server joins through the API endpoint and never restores', () => {
    const run = runWithStubs(haServer, { env: { INSTANCE_ID: 'i-0bbb', SNAPSHOTS: '2026-11-20T11:00:00+00:00\\tetcd-snapshots/etcd-snapshot-x' } });
    expect(run.status).toBe(0);
    const config = run.file('etc/rancher/k3s/config.yaml');
    expect(config).toMatch(/server: "https:\/\/ATT_HaApiLoadBalancer\w+_DNSName:6443"/);
    expect(config).not.toContain('cluster-init');
    expect(run.calls.some(c => c.includes('list-objects-v2') || c.includes('--cluster-reset'))).toBe(false);
  });
});

describe('k3s agent boot', () => {
  let run: ReturnType<typeof runWithStubs>;
  beforeAll(() => { run = runWithStubs(agent); });

  test('reads only the agent token, writes a 0600 config pointing at the API endpoint, installs the agent', () => {
    expect(run.status).toBe(0);
    const secretReads = run.calls.filter(c => c.startsWith('aws secretsmanager get-secret-value'));
    expect(secretReads).toHaveLength(1);
    expect(secretReads[0]).toContain('REF_ClusterAgentToken');
    expect(run.file('etc/rancher/k3s/token')).toBe('agent-token-value');
    expect(run.mode('etc/rancher/k3s/token')).toBe(0o600);
    expect(run.mode('etc/rancher/k3s/config.yaml')).toBe(0o600);
    const config = run.file('etc/rancher/k3s/config.yaml');
    expect(config).toMatch(/server: "https:\/\/ATT_ClusterApiLoadBalancer\w+_DNSName:6443"/);
    expect(config).toContain('node-name: "i-0new"');
    expect(config).not.toContain('agent-token-file');
    const steps = ['installer version=v1.36.5+k3s1 exec=agent skip_start=true', 'systemctl enable k3s-agent', 'systemctl start --no-block k3s-agent'];
    const positions = steps.map(s => callIndex(run.calls, s));
    expect(positions.every(p => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });
});
