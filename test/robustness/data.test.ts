import { App, CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Size, Testing } from 'cdk8s';
import { IConstruct } from 'constructs';
import { selfManagedApp, tmpDir } from './support';
import { VolumeReclaimPolicy } from '../../lib/clusters/eks';
import { K3sCluster } from '../../lib/clusters/k3s';
import { EksPlatformStack } from '../../lib/platform/eks-platform-stack';
import { SelfManagedPlatformStack } from '../../lib/platform/self-managed-platform-stack';
import { ClaimRetentionPolicy, ClusterTraits, PlatformChart, StatefulService } from '../../lib/workloads';

/** One cloud assembly directory for the file: assets already staged there are not copied again. */
const OUTDIR = tmpDir('robustness-out');

type Resources = Record<string, { Type: string; Properties: any; DeletionPolicy?: string; UpdateReplacePolicy?: string }>;
const ofType = (r: Resources, type: string) => Object.entries(r).filter(([, x]) => x.Type === type);
const storageClassOf = (r: Resources) => ofType(r, 'Custom::AWSCDK-EKS-KubernetesResource')
  .map(([, x]) => x.Properties.Manifest).filter((m): m is string => typeof m === 'string').map(m => JSON.parse(m)[0]).find(o => o.kind === 'StorageClass');
const retained = (r: { DeletionPolicy?: string; UpdateReplacePolicy?: string }) =>
  ({ DeletionPolicy: r.DeletionPolicy, UpdateReplacePolicy: r.UpdateReplacePolicy });
const RETAIN = { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' };

describe('data is kept on the EKS platform', () => {
  let resources: Resources;
  beforeAll(() => {
    resources = Template.fromStack(new EksPlatformStack(new App({ outdir: OUTDIR }), 'acme-eks', { platformName: 'acme' })).toJSON().Resources;
  });

  test('the gp3 StorageClass keeps volumes (reclaimPolicy Retain) by default, encrypted', () => {
    expect(storageClassOf(resources)).toMatchObject({ reclaimPolicy: 'Retain', parameters: { encrypted: 'true', type: 'gp3' } });
  });

  test('VolumeReclaimPolicy.DELETE is an explicit opt-out', () => {
    const r = Template.fromStack(new EksPlatformStack(new App({ outdir: OUTDIR }), 'x', { platformName: 'acme', volumeReclaimPolicy: VolumeReclaimPolicy.DELETE })).toJSON().Resources;
    expect(storageClassOf(r).reclaimPolicy).toBe('Delete');
  });

  test('the Secrets encryption key is retained on stack deletion and replacement (Secrets in etcd stay readable)', () => {
    const keys = ofType(resources, 'AWS::KMS::Key');
    expect(keys.length).toBeGreaterThan(0);
    for (const [id, key] of keys) expect({ id, ...retained(key) }).toEqual({ id, ...RETAIN });
    expect(keys.every(([, k]) => k.Properties.EnableKeyRotation === true)).toBe(true);
  });

  test('the control-plane (audit) log group is retained', () => {
    const groups = ofType(resources, 'AWS::Logs::LogGroup').filter(([, g]) => JSON.stringify(g.Properties.LogGroupName ?? '').includes('/aws/eks/'));
    expect(groups).toHaveLength(1);
    expect(retained(groups[0][1])).toEqual(RETAIN);
  });

  test('the cluster has deletion protection', () => {
    expect(ofType(resources, 'AWS::EKS::Cluster')[0][1].Properties.DeletionProtection).toBe(true);
  });
});

describe('stateful workloads keep their volume claims', () => {
  const claims = (retention?: ClaimRetentionPolicy) => {
    const chart = new PlatformChart(Testing.app(), 'db', { traits: ClusterTraits.eks({ vpcCidr: '10.0.0.0/16' }) });
    new StatefulService(chart, 'pg', { image: 'postgres:16.4', ports: [{ name: 'pg', port: 5432 }], volumes: [{ name: 'data', mountPath: '/var/lib/postgresql', size: Size.gibibytes(20) }], claimRetention: retention });
    return Testing.synth(chart).find(o => o.kind === 'StatefulSet').spec;
  };

  test('StatefulSet claims are retained when deleted and when scaled down, by default', () => {
    const spec = claims();
    expect(spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(spec.volumeClaimTemplates[0].spec.storageClassName).toBe('gp3');
  });

  test('deleting data needs an explicitly named policy', () => {
    expect(claims(ClaimRetentionPolicy.deleteDataAlways()).persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Delete', whenScaled: 'Delete' });
  });
});

describe('data is kept on the self-managed (k3s) platform', () => {
  let resources: Resources;
  let stack: SelfManagedPlatformStack;
  let cluster: K3sCluster;
  beforeAll(() => {
    stack = selfManagedApp('k3s', {}, { outdir: OUTDIR }).stack;
    if (!(stack.cluster instanceof K3sCluster)) throw new Error(`expected a K3sCluster, got ${stack.cluster.constructor.name}`);
    cluster = stack.cluster;
    resources = Template.fromStack(stack).toJSON().Resources;
  });
  const byConstruct = (c: IConstruct) => resources[stack.getLogicalId(c.node.defaultChild as CfnElement)];

  test('the server and agent token secrets are retained (a restored snapshot needs the server token)', () => {
    expect(retained(byConstruct(cluster.serverToken))).toEqual(RETAIN);
    expect(retained(byConstruct(cluster.agentToken))).toEqual(RETAIN);
  });

  test('the etcd snapshot bucket is retained, versioned and encrypted', () => {
    const bucket = byConstruct(cluster.snapshotBucket);
    expect(retained(bucket)).toEqual(RETAIN);
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.Properties.BucketEncryption).toBeDefined();
  });

  test('every KMS key and S3 bucket of the stack is retained', () => {
    for (const [id, r] of [...ofType(resources, 'AWS::KMS::Key'), ...ofType(resources, 'AWS::S3::Bucket')]) expect({ id, ...retained(r) }).toEqual({ id, ...RETAIN });
  });

  test('node root volumes are encrypted gp3', () => {
    for (const [, lt] of ofType(resources, 'AWS::EC2::LaunchTemplate')) {
      for (const m of lt.Properties.LaunchTemplateData.BlockDeviceMappings) expect(m.Ebs).toMatchObject({ Encrypted: true, VolumeType: 'gp3' });
    }
  });
});
