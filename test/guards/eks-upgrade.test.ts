import * as fs from 'fs';
import * as path from 'path';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ClusterCapacity, EksKubernetesVersion, NodeArchitecture } from '../../lib/clusters/eks';
import { AllowReplacement, ReplacementGuard } from '../../lib/guards';
import { versionStep } from '../../lib/guards/private/lock-file';
import { EksPlatformStackProps } from '../../lib/platform/eks-platform-stack';
import { eksApp, expectThrownMessage, tmpDir } from '../robustness/support';

const OUTDIR = tmpDir('eks-upgrade-out');

/** Synthesizes the EKS platform guarded by `lockFile`; throws what synthesis throws. */
function synth(lockFile: string, props: Partial<EksPlatformStackProps> = {}, allow?: AllowReplacement[]): void {
  const { app } = eksApp(props, { outdir: OUTDIR, context: { 'cdk-k8s-platform:today': '2026-11-01' } });
  new ReplacementGuard(app, 'ReplacementGuard', { lockFile, allowReplacement: allow });
  app.synth();
}

type Locked = { type: string; path: string; kubernetesVersion?: string; properties: Record<string, unknown> };
const lockedOf = (file: string): Locked[] => Object.values(JSON.parse(fs.readFileSync(file, 'utf8')).stacks['acme-eks']);
const versions = (file: string) => lockedOf(file).filter(r => r.type.startsWith('AWS::EKS::')).map(r => `${r.type} ${r.kubernetesVersion}`).sort();

describe('ReplacementGuard: EKS Kubernetes upgrades', () => {
  let at134: string;
  beforeAll(() => {
    const file = path.join(tmpDir('eks-134'), 'platform.lock.json');
    synth(file, { version: EksKubernetesVersion.V1_34 });
    at134 = fs.readFileSync(file, 'utf8');
  });
  const copy = (text = at134) => {
    const file = path.join(tmpDir('eks-case'), 'platform.lock.json');
    fs.writeFileSync(file, text);
    return file;
  };

  test('the lock records the Kubernetes version of the cluster and of every node group', () => {
    expect(versions(copy())).toEqual(['AWS::EKS::Cluster 1.34', 'AWS::EKS::Nodegroup 1.34']);
  });

  test('1.34 to 1.35 is an in-place upgrade: no opt-in needed, and the lock then records 1.35', () => {
    const file = copy();
    expect(() => synth(file, { version: EksKubernetesVersion.V1_35 })).not.toThrow();
    expect(versions(file)).toEqual(['AWS::EKS::Cluster 1.35', 'AWS::EKS::Nodegroup 1.35']);
    // nothing replacement-causing moved: the cluster and node group entries kept their properties
    const before = lockedOf(copy()).map(r => JSON.stringify(r.properties));
    expect(lockedOf(file).map(r => JSON.stringify(r.properties))).toEqual(before);
  });

  test('1.35 to 1.36 is an in-place upgrade: no opt-in needed, and the lock then records 1.36', () => {
    const file = copy();
    synth(file, { version: EksKubernetesVersion.V1_35 });
    const before = lockedOf(file).map(r => JSON.stringify(r.properties));
    expect(() => synth(file, { version: EksKubernetesVersion.V1_36 })).not.toThrow();
    expect(versions(file)).toEqual(['AWS::EKS::Cluster 1.36', 'AWS::EKS::Nodegroup 1.36']);
    expect(lockedOf(file).map(r => JSON.stringify(r.properties))).toEqual(before);
  });

  test('1.34 straight to 1.36 is refused, naming 1.35 as the next step', () => {
    const message = expectThrownMessage(() => synth(copy(), { version: EksKubernetesVersion.V1_36 }));
    expect(message).toContain('Kubernetes version changes from 1.34 to 1.36, skipping 1.35: EKS upgrades one minor version at a time. '
      + 'Deploy 1.35 first (version: EksKubernetesVersion.V1_35: the control plane, then the add-ons, then each node group rolls onto it), then 1.36.');
  });

  test('1.36 back to 1.35 is refused', () => {
    const file = copy();
    synth(file, { version: EksKubernetesVersion.V1_35 });
    synth(file, { version: EksKubernetesVersion.V1_36 });
    const message = expectThrownMessage(() => synth(file, { version: EksKubernetesVersion.V1_35 }));
    expect(message).toMatch(/AWS::EKS::Cluster \S+ \(acme-eks\/Eks\/Cluster\/Resource\) Kubernetes version goes back from 1\.36 to 1\.35: a cluster cannot be downgraded/);
    expect(message).toContain('Keep 1.36 or deploy a later release.');
  });

  test('a downgrade is refused, naming both versions', () => {
    const file = copy();
    synth(file, { version: EksKubernetesVersion.V1_35 });
    const message = expectThrownMessage(() => synth(file, { version: EksKubernetesVersion.V1_34 }));
    expect(message).toMatch(/ReplacementGuard: AWS::EKS::Cluster \S+ \(acme-eks\/Eks\/Cluster\/Resource\) Kubernetes version goes back from 1\.35 to 1\.34: a cluster cannot be downgraded/);
    expect(message).toContain('Keep 1.35 or deploy a later release.');
    expect(message).toContain('AllowReplacement.VERSION_SKIP');
  });

  test('a skipped minor is refused, naming both versions and the next step in EKS order', () => {
    const file = copy(at134.replace(/"kubernetesVersion": "1\.34"/g, '"kubernetesVersion": "1.33"'));
    const message = expectThrownMessage(() => synth(file, { version: EksKubernetesVersion.V1_35 }));
    expect(message).toContain('Kubernetes version changes from 1.33 to 1.35, skipping 1.34: EKS upgrades one minor version at a time. '
      + 'Deploy 1.34 first (version: EksKubernetesVersion.V1_34: the control plane, then the add-ons, then each node group rolls onto it), then 1.35.');
    expect(message).toMatch(/AWS::EKS::Cluster \S+ \(acme-eks\/Eks\/Cluster\/Resource\) Kubernetes version changes/);
  });

  test('a lock file written before versions were recorded passes and gains them', () => {
    const file = copy(at134.replace(/,?\n\s*"kubernetesVersion": "1\.34"/g, ''));
    expect(versions(file)).toEqual(['AWS::EKS::Cluster undefined', 'AWS::EKS::Nodegroup undefined']);
    synth(file, { version: EksKubernetesVersion.V1_34 });
    expect(versions(file)).toEqual(['AWS::EKS::Cluster 1.34', 'AWS::EKS::Nodegroup 1.34']);
  });

  test('roll settings and sizes change in place; new instance types are a replacement, refused with the way around it', () => {
    expect(() => synth(copy(), {
      version: EksKubernetesVersion.V1_34,
      capacity: ClusterCapacity.managedNodeGroups({ onDemand: { maxUnavailable: 2, minSize: 3, maxSize: 8 } }),
    })).not.toThrow();
    const message = expectThrownMessage(() => synth(copy(), {
      version: EksKubernetesVersion.V1_34,
      capacity: ClusterCapacity.managedNodeGroups({ onDemand: { instanceTypes: [new ec2.InstanceType('m7i.xlarge')] } }),
    }));
    expect(message).toMatch(/AWS::EKS::Nodegroup \S+ \(acme-eks\/Eks\/OnDemand\/Nodegroup\/Resource\) would be replaced: InstanceTypes changes from \["m7i\.large"\] to \["m7i\.xlarge"\]/);
    expect(message).toContain('EKS cannot change a managed node group\'s instance types, AMI type, capacity type or disk size in place');
    expect(message).toContain('A Kubernetes version, AMI release or launch template change instead rolls the group in place');
    expect(message).toContain('AllowReplacement.NODE_GROUP');
  });

  test('a new architecture (AMI type) replaces the node group: refused', () => {
    const message = expectThrownMessage(() => synth(copy(), {
      version: EksKubernetesVersion.V1_34,
      capacity: ClusterCapacity.managedNodeGroups({ architecture: NodeArchitecture.ARM_64 }),
    }));
    expect(message).toMatch(/would be replaced: AmiType changes from "AL2023_x86_64_STANDARD" to "AL2023_ARM_64_STANDARD"; InstanceTypes changes/);
  });
});

describe('versionStep with EKS versions', () => {
  test.each<[string, string, string | undefined]>([
    ['1.34', '1.35', undefined],
    ['1.35', '1.35', undefined],
    ['1.35', '1.36', undefined],
    ['1.34', '1.36', 'skipping 1.35: EKS upgrades one minor version at a time. Deploy 1.35 first'],
    ['1.36', '1.35', 'Kubernetes version goes back from 1.36 to 1.35: a cluster cannot be downgraded'],
    ['1.33', '1.35', 'skipping 1.34: EKS upgrades one minor version at a time. Deploy 1.34 first'],
    ['1.32', '1.35', 'skipping the minor versions after 1.32: EKS upgrades one minor version at a time. Deploy 1.33 first'],
    ['1.35', '1.34', 'Kubernetes version goes back from 1.35 to 1.34: a cluster cannot be downgraded'],
  ])('%s to %s', (from, to, expected) => {
    const step = versionStep(from, to);
    if (expected) expect(step).toContain(expected);
    else expect(step).toBeUndefined();
  });
});
