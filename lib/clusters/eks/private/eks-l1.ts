import type * as eksL1 from 'aws-cdk-lib/aws-eks';
import * as eks from 'aws-cdk-lib/aws-eks-v2';

/** The EKS L1 classes the library creates itself. */
export interface EksL1Classes {
  readonly CfnAccessEntry: typeof eksL1.CfnAccessEntry;
  readonly CfnAddon: typeof eksL1.CfnAddon;
  readonly CfnPodIdentityAssociation: typeof eksL1.CfnPodIdentityAssociation;
}

/**
 * The EKS L1 classes of the aws-cdk-lib the app runs. Recent aws-cdk-lib releases export them from aws-eks-v2,
 * whose `Cluster` has already loaded their module; older releases of the peer range (2.261.0 at the floor) only
 * from aws-eks, a second 215 kB module (where `eks.CfnAccessEntry` of aws-eks-v2 is undefined). The classes write
 * the same resources either way. The public types stay aws-eks's, which every release of the range has; with a
 * recent aws-cdk-lib the objects are aws-eks-v2's classes, so `instanceof` aws-eks's class does not match them
 * (`CfnPodIdentityAssociation.isCfnPodIdentityAssociation` does).
 */
export function eksL1Classes(): EksL1Classes {
  const v2 = eks as unknown as Partial<EksL1Classes>;
  if (v2.CfnAccessEntry !== undefined && v2.CfnAddon !== undefined && v2.CfnPodIdentityAssociation !== undefined) return v2 as EksL1Classes;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('aws-cdk-lib/aws-eks') as EksL1Classes;
}
