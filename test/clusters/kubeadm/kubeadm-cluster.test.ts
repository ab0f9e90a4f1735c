import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { KubeadmCluster, KubeadmVersion } from '../../../lib/clusters/kubeadm';
import { PlatformNetwork } from '../../../lib/network';
import { IngressFlavour } from '../../../lib/workloads';
import { ingressRules } from '../self-managed/support/fixtures';
import { callIndex, runWithStubs } from '../self-managed/support/stub-run';
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
    for (const s of [...agent, ...statements('ServerRole')]) expect(s.Resource).not.toEqual('*');
  });

  test('traits: Traefik ingress class and local-path storage', () => {
    expect(cluster.traits.ingressFlavour).toBe(IngressFlavour.TRAEFIK);
    expect(cluster.traits.ingressClassName).toBe('traefik');
    expect(cluster.traits.storageClassName).toBe('local-path');
    expect(cluster.traits.ingressTrafficSource).toEqual({ namespace: 'traefik', podLabels: { 'app.kubernetes.io/name': 'traefik' } });
  });
});

describe('KubeadmCluster user data', () => {
  test('size, bash -n, shellcheck, pinned versions', () => {
    for (const script of [controlPlane, worker]) {
      expect(Buffer.byteLength(script)).toBeLessThan(16 * 1024);
      expect(bashSyntaxErrors(script)).toBe('');
      const findings = shellcheckFindings(script);
      if (findings !== undefined) expect(findings).toBe('');
    }
    expect(controlPlane).toContain("KUBERNETES_VERSION='1.33.1'");
    expect(controlPlane).toContain('flannel/releases/download/v0.26.7/kube-flannel.yml');
    expect(controlPlane).toContain('metrics-server/releases/download/v0.7.2/components.yaml');
    expect(controlPlane).toContain("TRAEFIK_CHART_VERSION='35.0.0'");
    expect(worker).not.toContain('KUBECONFIG_SECRET_ARN');
  });

  test('control plane first boot: prepares the node, inits from a 0600 config, publishes the CA hash, refresh timer, add-ons', () => {
    const run = runWithStubs(controlPlane, {
      stubs: { kubeadm: 'if [ "$1" = init ]; then printf "server: https://api:6443\\n" > "$CDK_K8S_ROOT/etc/kubernetes/admin.conf"; fi' },
    });
    expect(run.output).toContain('bootstrap complete');
    expect(run.status).toBe(0);
    const steps = ['modprobe br_netfilter', 'apt-get install -y -q kubelet=1.33.1-* kubeadm=1.33.1-* kubectl=1.33.1-*', 'systemctl restart containerd',
      'aws secretsmanager get-secret-value', 'kubeadm init --config', 'aws ssm put-parameter --region eu-west-1 --name REF_ClusterCaHash',
      'systemctl enable --now cdk-k8s-platform-token.timer', 'kubectl --kubeconfig', 'helm --kubeconfig', 'aws secretsmanager put-secret-value'];
    const positions = steps.map(s => callIndex(run.calls, s));
    expect(positions.filter(p => p < 0)).toEqual([]);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(run.calls).toContain('aws ssm put-parameter --region eu-west-1 --name REF_ClusterCaHash' + run.calls.find(c => c.includes('put-parameter'))!.split('REF_ClusterCaHash')[1]);
    expect(run.calls.find(c => c.includes('put-parameter'))).toContain('--value sha256:0123abcd');
    const init = run.file('etc/kubernetes/cdk-k8s-platform/kubeadm-init.yaml');
    expect(run.mode('etc/kubernetes/cdk-k8s-platform/kubeadm-init.yaml')).toBe(0o600);
    expect(init).toContain('token: "abcdef.0123456789abcdef"');
    expect(init).toContain('ttl: 24h0m0s');
    expect(init).toContain('name: "i-0new"');
    expect(init).toContain('taints: []');
    expect(init).toContain('kubernetesVersion: "v1.33.1"');
    expect(init).toContain('cgroupDriver: systemd');
    expect(run.file('etc/kubernetes/cdk-k8s-platform/bootstrap-token')).toBe('abcdef.0123456789abcdef');
    expect(run.mode('etc/kubernetes/cdk-k8s-platform/bootstrap-token')).toBe(0o600);
    expect(run.file('etc/containerd/config.toml')).toContain('SystemdCgroup = true');
    expect(run.file('etc/systemd/system/cdk-k8s-platform-token.timer')).toContain('OnUnitActiveSec=12h');
    expect(run.file('usr/local/sbin/cdk-k8s-platform-refresh-token')).toContain('kubeadm token create "$t" --ttl 24h');
    expect(run.calls.some(c => c.includes('abcdef.0123456789abcdef'))).toBe(false);
    expect(run.file('etc/kubernetes/cdk-k8s-platform/admin-local.conf')).toBe('server: https://127.0.0.1:6443\n');
    expect(run.mode('etc/kubernetes/cdk-k8s-platform/admin-local.conf')).toBe(0o600);
  });

  test('worker boot: waits for the CA hash, joins from a 0600 JoinConfiguration, token never on argv', () => {
    const run = runWithStubs(worker);
    expect(run.status).toBe(0);
    const join = run.file('etc/kubernetes/cdk-k8s-platform/kubeadm-join.yaml');
    expect(run.mode('etc/kubernetes/cdk-k8s-platform/kubeadm-join.yaml')).toBe(0o600);
    expect(join).toContain('kind: JoinConfiguration');
    expect(join).toContain('token: "abcdef.0123456789abcdef"');
    expect(join).toContain('caCertHashes: ["sha256:0123abcd"]');
    expect(join).toMatch(/apiServerEndpoint: "ATT_ClusterApiLoadBalancer\w+_DNSName:6443"/);
    expect(callIndex(run.calls, 'aws ssm get-parameter')).toBeLessThan(callIndex(run.calls, 'kubeadm join --config'));
    expect(run.calls.some(c => c.includes('abcdef'))).toBe(false);
  });
});

describe('KubeadmCluster errors', () => {
  test('bad version and architecture mismatch', () => {
    expect(() => KubeadmVersion.of('v1.33')).toThrow('KubeadmVersion.of version is "v1.33": must be a Kubernetes release such as "1.33.1"');
    const stack = new Stack(new App(), 's');
    const vpc = new ec2.Vpc(stack, 'Vpc');
    expect(() => new KubeadmCluster(stack, 'C', { vpc, agentInstanceType: new ec2.InstanceType('t3.large') }))
      .toThrow('[s/C] KubeadmCluster.agentInstanceType is "t3.large": is a x86_64 instance type but architecture is arm64');
  });
});
