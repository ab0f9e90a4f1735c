import * as fs from 'fs';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { DAY2_TOOL, KubeadmModel } from './support/kubeadm-model';
import { KUBEADM_ADDONS, KubeadmCluster, KubeadmVersion } from '../../../lib/clusters/kubeadm';
import { PlatformNetwork } from '../../../lib/network';
import { IngressFlavour } from '../../../lib/workloads';
import { ingressRules } from '../self-managed/support/fixtures';
import { StubRun, callIndex } from '../self-managed/support/stub-run';
import { bashSyntaxErrors, shellcheckFindings, userDataOf } from '../self-managed/support/user-data';

let template: Template;
let cluster: KubeadmCluster;
let controlPlane: string;
let worker: string;
beforeAll(() => {
  const stack = new Stack(new App(), 'kubeadm');
  const vpc = new PlatformNetwork(stack, 'Network', { azCount: 2 }).vpc;
  cluster = new KubeadmCluster(stack, 'Cluster', { vpc, clusterName: 'acme' });
  template = Template.fromStack(stack);
  controlPlane = userDataOf(template, 'Server');
  worker = userDataOf(template, 'Agent');
});

describe('KubeadmCluster template', () => {
  test('1 control plane + 2 workers with launch templates, IMDSv2 and encrypted gp3', () => {
    template.resourceCountIs('AWS::AutoScaling::LaunchConfiguration', 0);
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '1', MaxSize: '1' });
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '2', MaxSize: '2' });
    for (const lt of Object.values(template.findResources('AWS::EC2::LaunchTemplate'))) {
      const data = lt.Properties.LaunchTemplateData;
      expect(data.MetadataOptions).toEqual(expect.objectContaining({ HttpTokens: 'required', HttpPutResponseHopLimit: 1 }));
      expect(data.BlockDeviceMappings[0].Ebs).toEqual(expect.objectContaining({ Encrypted: true, VolumeType: 'gp3' }));
      expect(data.KeyName).toBeUndefined();
    }
  });

  test('same security-group table as k3s (flannel), no etcd port, no 0.0.0.0/0, no 22', () => {
    const rules = ingressRules(template.toJSON().Resources);
    expect(rules).toContain('NodeSecurityGroup <- NodeSecurityGroup udp 8472-8472');
    expect(rules).toContain('NodeSecurityGroup <- NodeSecurityGroup tcp 10250-10250');
    expect(rules).toContain('ServerSecurityGroup <- NodeSecurityGroup tcp 6443-6443');
    expect(rules.filter(r => /2379|0\.0\.0\.0\/0| 22-22/.test(r))).toEqual([]);
  });

  test('bootstrap token generated in the bootstrap-token alphabet; CA hash parameter; scoped IAM', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 22, ExcludePunctuation: true, ExcludeUppercase: true, IncludeSpace: false },
    });
    template.hasResourceProperties('AWS::SSM::Parameter', { Type: 'String', Value: 'pending' });
    const policies = Object.entries(template.findResources('AWS::IAM::Policy'));
    const statements = (part: string) => policies.find(([id]) => id.includes(part))![1].Properties.PolicyDocument.Statement as any[];
    expect(statements('ServerRole')).toContainEqual(expect.objectContaining({ Action: 'ssm:PutParameter' }));
    const agent = statements('AgentRole');
    expect(agent.map(s => s.Action).flat().sort()).toEqual(['cloudformation:SignalResource', 'secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue',
      'ssm:DescribeParameters', 'ssm:GetParameter', 'ssm:GetParameterHistory', 'ssm:GetParameters']);
    // The one unscoped statement: autoscaling:DescribeAutoScalingGroups has no resource-level permissions.
    for (const s of [...agent, ...statements('ServerRole')]) expect(s.Action === 'autoscaling:DescribeAutoScalingGroups' || s.Resource !== '*').toBe(true);
  });

  test('state bucket: retained, versioned, KMS-encrypted with a rotated retained key, SSL only, public access blocked', () => {
    const buckets = template.findResources('AWS::S3::Bucket');
    const [id, bucket] = Object.entries(buckets).find(([k]) => k.includes('StateBucket'))!;
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.UpdateReplacePolicy).toBe('Retain');
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const sse = bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0];
    expect(sse.ServerSideEncryptionByDefault.SSEAlgorithm).toBe('aws:kms');
    expect(sse.ServerSideEncryptionByDefault.KMSMasterKeyID['Fn::GetAtt'][0]).toMatch(/StateKey/);
    const keys = Object.entries(template.findResources('AWS::KMS::Key')).filter(([k]) => k.includes('StateKey'));
    expect(keys).toHaveLength(1);
    expect(keys[0][1].DeletionPolicy).toBe('Retain');
    expect(keys[0][1].Properties.EnableKeyRotation).toBe(true);
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy')).find(p => JSON.stringify(p.Properties.Bucket).includes(id))!;
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({
      Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    }));
  });

  test('control plane IAM: state prefixes, its KMS key, the three assets and the token secret only', () => {
    const policies = Object.entries(template.findResources('AWS::IAM::Policy'));
    const server = policies.find(([k]) => k.includes('ServerRole'))![1].Properties.PolicyDocument.Statement as any[];
    const text = (s: any) => JSON.stringify(s.Resource);
    const of = (action: string) => server.filter(s => [s.Action].flat().includes(action));
    expect(of('s3:ListBucket')).toEqual([expect.objectContaining({ Condition: { StringLike: { 's3:prefix': ['pki/*', 'etcd-snapshots/*'] } } })]);
    expect(of('s3:DeleteObject').map(text)).toEqual([expect.stringContaining('/etcd-snapshots/*')]);
    expect(of('s3:PutObject').map(text).sort()).toEqual([expect.stringContaining('/etcd-snapshots/*'), expect.stringContaining('/pki/*')].sort((a: any, b: any) => String(a).localeCompare(String(b))));
    expect(of('s3:GetObject').map(text).filter(t => t.includes('cdk-hnb659fds-assets'))).toEqual([
      // the day-2 tool, the NetworkPolicy engine, the Helm controller
      expect.stringMatching(/[0-9a-f]{64}\.sh"/), expect.stringMatching(/[0-9a-f]{64}\.json"/), expect.stringMatching(/[0-9a-f]{64}\.json"/),
    ]);
    expect(of('kms:Decrypt').map(text)).toEqual([expect.stringContaining('StateKey')]);
    expect(of('secretsmanager:PutSecretValue').map(text).sort()).toEqual([expect.stringContaining('BootstrapToken'), expect.stringContaining('KubeconfigSecret')].sort((a: any, b: any) => String(a).localeCompare(String(b))));
    expect(server.filter(s => s.Resource === '*').map(s => s.Action)).toEqual(['autoscaling:DescribeAutoScalingGroups']);
  });

  test('snapshotInterval and snapshotRetention: systemd calendar and validation', () => {
    const stack = new Stack(new App(), 's');
    const vpc = new ec2.Vpc(stack, 'Vpc');
    const c = new KubeadmCluster(stack, 'C', { vpc, snapshotInterval: Duration.hours(6), snapshotRetention: 10 });
    const data = userDataOf(Template.fromStack(stack), 'Server');
    expect(data).toContain("SNAPSHOT_CALENDAR='*-*-* 00/6:00:00'");
    expect(data).toContain("SNAPSHOT_RETENTION='10'");
    expect(c.stateBucket).toBeDefined();
    const bad = new Stack(new App(), 'b');
    expect(() => new KubeadmCluster(bad, 'C', { vpc: new ec2.Vpc(bad, 'Vpc'), snapshotInterval: Duration.minutes(90) }))
      .toThrow('[b/C] KubeadmCluster.snapshotInterval is "1 hour 30 minutes": must be 1, 2, 3, 4, 6, 8, 12 or 24 hours');
    const worse = new Stack(new App(), 'w');
    expect(() => new KubeadmCluster(worse, 'C', { vpc: new ec2.Vpc(worse, 'Vpc'), snapshotRetention: 0 }))
      .toThrow('[w/C] KubeadmCluster.snapshotRetention is 0');
  });

  test('traits: Traefik ingress class and local-path storage', () => {
    expect(cluster.traits.ingressFlavour).toBe(IngressFlavour.TRAEFIK);
    expect(cluster.traits.ingressClassName).toBe('traefik');
    expect(cluster.traits.storageClassName).toBe('local-path');
    expect(cluster.traits.ingressTrafficSource).toEqual({ namespace: 'traefik', podLabels: { 'app.kubernetes.io/name': 'traefik' } });
  });
});

describe('KubeadmCluster user data', () => {
  /** The control plane's first boot of a new cluster, run once for the tests that read it. */
  let firstBoot: StubRun;
  beforeAll(() => {
    firstBoot = new KubeadmModel().boot(controlPlane, 'i-0new');
  });

  test('size, bash -n, shellcheck, pinned versions', () => {
    // The day-2 tool ships as an S3 asset, not in user data: linted on its own.
    const tool = fs.readFileSync(DAY2_TOOL, 'utf8');
    expect(bashSyntaxErrors(tool)).toBe('');
    const toolFindings = shellcheckFindings(tool);
    if (toolFindings !== undefined) expect(toolFindings).toBe('');
    for (const script of [controlPlane, worker]) {
      expect(Buffer.byteLength(script)).toBeLessThan(16 * 1024);
      expect(bashSyntaxErrors(script)).toBe('');
      const findings = shellcheckFindings(script);
      if (findings !== undefined) expect(findings).toBe('');
    }
    expect(controlPlane).toContain("KUBERNETES_VERSION='1.36.5'");
    expect(controlPlane).toContain('flannel/releases/download/v0.26.7/kube-flannel.yml');
    expect(controlPlane).toContain('metrics-server/releases/download/v0.7.2/components.yaml');
    expect(controlPlane).toContain("TRAEFIK_CHART_VERSION='35.0.0'");
    expect(worker).not.toContain('KUBECONFIG_SECRET_ARN');
    expect(controlPlane).not.toContain('--upload-certs');
    expect(controlPlane).toContain('--skip-token-print');
  });

  test('control plane boot: Traefik from the pinned repository and chart, DaemonSet-safe rolling update, an existing release\'s values kept', () => {
    const traefik = firstBoot.calls.filter(c => c.startsWith('helm ') && c.includes(' upgrade --install traefik '));
    expect(traefik).toEqual([`helm --kubeconfig ${firstBoot.root}/etc/kubernetes/admin.conf upgrade --install traefik traefik `
      + `--repo ${KUBEADM_ADDONS.traefikChartRepository} --version ${KUBEADM_ADDONS.traefikChartVersion} --namespace traefik --create-namespace `
      + '--reset-then-reuse-values --set deployment.kind=DaemonSet --set ports.web.hostPort=80 --set ports.websecure.hostPort=443 '
      + '--set service.type=ClusterIP --set ingressClass.isDefaultClass=true '
      + '--set updateStrategy.rollingUpdate.maxUnavailable=1 --set updateStrategy.rollingUpdate.maxSurge=0']);
    expect(controlPlane).toContain(`TRAEFIK_CHART_REPOSITORY='${KUBEADM_ADDONS.traefikChartRepository}'`);
  });

  test('control plane first boot: prepares the node, inits from a 0600 config, publishes the CA hash, timers, add-ons', () => {
    const run = firstBoot;
    expect(run.output).toContain('bootstrap complete');
    expect(run.status).toBe(0);
    const steps = ['modprobe br_netfilter', 'apt-get install -y -q kubelet=1.36.5-* kubeadm=1.36.5-* kubectl=1.36.5-*', 'systemctl restart containerd',
      'aws s3 cp --only-show-errors --region eu-west-1 s3://cdk-hnb659fds-assets-', 'aws secretsmanager get-secret-value', 'aws s3api list-objects-v2',
      'kubeadm init --config', 'aws ssm put-parameter --region eu-west-1 --name REF_ClusterCaHash',
      'systemctl enable --now cdk-k8s-platform-etcd-snapshot.timer', 'kubectl --kubeconfig', 'helm --kubeconfig', 'aws secretsmanager put-secret-value'];
    const positions = steps.map(s => callIndex(run.calls, s));
    expect(positions.filter(p => p < 0)).toEqual([]);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(run.calls.find(c => c.includes('put-parameter'))).toMatch(/--value sha256:[0-9a-f]{16}$/);
    const init = run.file('etc/kubernetes/cdk-k8s-platform/kubeadm-init.yaml');
    expect(run.mode('etc/kubernetes/cdk-k8s-platform/kubeadm-init.yaml')).toBe(0o600);
    expect(init).toContain('token: "abcdef.0123456789abcdef"');
    expect(init).toContain('description: "cdk-k8s-platform bootstrap token"');
    expect(init).toContain('ttl: 24h0m0s');
    expect(init).toContain('name: "i-0new"');
    expect(init).toContain('advertiseAddress: "10.0.1.10"');
    expect(init).toContain('taints: []');
    expect(init).toContain('kubernetesVersion: "v1.36.5"');
    expect(init).toContain('cgroupDriver: systemd');
    expect(run.mode('etc/kubernetes/cdk-k8s-platform/token-source')).toBe(0o600);
    expect(run.file('etc/containerd/config.toml')).toContain('SystemdCgroup = true');
    expect(run.calls.some(c => c.includes('abcdef.0123456789abcdef') || c.includes('abcdef0123456789abcdef'))).toBe(false);
    expect(run.file('etc/kubernetes/cdk-k8s-platform/admin-local.conf')).toBe('server: https://127.0.0.1:6443\n');
    expect(run.mode('etc/kubernetes/cdk-k8s-platform/admin-local.conf')).toBe(0o600);
  });

  test('the NetworkPolicy engine is fetched from its S3 asset and applied right after flannel', () => {
    const run = firstBoot;
    const flannel = callIndex(run.calls, `kubectl --kubeconfig ${run.root}/etc/kubernetes/admin.conf apply -f https://github.com/flannel-io/flannel/`);
    const fetch = run.calls.findIndex(c => /^aws s3 cp .* s3:\/\/cdk-hnb659fds-assets-111111111111-eu-west-1\/[0-9a-f]{64}\.json /.test(c));
    const apply = callIndex(run.calls, `kubectl --kubeconfig ${run.root}/etc/kubernetes/admin.conf apply --server-side --field-manager=cdk-k8s-platform --force-conflicts -f ${run.root}/var/lib/cdk-k8s-platform/network-policy.json`);
    expect(flannel).toBeGreaterThan(-1);
    expect(flannel).toBeLessThan(fetch);
    expect(fetch).toBeLessThan(apply);
    expect(run.file('var/lib/cdk-k8s-platform/network-policy.json')).toContain('--run-firewall=true');
  });

  test('worker boot: waits for the CA hash, joins from a 0600 JoinConfiguration, token never on argv or in the log', () => {
    const model = new KubeadmModel();
    model.addToApi('tokens', 'abcdef', '0123456789abcdef|cdk-k8s-platform bootstrap token');
    model.write('ca-hash', 'sha256:0123abcd\n');
    const run = model.boot(worker, 'i-0new');
    expect(run.status).toBe(0);
    const join = run.file('etc/kubernetes/cdk-k8s-platform/kubeadm-join.yaml');
    expect(run.mode('etc/kubernetes/cdk-k8s-platform/kubeadm-join.yaml')).toBe(0o600);
    expect(join).toContain('kind: JoinConfiguration');
    expect(join).toContain('token: "abcdef.0123456789abcdef"');
    expect(join).toContain('caCertHashes: ["sha256:0123abcd"]');
    expect(join).toMatch(/apiServerEndpoint: "ATT_ClusterApiLoadBalancer\w+_DNSName:6443"/);
    expect(callIndex(run.calls, 'aws ssm get-parameter')).toBeLessThan(callIndex(run.calls, 'kubeadm join --config'));
    expect(run.calls.some(c => c.includes('abcdef'))).toBe(false);
    expect(run.output).not.toContain('0123456789abcdef');
    expect(run.mode('var/log/cdk-k8s-platform-kubeadm-join.log')).toBe(0o600);
  });
});

describe('KubeadmCluster errors', () => {
  test('bad version and architecture mismatch', () => {
    expect(() => KubeadmVersion.of('v1.33')).toThrow('KubeadmVersion.of version is "v1.33": must be a Kubernetes release such as "1.36.5"');
    const stack = new Stack(new App(), 's');
    const vpc = new ec2.Vpc(stack, 'Vpc');
    expect(() => new KubeadmCluster(stack, 'C', { vpc, agentInstanceType: new ec2.InstanceType('t3.large') }))
      .toThrow('[s/C] KubeadmCluster.agentInstanceType is "t3.large": is a x86_64 instance type but architecture is arm64');
  });
});
