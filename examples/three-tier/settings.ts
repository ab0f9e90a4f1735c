/**
 * The settings of the three-tier examples that depend on your AWS account: read from the CDK context
 * (`-c name=value` on the command line, or `context` in cdk.json), with example defaults so that the examples
 * synthesize anywhere without a lookup. Give your own before you deploy:
 *
 *   npx cdk --app "node --import tsx examples/three-tier-eks/app.ts" -c zoneName=acme.com -c hostedZoneId=Z0ABC... \
 *     -c certificateArn=arn:aws:acm:eu-west-1:111122223333:certificate/... deploy shop-eks
 */
import { App } from 'aws-cdk-lib';

/** What the three-tier examples need from your account. */
export interface ShopSettings {
  /** Account and region of the stacks (concrete: role ARNs and the region go into manifests). */
  readonly env: { readonly account: string; readonly region: string };
  /** The Route 53 hosted zone of the shop's host (context `zoneName`, default `example.com`). */
  readonly zoneName: string;
  /** Its id (context `hostedZoneId`); no lookup at synth. */
  readonly hostedZoneId: string;
  /** The shop's public host, `shop.<zoneName>` (context `host` to change it; it must be in the zone). */
  readonly host: string;
  /** EKS: the ACM certificate of `host`, in the stack's region (context `certificateArn`). */
  readonly certificateArn: string;
  /** k3s: the address Let's Encrypt writes to about expiring certificates (context `letsEncryptEmail`). */
  readonly letsEncryptEmail: string;
}

/** Example defaults: an account and hosted zone that are not yours (deploying with them fails, by design). */
export const EXAMPLE_SETTINGS = {
  account: '123456789012',
  region: 'eu-west-1',
  zoneName: 'example.com',
  hostedZoneId: 'Z0123456789ABCDEFGHIJ',
} as const;

/**
 * App context for the example account: its Availability Zones in the region the CLI passes (or the example
 * region), which a stack with a concrete `env` otherwise looks up (aws-cdk-lib's Vpc checks its zones against
 * the stack's), so that `cdk synth` works without AWS credentials. With credentials the account is yours, and
 * the CLI looks up its zones (cached in cdk.context.json), as for any CDK app with an `env`.
 */
export function exampleContext(region: string = process.env.CDK_DEFAULT_REGION ?? EXAMPLE_SETTINGS.region): Record<string, string[]> {
  return { [`availability-zones:account=${EXAMPLE_SETTINGS.account}:region=${region}`]: ['a', 'b', 'c'].map(z => `${region}${z}`) };
}

/**
 * The settings of `app`: the context first; the account and region the CDK CLI found in your credentials
 * (`CDK_DEFAULT_ACCOUNT`, `CDK_DEFAULT_REGION`) next; the example defaults last.
 */
export function shopSettings(app: App): ShopSettings {
  const context = (key: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(key);
    return value === undefined || value === null || value === '' ? undefined : String(value);
  };
  const account = context('account') ?? process.env.CDK_DEFAULT_ACCOUNT ?? EXAMPLE_SETTINGS.account;
  const region = context('region') ?? process.env.CDK_DEFAULT_REGION ?? EXAMPLE_SETTINGS.region;
  const zoneName = context('zoneName') ?? EXAMPLE_SETTINGS.zoneName;
  return {
    env: { account, region },
    zoneName,
    hostedZoneId: context('hostedZoneId') ?? EXAMPLE_SETTINGS.hostedZoneId,
    host: context('host') ?? `shop.${zoneName}`,
    certificateArn: context('certificateArn') ?? `arn:aws:acm:${region}:${account}:certificate/00000000-0000-4000-8000-000000000000`,
    // RFC 2142: a zone's hostmaster mailbox; Let's Encrypt refuses addresses at example.com, so give yours
    letsEncryptEmail: context('letsEncryptEmail') ?? `hostmaster@${zoneName}`,
  };
}
