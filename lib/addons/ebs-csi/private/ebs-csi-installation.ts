import { Construct } from 'constructs';
import type { IPlatformCluster } from '../../../clusters/platform-cluster';
import type { EbsCsiAddOn } from '../ebs-csi-add-on';

/** The id of the add-on's constructs under its cluster. */
export const EBS_CSI_SCOPE_ID = 'EbsCsiAddOn';

/** The add-on's constructs on its cluster; it also tells which add-on object installed them ({@link ebsCsiInstalledOn}). */
export class EbsCsiInstallation extends Construct {
  constructor(scope: Construct, id: string, public readonly addOn: EbsCsiAddOn) {
    super(scope, id);
  }
}

/**
 * The EbsCsiAddOn installed on `cluster`, if any. Kept apart from the add-on so that what only asks (the
 * volume backups, on every cluster kind) does not load the self-managed clusters' modules into an EKS app.
 */
export function ebsCsiInstalledOn(cluster: IPlatformCluster): EbsCsiAddOn | undefined {
  const installation = cluster.node.tryFindChild(EBS_CSI_SCOPE_ID);
  return installation instanceof EbsCsiInstallation ? installation.addOn : undefined;
}
