import * as fs from 'fs';
import * as path from 'path';
import { App, CfnResource, Size } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { eksApp, selfManagedApp, tmpDir, webChart } from './support';
import { ClusterCapacity } from '../../lib/clusters/eks';
import { AllowReplacement, ReplacementGuard, ReplacementGuardMode } from '../../lib/guards';
import { EksPlatformStackProps } from '../../lib/platform/eks-platform-stack';

interface Variant {
  readonly props?: Partial<EksPlatformStackProps>;
  readonly context?: Record<string, unknown>;
  readonly allow?: AllowReplacement[];
  readonly mode?: ReplacementGuardMode;
  readonly tag?: string;
  readonly services?: string[];
  readonly tweak?: (app: App) => void;
}

/** One cloud assembly directory for the file: assets already staged there are not copied again. */
const OUTDIR = tmpDir('guard-out');

/** Synthesizes the EKS platform (with workloads) guarded by `lockFile`; throws what synthesis throws. */
function synthEks(lockFile: string, variant: Variant = {}): App {
  const { app, stack } = eksApp(variant.props, { context: variant.context, outdir: OUTDIR });
  stack.cluster.addWorkloads('apps', [webChart(stack.cluster.traits, { tag: variant.tag, services: variant.services })]);
  new ReplacementGuard(app, 'ReplacementGuard', { lockFile, allowReplacement: variant.allow, mode: variant.mode });
  variant.tweak?.(app);
  app.synth();
  return app;
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected synthesis to fail');
}

describe('ReplacementGuard on the EKS platform', () => {
  let dir: string;
  let lockFile: string;
  let locked: string;
  beforeAll(() => {
    dir = tmpDir('guard');
    lockFile = path.join(dir, 'platform.lock.json');
    synthEks(lockFile);
    locked = fs.readFileSync(lockFile, 'utf8');
  });
  /** A fresh copy of the recorded lock for one test. */
  const lockCopy = () => {
    const file = path.join(tmpDir('guard-case'), 'platform.lock.json');
    fs.writeFileSync(file, locked);
    return file;
  };

  test('the first synthesis (no lock file: a fresh clone) succeeds and records VPC, subnets, cluster and node group', () => {
    const lock = JSON.parse(locked);
    const resources = Object.values(lock.stacks['acme-eks']) as Array<{ type: string; category: string; properties: Record<string, unknown> }>;
    const byType = (t: string) => resources.filter(r => r.type === t);
    expect(byType('AWS::EC2::VPC')).toEqual([expect.objectContaining({ category: 'Network', properties: { CidrBlock: '10.0.0.0/16', InstanceTenancy: 'default' } })]);
    expect(byType('AWS::EC2::Subnet')).toHaveLength(6);
    expect(byType('AWS::EKS::Cluster')).toEqual([expect.objectContaining({ category: 'Cluster', properties: expect.objectContaining({ 'Name': 'acme', 'ResourcesVpcConfig.SubnetIds': expect.any(Array) }) })]);
    expect(byType('AWS::EKS::Nodegroup')).toEqual([expect.objectContaining({ category: 'NodeGroup', properties: expect.objectContaining({ InstanceTypes: ['m7i.large'], AmiType: 'AL2023_x86_64_STANDARD' }) })]);
    // EKS node launch templates pick no AMI: they are not servers
    expect(byType('AWS::EC2::LaunchTemplate')).toEqual([]);
  });

  test('an unchanged app passes and leaves the lock file untouched', () => {
    const file = lockCopy();
    synthEks(file);
    expect(fs.readFileSync(file, 'utf8')).toBe(locked);
  });

  test('workload-only changes (new image, another service) pass', () => {
    const file = lockCopy();
    expect(() => synthEks(file, { tag: '1.28', services: ['web', 'api'] })).not.toThrow();
    expect(fs.readFileSync(file, 'utf8')).toBe(locked);
  });

  test('renaming the cluster is refused: names the cluster, the property, old and new value and the opt-in', () => {
    const message = errorOf(() => synthEks(lockCopy(), { props: { platformName: 'acme2' } }));
    expect(message).toMatch(/ReplacementGuard: AWS::EKS::Cluster \S+ \(acme-eks\/Eks\/Cluster\/Resource\) would be replaced: Name changes from "acme" to "acme2"/);
    expect(message).toContain('AllowReplacement.CLUSTER');
    expect(message).toContain('CloudFormation replaces the resource to apply these properties.');
    expect(message).toContain('cdk-k8s-platform:allowReplacement=Cluster');
  });

  test('changing the cluster subnets (3 AZs to 2) is refused for the cluster and the removed subnets', () => {
    const message = errorOf(() => synthEks(lockCopy(), { props: { network: { azCount: 2 } } }));
    expect(message).toMatch(/AWS::EKS::Cluster \S+ .* ResourcesVpcConfig\.SubnetIds changes from/);
    expect(message).toMatch(/AWS::EC2::Subnet \S+ .* is gone from the template/);
  });

  test('new node group instance types are refused (EKS replaces the node group)', () => {
    const message = errorOf(() => synthEks(lockCopy(), {
      props: { capacity: ClusterCapacity.managedNodeGroups({ onDemand: { instanceTypes: [new ec2.InstanceType('m6i.large')] } }) },
    }));
    expect(message).toMatch(/AWS::EKS::Nodegroup \S+ \(acme-eks\/Eks\/OnDemand\/Nodegroup\/Resource\) would be replaced: InstanceTypes changes from \["m7i\.large"\] to \["m6i\.large"\]/);
    expect(message).toContain('AllowReplacement.NODE_GROUP');
  });

  test('scaling, a new disk size (a rolling launch-template update, drained node by node) and a new spot group pass', () => {
    const file = lockCopy();
    expect(() => synthEks(file, {
      props: { capacity: ClusterCapacity.managedNodeGroups({ onDemand: { minSize: 3, maxSize: 9, diskSize: Size.gibibytes(80) }, spot: {} }) },
    })).not.toThrow();
    const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(Object.values(lock.stacks['acme-eks']).filter((r: any) => r.type === 'AWS::EKS::Nodegroup')).toHaveLength(2);
  });

  test('a new VPC CIDR is refused for the VPC and every subnet', () => {
    const message = errorOf(() => synthEks(lockCopy(), { props: { network: { cidr: '10.1.0.0/16' } } }));
    expect(message).toMatch(/AWS::EC2::VPC \S+ \(acme-eks\/Network\/Vpc\/Resource\) would be replaced: CidrBlock changes from "10\.0\.0\.0\/16" to "10\.1\.0\.0\/16"/);
    expect(message.match(/AWS::EC2::Subnet \S+ .*?would be replaced: CidrBlock changes/g)).toHaveLength(6);
    expect(message).toContain('AllowReplacement.NETWORK');
  });

  test('a moved logical ID is refused and named as a move', () => {
    const message = errorOf(() => synthEks(lockCopy(), {
      tweak: app => {
        const ng = app.node.findAll().find(c => CfnResource.isCfnResource(c) && c.cfnResourceType === 'AWS::EKS::Nodegroup') as CfnResource;
        ng.overrideLogicalId('MovedNodegroup');
      },
    }));
    expect(message).toMatch(/AWS::EKS::Nodegroup \S+ .* is gone from the template and a new AWS::EKS::Nodegroup MovedNodegroup .* appeared: its logical ID moved/);
  });

  test('an opt-in by name lets the replacement through and records the new state; the next synthesis passes without it', () => {
    const file = lockCopy();
    synthEks(file, { props: { platformName: 'acme2' }, allow: [AllowReplacement.CLUSTER] });
    expect(fs.readFileSync(file, 'utf8')).toContain('"Name": "acme2"');
    expect(() => synthEks(file, { props: { platformName: 'acme2' } })).not.toThrow();
  });

  test('an opt-in covers only what it names', () => {
    const message = errorOf(() => synthEks(lockCopy(), { props: { network: { cidr: '10.1.0.0/16' } }, allow: [AllowReplacement.CLUSTER] }));
    expect(message).toContain('AWS::EC2::VPC');
  });

  test('opt-in through the context key (names, logical IDs or construct paths)', () => {
    expect(() => synthEks(lockCopy(), { props: { network: { cidr: '10.1.0.0/16' } }, context: { 'cdk-k8s-platform:allowReplacement': 'Network' } })).not.toThrow();
    expect(() => synthEks(lockCopy(), { props: { platformName: 'acme2' }, context: { 'cdk-k8s-platform:allowReplacement': 'acme-eks/Eks' } })).not.toThrow();
    expect(() => synthEks(lockCopy(), { props: { platformName: 'acme2' }, allow: [AllowReplacement.resource('acme-eks/Eks/Cluster')] })).not.toThrow();
    expect(errorOf(() => synthEks(lockCopy(), { context: { 'cdk-k8s-platform:allowReplacement': '[1]' } })))
      .toMatch(/context cdk-k8s-platform:allowReplacement is "\[1\]": must be names separated by commas/);
  });

  test('verify mode (CI): fails without a lock file or with new protected resources, never writes', () => {
    const missing = path.join(tmpDir('guard-verify'), 'platform.lock.json');
    expect(errorOf(() => synthEks(missing, { mode: ReplacementGuardMode.VERIFY }))).toMatch(/platform\.lock\.json does not exist \(mode verify\)/);
    expect(fs.existsSync(missing)).toBe(false);
    const file = lockCopy();
    expect(() => synthEks(file, { context: { 'cdk-k8s-platform:replacementGuard': 'verify' } })).not.toThrow();
    expect(errorOf(() => synthEks(file, { mode: ReplacementGuardMode.VERIFY, props: { capacity: ClusterCapacity.managedNodeGroups({ spot: {} }) } })))
      .toMatch(/is out of date/);
    expect(fs.readFileSync(file, 'utf8')).toBe(locked);
  });

  test('bad props and corrupt lock files give clear errors', () => {
    expect(() => new ReplacementGuard(new App(), 'G', { lockFile: 'lock.yaml' })).toThrow(/ReplacementGuard\.lockFile is "lock\.yaml": must be the path of a \.json file/);
    expect(() => AllowReplacement.resource(' ')).toThrow(/AllowReplacement\.resource\(logicalIdOrPath\) is " "/);
    expect(() => new ReplacementGuard(new App({ context: { 'cdk-k8s-platform:replacementGuard': 'off' } }), 'G')).toThrow(/must be "update" or "verify"/);
    const file = path.join(tmpDir('guard-bad'), 'platform.lock.json');
    fs.writeFileSync(file, '{ nope');
    expect(errorOf(() => synthEks(file))).toMatch(/platform\.lock\.json is not valid JSON/);
  });
});

const k3s = selfManagedApp('k3s') ? describe : describe.skip;
k3s('ReplacementGuard on the self-managed (k3s) platform', () => {
  let locked: string;
  const synthK3s = (lockFile: string, props: Record<string, unknown> = {}, data = 'hello') => {
    const built = selfManagedApp('k3s', props, { outdir: OUTDIR })!;
    built.stack.cluster.addWorkloads('shop', [webChart(built.stack.cluster.traits, { tag: data })]);
    new ReplacementGuard(built.app, 'ReplacementGuard', { lockFile });
    built.app.synth();
  };
  const lockCopy = () => {
    const file = path.join(tmpDir('guard-k3s'), 'platform.lock.json');
    fs.writeFileSync(file, locked);
    return file;
  };
  beforeAll(() => {
    const file = path.join(tmpDir('guard-k3s'), 'platform.lock.json');
    synthK3s(file);
    locked = fs.readFileSync(file, 'utf8');
  });

  test('records the server and agent launch templates and groups', () => {
    const resources = Object.values(JSON.parse(locked).stacks['acme-k3s']) as Array<{ type: string; category: string }>;
    expect(resources.filter(r => r.type === 'AWS::EC2::LaunchTemplate')).toHaveLength(2);
    expect(resources.filter(r => r.type === 'AWS::AutoScaling::AutoScalingGroup')).toHaveLength(2);
    expect(resources.filter(r => r.category === 'Server')).toHaveLength(4);
  });

  test('workload-only changes never touch a server', () => {
    expect(() => synthK3s(lockCopy(), {}, '1.28')).not.toThrow();
  });

  test('a new server AMI (image serial) is refused', () => {
    const { NodeImage } = require('../../lib/clusters/self-managed'); // eslint-disable-line @typescript-eslint/no-require-imports
    const message = errorOf(() => synthK3s(lockCopy(), { cluster: { nodeImage: NodeImage.ubuntu2404({ serial: '20250115' }) } }));
    expect(message).toMatch(/AWS::EC2::LaunchTemplate \S+ \(acme-k3s\/Cluster\/ServerLaunchTemplate\/Resource\) would be replaced: LaunchTemplateData\.ImageId changes/);
    expect(message).toContain('AllowReplacement.SERVER');
    expect(message).toContain('A new launch template version makes the Auto Scaling group replace the instances launched from it, with their local state.');
  });

  test('a new server instance type is refused', () => {
    const message = errorOf(() => synthK3s(lockCopy(), { cluster: { serverInstanceType: new ec2.InstanceType('t4g.large') } }));
    expect(message).toMatch(/ServerLaunchTemplate\/Resource\) would be replaced: LaunchTemplateData\.InstanceType changes from "t4g\.medium" to "t4g\.large"/);
  });
});
