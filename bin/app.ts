#!/usr/bin/env node
/**
 * The bundled platform: `npx cdk synth` synthesizes `<name>-eks` (EKS) and `<name>-k3s` (three EC2 nodes
 * running k3s), each carrying the sample workloads from charts/samples.ts. No AWS account is needed to
 * synthesize; `cdk deploy <name>-eks` or `cdk deploy <name>-k3s` deploys one of them.
 *
 * Context (cdk.json or `-c key=value`):
 * - `platformName`: prefix of the stack and cluster names (default `demo`).
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
import { App as CdkApp } from 'aws-cdk-lib';
import { App as Cdk8sApp } from 'cdk8s';
import { sampleWorkloads } from '../charts/samples';
import {
  CloudWatchObservability, EksPlatformStack, FluentBitLogs, IPlatformAddOn, Observability, ReplacementGuard, SelfManagedDistribution, SelfManagedPlatformStack,
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

const eks = new EksPlatformStack(app, `${platformName}-eks`, {
  platformName,
  description: `${platformName}: VPC, EKS cluster with pinned add-ons, and the sample workloads (cdk-k8s-platform)`,
  ...(eksAddOns.length ? { addOns: eksAddOns } : {}),
});
eks.cluster.addWorkloads('samples', sampleWorkloads(new Cdk8sApp(), eks.cluster.traits));

// kubeadm is its own stack (demo-kubeadm): switching a deployed demo-k3s to kubeadm would replace its servers.
const selfManaged = new SelfManagedPlatformStack(app, `${platformName}-${distribution}`, {
  platformName,
  distribution: distribution === 'kubeadm' ? SelfManagedDistribution.kubeadm() : SelfManagedDistribution.k3s(),
  description: `${platformName}: VPC and a three-node ${distribution} cluster with the sample workloads (cdk-k8s-platform)`,
  ...(selfManagedAddOns.length ? { addOns: selfManagedAddOns } : {}),
});
selfManaged.cluster.addWorkloads('samples', sampleWorkloads(new Cdk8sApp(), selfManaged.cluster.traits));

// Last, so it sees every stack.
new ReplacementGuard(app, 'ReplacementGuard', { lockFile: `${__dirname}/../platform.lock.json` });

app.synth();
