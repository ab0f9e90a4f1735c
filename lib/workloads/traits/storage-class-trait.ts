import { VolumeAccessMode } from './volume-access-mode';

/**
 * What a cluster knows about one of its StorageClasses: the access modes its volumes can be mounted with and
 * whether the platform backs them up. A claim that asks a described class for a mode it cannot serve is
 * refused at synth time (it would stay Pending forever); a class the traits do not describe is not checked.
 */
export interface StorageClassTrait {
  /** The StorageClass name (e.g. gp3, local-path, efs). */
  readonly name: string;
  /** The access modes its volumes can be mounted with. */
  readonly accessModes: VolumeAccessMode[];
  /**
   * The platform backs up every volume of this class on a schedule (e.g. AWS Backup selecting the EBS
   * volumes by the tag the class puts on them).
   * @default false
   */
  readonly backedUp?: boolean;
  /**
   * Its volumes live on one node's disk: they are lost with the node (k3s/kubeadm local-path).
   * @default false
   */
  readonly nodeLocal?: boolean;
  /**
   * The CSI driver that provisions its volumes (the StorageClass's `provisioner`, e.g. `ebs.csi.aws.com`, or
   * EKS Auto Mode's `ebs.csi.eks.amazonaws.com`). A static volume such as a `RestoredVolume` must name the
   * same driver, or it is never attached.
   * @default - not described: not checked
   */
  readonly provisioner?: string;
}
