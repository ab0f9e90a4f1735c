/*
 * examples/shared-files: an EFS volume on EKS and on k3s (and AWS Backup of the gp3 volumes on EKS). Both
 * stacks synthesize; the workloads pass the manifest checker; the claims ask the efs class for ReadWriteMany.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { build } from '../../examples/shared-files/app';
import { ClusterTraits, synthesizeManifests, VolumeAccessMode } from '../../lib';
import { expectValidManifests } from '../support/k8s-check';

describe('examples/shared-files', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'shared-files-'));
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));
  const app = new App({ outdir });
  const { eks, k3s, charts } = build(app);
  app.synth();

  test.each([['EKS', 0], ['k3s', 1]])('%s: the claims ask the efs class for ReadWriteMany; the objects pass the checker', (_kind, i) => {
    const [manifest] = synthesizeManifests(charts[i]);
    expectValidManifests(manifest.objects);
    const set = manifest.objects.find(o => o.kind === 'StatefulSet') as unknown as { spec: { volumeClaimTemplates: Array<{ spec: unknown }> } };
    expect(set.spec.volumeClaimTemplates[0].spec).toMatchObject({ accessModes: ['ReadWriteMany'], storageClassName: 'efs' });
  });

  test('EKS: the file system, the driver and the backup plan; k3s: the file system and the driver\'s chart', () => {
    const e = Template.fromStack(eks);
    e.resourceCountIs('AWS::EFS::FileSystem', 1);
    e.resourceCountIs('AWS::Backup::BackupPlan', 1);
    e.hasResourceProperties('AWS::EKS::Addon', { AddonName: 'aws-efs-csi-driver' });
    Template.fromStack(k3s).resourceCountIs('AWS::EFS::FileSystem', 1);
    expect(k3s.addOns.efs).toBeDefined();
  });

  test('the add-on is what makes efs serve ReadWriteMany in the traits', () => {
    expect(k3s.cluster.traits.storageClassesServing(VolumeAccessMode.READ_WRITE_MANY)).toEqual(['efs']);
    expect(ClusterTraits.k3s().storageClassesServing(VolumeAccessMode.READ_WRITE_MANY)).toEqual([]);
  });
});
