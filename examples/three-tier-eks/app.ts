/**
 * The three-tier shop on EKS: a VPC, an EKS cluster with the AWS Load Balancer Controller, EBS CSI (gp3) and
 * the External Secrets Operator, and the shop's chart delivered by `cdk deploy`. The database password is
 * read from AWS Secrets Manager (`shop/postgres`, property `password`) at run time: create that secret
 * before deploying (`aws secretsmanager create-secret --name shop/postgres --secret-string '{"password":"..."}'`).
 *
 *   npx cdk --app "npx tsx examples/three-tier-eks/app.ts" deploy shop-eks
 */
import { App } from 'aws-cdk-lib';
import { App as Cdk8sApp } from 'cdk8s';
import { EksPlatformStack, SecretRef } from '../../lib';
import { VerticalPodAutoscalerAddOn } from '../../lib/addons/vpa';
import { shop, ThreeTierPlatform } from '../three-tier/shop';

/** Adds the `shop-eks` stack to `app`. */
export function build(app: App): ThreeTierPlatform<EksPlatformStack> {
  // the Vertical Pod Autoscaler makes the database's right-sizing recommendations
  const stack = new EksPlatformStack(app, 'shop-eks', { platformName: 'shop', addOns: [new VerticalPodAutoscalerAddOn()] });
  const chart = shop(new Cdk8sApp(), stack.cluster.traits, {
    // the cluster's External Secrets Operator may read secrets named `shop/...`
    databasePassword: SecretRef.fromAwsSecretsManager({ remoteName: 'shop/postgres', property: 'password' }),
    albGroup: 'shop', // web and api share one ALB
  });
  stack.cluster.addWorkloads('shop', [chart]);
  return { stack, charts: [chart] };
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
