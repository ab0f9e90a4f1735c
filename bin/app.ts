#!/usr/bin/env node
/**
 * The bundled platform: `npx cdk synth` synthesizes `<name>-eks` (EKS) and `<name>-k3s` (three EC2 nodes
 * running k3s), each carrying the sample workloads from charts/samples.ts. No AWS account is needed to
 * synthesize; `cdk deploy <name>-eks` or `cdk deploy <name>-k3s` deploys one of them.
 *
 * Context (cdk.json or `-c key=value`):
 * - `platformName`: prefix of the stack names and name of the EKS platform (default `demo`; the self-managed
 *   platform is `<name>-k3s` or `<name>-kubeadm`, so both stacks can be deployed to one account and region).
 * - `eksPlatformName`, `selfManagedPlatformName`: other names for the two platforms (keep the name of a platform
 *   deployed under an earlier default).
 * - `selfManagedDistribution`: `k3s` (default, stack `<name>-k3s`) or `kubeadm` (stack `<name>-kubeadm`).
 * - `observability`: `true` installs the Observability add-on (Prometheus, Alertmanager, Grafana) on the EKS
 *   stack and the self-managed one, k3s or kubeadm (default off, so the templates do not change).
 * - `logsRegion`: with `observability`, also ships the self-managed stack's container logs to CloudWatch Logs with
 *   Fluent Bit in that region (the stacks are environment-agnostic, and Fluent Bit's configuration is a
 *   manifest), and turns on the CloudWatch observability add-on on EKS.
 *
 * The ReplacementGuard compares every synthesis with platform.lock.json (committed) and fails when a change
 * would replace the VPC, the cluster, a node group or a server; see docs/security.md to accept one.
 */
import { Annotations, App as CdkApp } from 'aws-cdk-lib';
import { App as Cdk8sApp } from 'cdk8s';
import { sampleWorkloads } from '../charts/samples';
import {
  CloudWatchObservability, EksPlatformStack, FluentBitLogs, IPlatformAddOn, K3sVersion, KubeadmVersion, Observability, ReplacementGuard,
  SelfManagedDistribution, SelfManagedPlatformStack,
} from '../lib';

const app = new CdkApp();
const platformName: string = app.node.tryGetContext('platformName') ?? 'demo';
const distribution: string = app.node.tryGetContext('selfManagedDistribution') ?? 'k3s';
if (distribution !== 'k3s' && distribution !== 'kubeadm') {
  throw new Error(`Context selfManagedDistribution is "${distribution}": use "k3s" (the default) or "kubeadm".`);
}
const observability = ['true', true].includes(app.node.tryGetContext('observability') ?? false);
const logsRegion: string | undefined = app.node.tryGetContext('logsRegion');
const eksAddOns: IPlatformAddOn[] = observability ? [new Observability(), ...(logsRegion ? [new CloudWatchObservability()] : [])] : [];
const selfManagedAddOns: IPlatformAddOn[] = observability
  ? [new Observability(), ...(logsRegion ? [new FluentBitLogs({ region: logsRegion })] : [])]
  : [];

// Each platform its own name (its EKS cluster, backup vault and secrets prefix are made from it): both stacks
// may be deployed to one account and region. eksPlatformName / selfManagedPlatformName override them.
const eks = new EksPlatformStack(app, `${platformName}-eks`, {
  platformName: app.node.tryGetContext('eksPlatformName') ?? platformName,
  description: `${platformName}: VPC, EKS cluster with pinned add-ons, and the sample workloads (cdk-k8s-platform)`,
  ...(eksAddOns.length ? { addOns: eksAddOns } : {}),
});
eks.cluster.addWorkloads('samples', sampleWorkloads(new Cdk8sApp(), eks.cluster.traits));

// kubeadm is its own stack (demo-kubeadm): switching a deployed demo-k3s to kubeadm would replace its servers.
const selfManaged = new SelfManagedPlatformStack(app, `${platformName}-${distribution}`, {
  platformName: app.node.tryGetContext('selfManagedPlatformName') ?? `${platformName}-${distribution}`,
  // The demo moves one Kubernetes minor version per release of the library, so that a deployed demo never
  // skips one (its committed lock file cannot stop that): 1.33 before, 1.34 now, then 1.35 and the default.
  distribution: distribution === 'kubeadm'
    ? SelfManagedDistribution.kubeadm({ version: KubeadmVersion.V1_34_12 })
    : SelfManagedDistribution.k3s({ version: K3sVersion.V1_34_12 }),
  description: `${platformName}: VPC and a three-node ${distribution} cluster with the sample workloads (cdk-k8s-platform)`,
  ...(selfManagedAddOns.length ? { addOns: selfManagedAddOns } : {}),
});
Annotations.of(selfManaged.cluster).acknowledgeWarning('cdk-k8s-platform:kubernetesVersionEndOfLife',
  'The bundled demo is on its way to the default release, one minor version per library release (1.35 next).');
selfManaged.cluster.addWorkloads('samples', sampleWorkloads(new Cdk8sApp(), selfManaged.cluster.traits));

// Last, so it sees every stack.
new ReplacementGuard(app, 'ReplacementGuard', { lockFile: `${__dirname}/../platform.lock.json` });

app.synth();
