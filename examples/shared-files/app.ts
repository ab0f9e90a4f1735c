/**
 * Shared files on EKS and k3s: the EFS add-on (an encrypted, backed-up EFS file system and its StorageClass
 * `efs`) and a StatefulService of two replicas that mounts one ReadWriteMany volume each on EFS; on EKS also the
 * daily AWS Backup of the gp3 volumes (VolumeBackupAddOn). On gp3 or local-path, ReadWriteMany is refused at
 * synth (docs/storage.md).
 *
 *   npx cdk --app "npx tsx examples/shared-files/app.ts" deploy files-eks files-k3s
 */
import { App } from 'aws-cdk-lib';
import { App as Cdk8sApp, Size } from 'cdk8s';
import { ClusterTraits, EksPlatformStack, PlatformChart, PlatformNamespace, SelfManagedPlatformStack, StatefulService, VolumeAccessMode } from '../../lib';
import { VolumeBackupAddOn } from '../../lib/addons/backup';
import { EfsAddOn } from '../../lib/addons/efs';

/** The workloads: a file server whose pods share one EFS volume each (an access point per claim). */
export function files(app: Cdk8sApp, traits: ClusterTraits): PlatformChart {
  const chart = new PlatformChart(app, 'files', { traits, namespace: 'files' });
  new PlatformNamespace(chart, 'files-namespace', { name: 'files', defaultDenyIngress: true });
  new StatefulService(chart, 'uploads', {
    image: 'nginxinc/nginx-unprivileged:1.27.3-alpine',
    ports: [{ name: 'http', port: 80, targetPort: 8080 }],
    replicas: 2,
    runAsUser: 101,
    runAsGroup: 101,
    writablePaths: ['/tmp', '/var/cache/nginx'],
    healthCheckPath: '/',
    volumes: [{
      name: 'shared',
      mountPath: '/usr/share/nginx/html',
      size: Size.gibibytes(5),
      storageClassName: 'efs',
      accessMode: VolumeAccessMode.READ_WRITE_MANY,
    }],
  });
  return chart;
}

/** Adds the `files-eks` and `files-k3s` stacks to `app`. */
export function build(app: App): { eks: EksPlatformStack; k3s: SelfManagedPlatformStack; charts: PlatformChart[] } {
  const eks = new EksPlatformStack(app, 'files-eks', { platformName: 'files', addOns: [new EfsAddOn(), new VolumeBackupAddOn()] });
  const k3s = new SelfManagedPlatformStack(app, 'files-k3s', { platformName: 'files-k3s', addOns: [new EfsAddOn()] });
  const charts = [files(new Cdk8sApp(), eks.cluster.traits), files(new Cdk8sApp(), k3s.cluster.traits)];
  eks.cluster.addWorkloads('files', [charts[0]]);
  k3s.cluster.addWorkloads('files', [charts[1]]);
  return { eks, k3s, charts };
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
