/**
 * The three-tier shop on EKS: a VPC, an EKS cluster with the AWS Load Balancer Controller, EBS CSI (gp3) and
 * the External Secrets Operator, external-dns for the shop's hosted zone, and the shop's charts delivered by
 * `cdk deploy`:
 *
 * - **identity**: the api runs as its own workload identity (an IAM role and an EKS Pod Identity association)
 *   that may read and write the carts table, and nothing else;
 * - **team**: the namespace `shop` belongs to the team `shop`; the IAM role `ShopDevelopersRoleArn` (an
 *   output) signs in as its `shop-developers` group, with `edit` in that namespace only (an access entry);
 * - **TLS**: one internet-facing ALB for web and api, HTTPS with the ACM certificate `certificateArn`, HTTP
 *   redirected to HTTPS;
 * - **DNS**: external-dns writes `shop.<zoneName>` (an alias to the ALB) in the hosted zone, and no other zone;
 * - **secrets**: the database password is read from AWS Secrets Manager by the External Secrets Operator
 *   through the namespace's own store, which reads only secrets named `shop/shop/...` (cluster `shop`,
 *   namespace `shop`).
 *
 * Before deploying, create the secret
 * (`aws secretsmanager create-secret --name shop/shop/postgres --secret-string '{"password":"..."}'`), an ACM
 * certificate for the host in the stack's region, and give your zone and certificate (three-tier/settings.ts):
 *
 *   npx cdk --app "node --import tsx examples/three-tier-eks/app.ts" \
 *     -c zoneName=acme.com -c hostedZoneId=Z0... -c certificateArn=arn:aws:acm:... deploy shop-eks
 */
import { App, CfnOutput } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { App as Cdk8sApp } from 'cdk8s';
import { EksPlatformStack, ExternalDns, SecretRef, Tls } from '../../lib';
import { VerticalPodAutoscalerAddOn } from '../../lib/addons/vpa';
import { cartsTable, cartsTableName } from '../three-tier/carts-table';
import { exampleContext, shopSettings } from '../three-tier/settings';
import { shop, ThreeTierPlatform } from '../three-tier/shop';

/** Adds the `shop-eks` stack to `app`. */
export function build(app: App): ThreeTierPlatform<EksPlatformStack> {
  const settings = shopSettings(app);
  // the Vertical Pod Autoscaler makes the database's right-sizing recommendations
  const stack = new EksPlatformStack(app, 'shop-eks', { platformName: 'shop', env: settings.env, addOns: [new VerticalPodAutoscalerAddOn()] });

  // records for the Ingress hosts, in this zone only (named, not looked up); install it before building the
  // charts: it adds the zone to the cluster's traits, so a host outside it is refused at synth
  const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { zoneName: settings.zoneName, hostedZoneId: settings.hostedZoneId });
  new ExternalDns({ hostedZones: [zone] }).install(stack.cluster);

  const carts = cartsTable(stack);
  const theShop = shop(new Cdk8sApp(), stack.cluster.traits, {
    // the namespace `shop` of cluster `shop` reads only the secrets named `shop/shop/...`
    databasePassword: SecretRef.fromAwsSecretsManager({ remoteName: 'shop/shop/postgres', property: 'password' }),
    cartsTable: cartsTableName(stack),
    host: settings.host,
    tls: Tls.acm(settings.certificateArn),
    internetFacing: true,
    albGroup: 'shop', // web and api share one ALB
    awsRegion: stack.region,
  });
  stack.cluster.addWorkloads('shop', theShop.charts);
  carts.grantReadWriteData(stack.cluster.workloadIdentity(theShop.apiIdentity));

  // the developers' role: edit in the namespace shop (an access entry), and describe the cluster for kubeconfig
  const developers = new iam.Role(stack, 'ShopDevelopers', {
    assumedBy: new iam.AccountRootPrincipal(),
    description: 'Shop developers: edit in the namespace shop of the EKS cluster shop',
  });
  developers.addToPolicy(new iam.PolicyStatement({ actions: ['eks:DescribeCluster'], resources: [stack.cluster.cluster.clusterArn] }));
  stack.addTeam(theShop.team, { iamRoles: { edit: [developers] } });
  new CfnOutput(stack, 'ShopDevelopersRoleArn', {
    value: developers.roleArn,
    description: 'Assume it, then: aws eks update-kubeconfig --name shop --role-arn <this ARN>; kubectl -n shop get pods',
  });
  return { stack, charts: theShop.charts, shop: theShop };
}

if (require.main === module) {
  const app = new App({ context: exampleContext() });
  build(app);
  app.synth();
}
