/** The CSI driver of the aws-ebs-csi-driver (the EKS add-on, or the Helm chart on k3s and kubeadm). */
export const EBS_CSI_DRIVER = 'ebs.csi.aws.com';

/** The CSI driver of EKS Auto Mode's own block storage. */
export const EKS_AUTO_MODE_EBS_DRIVER = 'ebs.csi.eks.amazonaws.com';
