/**
 * The three-tier shop on a three-node k3s cluster (Traefik ingress, local-path volumes). The database
 * password comes from a Kubernetes Secret `postgres` (key `password`) that you create once with kubectl:
 * `kubectl -n shop create secret generic postgres --from-literal=password=...`.
 *
 * `local-path` keeps the database on the disk of the node that runs it: fine for a demo; use an EBS CSI
 * StorageClass (or EKS) for data that must survive the loss of a node.
 *
 *   npx cdk --app "npx tsx examples/three-tier-k3s/app.ts" deploy shop-k3s
 */
import { App } from 'aws-cdk-lib';
import { App as Cdk8sApp } from 'cdk8s';
import { SelfManagedPlatformStack, SecretRef } from '../../lib';
import { VerticalPodAutoscalerAddOn } from '../../lib/addons/vpa';
import { shop, ThreeTierPlatform } from '../three-tier/shop';

/** Adds the `shop-k3s` stack to `app`. */
export function build(app: App): ThreeTierPlatform<SelfManagedPlatformStack> {
  // the Vertical Pod Autoscaler makes the database's right-sizing recommendations
  const stack = new SelfManagedPlatformStack(app, 'shop-k3s', { platformName: 'shop', addOns: [new VerticalPodAutoscalerAddOn()] });
  const chart = shop(new Cdk8sApp(), stack.cluster.traits, {
    databasePassword: SecretRef.fromSecret('postgres', 'password'),
  });
  stack.cluster.addWorkloads('shop', [chart]);
  return { stack, charts: [chart] };
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
