import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { App as Cdk8sApp, Size } from 'cdk8s';
import { Construct } from 'constructs';
import { parseAllDocuments } from 'yaml';
import { ClusterDistribution, EksPlatformStack, IPlatformCluster, PlatformChart, SelfManagedDistribution, SelfManagedPlatformStack, StatefulService, VolumeAccessMode } from '../../lib';
import { EfsAddOn } from '../../lib/addons/efs';
import { expectThrownMessage } from '../robustness/support';

function expectFileSystem(template: Template): void {
  template.hasResource('AWS::EFS::FileSystem', {
    Properties: Match.objectLike({ Encrypted: true, ThroughputMode: 'elastic', BackupPolicy: { Status: 'ENABLED' } }),
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
  });
  const groups = Object.values(template.findResources('AWS::EC2::SecurityGroup'))
    .filter(g => g.Properties.GroupDescription === 'EFS mount targets: NFS from the cluster nodes only');
  expect(groups).toHaveLength(1);
  expect(groups[0].Properties.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32' })]); // no egress
  const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).filter(i => i.Properties.Description === 'NFS (TLS) from the cluster nodes');
  expect(ingress).toHaveLength(1);
  expect(ingress[0].Properties).toMatchObject({ IpProtocol: 'tcp', FromPort: 2049, ToPort: 2049, SourceSecurityGroupId: expect.anything() });
  expect(Object.keys(template.findResources('AWS::EFS::MountTarget'))).toHaveLength(3); // one per zone, private subnets
}

function controllerPolicy(template: Template, rolePattern: RegExp): unknown[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter(p => p.Properties.Roles.some((r: { Ref: string }) => rolePattern.test(r.Ref)))
    .flatMap(p => p.Properties.PolicyDocument.Statement)
    .filter((s: { Action: string | string[] }) => JSON.stringify(s.Action).includes('elasticfilesystem') || JSON.stringify(s.Action).includes('DescribeAvailabilityZones'));
}

describe('EKS: the EKS add-on with Pod Identity, the file system and the efs StorageClass', () => {
  const addOn = new EfsAddOn();
  const stack = new EksPlatformStack(new App(), 'acme-eks', { platformName: 'acme', addOns: [addOn] });
  const template = Template.fromStack(stack);

  test('encrypted, elastic, backed up daily, retained; NFS from the cluster security group only; a mount target per zone', () => {
    expectFileSystem(template);
    expect(addOn.fileSystem).toBeDefined();
  });

  test('the aws-efs-csi-driver EKS add-on, pinned, its controller on Pod Identity with the least permissions', () => {
    template.hasResourceProperties('AWS::EKS::Addon', { AddonName: 'aws-efs-csi-driver', AddonVersion: 'v2.1.13-eksbuild.1' });
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', { Namespace: 'kube-system', ServiceAccount: 'efs-csi-controller-sa' });
    const statements = controllerPolicy(template, /EfsAddOnControllerIdentity/) as Array<{ Action: string | string[]; Resource: unknown; Condition?: unknown }>;
    const create = statements.find(s => s.Action === 'elasticfilesystem:CreateAccessPoint')!;
    expect(create.Condition).toEqual({ StringEquals: { 'aws:RequestTag/efs.csi.aws.com/cluster': 'true' } });
    expect(JSON.stringify(create.Resource)).toContain('EfsAddOnFileSystem');
    const remove = statements.find(s => s.Action === 'elasticfilesystem:DeleteAccessPoint')!;
    expect(remove.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/efs.csi.aws.com/cluster': 'true' } });
    for (const s of statements) if (s.Resource === '*') expect(s.Action).toBe('ec2:DescribeAvailabilityZones');
  });

  test('the StorageClass: an access point per volume on this file system, TLS, retained', () => {
    const manifest = Object.values(template.findResources('Custom::AWSCDK-EKS-KubernetesResource'))
      .map(r => JSON.stringify(r.Properties.Manifest)).find(m => m.includes('efs.csi.aws.com'))!;
    expect(manifest).toContain('\\"provisioningMode\\":\\"efs-ap\\"');
    expect(manifest).toContain('\\"fileSystemId\\":\\"');
    expect(manifest).toContain('\\"mountOptions\\":[\\"tls\\"]');
    expect(manifest).toContain('\\"reclaimPolicy\\":\\"Retain\\"');
  });

  test('the traits now serve ReadWriteMany on efs; a StatefulService may ask for it', () => {
    expect(stack.cluster.traits.storageClassesServing(VolumeAccessMode.READ_WRITE_MANY)).toEqual(['efs']);
    const chart = new PlatformChart(new Cdk8sApp(), 'shop', { traits: stack.cluster.traits, namespace: 'shop' });
    expect(() => new StatefulService(chart, 'files', {
      image: 'nginxinc/nginx-unprivileged:1.27.3-alpine',
      ports: [{ name: 'http', port: 8080 }],
      volumes: [{ name: 'shared', mountPath: '/shared', size: Size.gibibytes(5), storageClassName: 'efs', accessMode: VolumeAccessMode.READ_WRITE_MANY }],
    })).not.toThrow();
  });
});

describe.each([
  ['k3s', SelfManagedDistribution.k3s(), 'k3s kubectl'],
  ['kubeadm', SelfManagedDistribution.kubeadm(), 'kubectl --kubeconfig /etc/kubernetes/admin.conf'],
])('%s: the driver\'s chart, the controller on the servers, the id by ConfigMap', (_name, distribution, kubectl) => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'efs-'));
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));
  const app = new App({ outdir });
  const stack = new SelfManagedPlatformStack(app, 'acme-k3s', { platformName: 'acme', distribution, ebsCsi: false, addOns: [new EfsAddOn({ removalPolicy: RemovalPolicy.RETAIN })] });
  app.synth();
  const template = Template.fromStack(stack);
  const objects = fs.readdirSync(outdir).filter(f => f.endsWith('.yaml'))
    .flatMap(f => parseAllDocuments(fs.readFileSync(path.join(outdir, f), 'utf8')).map(d => d.toJSON()));
  const helmChart = objects.find(o => o?.kind === 'HelmChart' && o.metadata.name === 'efs');

  test('the file system as on EKS, NFS from the nodes\' group only', () => {
    expectFileSystem(template);
  });

  test('the official chart, pinned, in kube-system (the node plugin mounts on the host)', () => {
    expect(helmChart.spec).toMatchObject({
      repo: 'https://kubernetes-sigs.github.io/aws-efs-csi-driver', chart: 'aws-efs-csi-driver', version: '4.4.1', targetNamespace: 'kube-system',
    });
    expect(objects.filter(o => o?.kind === 'Namespace' && o.metadata.name === 'kube-system')).toEqual([]);
    const values = parseAllDocuments(helmChart.spec.valuesContent)[0].toJSON();
    expect(values.image).toEqual({ tag: 'v3.4.1' });
    expect(values.controller).toMatchObject({ hostNetwork: true, fileSystemIdRefs: { enabled: true } });
    // on the servers only (one here), one per server (its health port on the host): replaced before the next starts
    expect(values.controller).toMatchObject({
      replicaCount: 1,
      rollingUpdate: { maxSurge: 0, maxUnavailable: 1 },
      affinity: {
        nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists' }] }] } },
        podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'efs-csi-controller' } }, topologyKey: 'kubernetes.io/hostname' }] },
      },
      // a budget would keep the one server from being drained for its replacement
      podDisruptionBudget: { enabled: false },
    });
    expect(values.storageClasses).toEqual([{
      name: 'efs',
      parameters: {
        provisioningMode: 'efs-ap', fileSystemIdConfigRef: 'kube-system/cdk-k8s-platform-efs/fileSystemId', directoryPerms: '700', basePath: '/dynamic', ensureUniqueDirectory: 'true',
      },
      mountOptions: ['tls'],
      reclaimPolicy: 'Retain',
      volumeBindingMode: 'Immediate',
    }]);
  });

  test('an SSM association writes the file system id into that ConfigMap on the servers, with their admin kubectl', () => {
    const association = Object.values(template.findResources('AWS::SSM::Association')).find(a => JSON.stringify(a).includes('cdk-k8s-platform-efs'))!;
    const commands = association.Properties.Parameters.commands as unknown[];
    expect(JSON.stringify(commands)).toContain(`${kubectl} -n kube-system create configmap cdk-k8s-platform-efs --from-literal=fileSystemId=`);
    expect(JSON.stringify(commands)).toContain(`| ${kubectl} apply --server-side --field-manager=cdk-k8s-platform -f -`);
    expect(commands[1]).toBe(`for i in $(seq 1 80); do ${kubectl} get namespace kube-system >/dev/null 2>&1 && break; sleep 10; done`);
    // every kubectl of the commands is this distribution's admin one
    expect(JSON.stringify(commands).split(kubectl).join('')).not.toMatch(/kubectl/);
    const sync = Object.values(template.findResources('AWS::SSM::Association')).find(a => a.Properties.ScheduleExpression !== undefined)!;
    expect(association.Properties.Targets).toEqual(sync.Properties.Targets);
  });

  test('the server role alone gets the controller\'s permissions, on this file system only; the agents two reads', () => {
    const statements = controllerPolicy(template, /ServerRole/) as Array<{ Action: string | string[]; Resource: unknown }>;
    expect(statements.find(s => s.Action === 'elasticfilesystem:CreateAccessPoint')).toBeDefined();
    for (const s of statements) if (s.Resource === '*') expect(s.Action).toBe('ec2:DescribeAvailabilityZones');
    // the mount helper's fallback to a mount target's address (the file system's DNS name does not resolve)
    const agents = controllerPolicy(template, /AgentRole/) as Array<{ Action: string | string[]; Resource: unknown }>;
    expect(agents.map(s => s.Action).sort()).toEqual(['ec2:DescribeAvailabilityZones', 'elasticfilesystem:DescribeMountTargets']);
    expect(agents.find(s => s.Action === 'elasticfilesystem:DescribeMountTargets')!.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/FileSystem/), 'Arn'] });
  });
});

test('k3s with three servers: a controller on each, with a disruption budget', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'efs-ha-'));
  try {
    const app = new App({ outdir });
    const distribution = SelfManagedDistribution.k3s({ highAvailability: true });
    new SelfManagedPlatformStack(app, 'acme-k3s', { platformName: 'acme', distribution, ebsCsi: false, addOns: [new EfsAddOn()] });
    app.synth();
    const helmChart = fs.readdirSync(outdir).filter(f => f.endsWith('.yaml'))
      .flatMap(f => parseAllDocuments(fs.readFileSync(path.join(outdir, f), 'utf8')).map(d => d.toJSON()))
      .find(o => o?.kind === 'HelmChart' && o.metadata.name === 'efs');
    const { controller } = parseAllDocuments(helmChart.spec.valuesContent)[0].toJSON();
    expect(controller).toMatchObject({ replicaCount: 3, podDisruptionBudget: { enabled: true, minAvailable: 1 } });
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});

describe('bad input', () => {
  test('a cluster that is not one of this library\'s: refused, naming what to use', () => {
    const stack = new Stack(new App(), 'lab');
    const foreign = Object.assign(new Construct(stack, 'Foreign'), { distribution: ClusterDistribution.KUBEADM }) as unknown as IPlatformCluster;
    expect(expectThrownMessage(() => new EfsAddOn().install(foreign))).toBe('[lab/Foreign] EfsAddOn.install(cluster) is "lab/Foreign (kubeadm)": '
      + 'must be an EksPlatformCluster or a SelfManagedPlatformStack cluster (k3s or kubeadm) of this library.');
  });

  test('a StorageClass name that is not a DNS subdomain', () => {
    expect(expectThrownMessage(() => new EksPlatformStack(new App(), 'e', { platformName: 'acme', addOns: [new EfsAddOn({ storageClassName: 'Shared_FS' })] })))
      .toContain('EfsAddOn.storageClassName is "Shared_FS": must be a DNS-1123 subdomain');
  });
});
