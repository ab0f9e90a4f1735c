/** How a persistent volume may be mounted. A string enum; the value is the Kubernetes access mode. */
export enum VolumeAccessMode {
  /** Read-write by the pods of one node (block storage such as EBS; the usual choice). */
  READ_WRITE_ONCE = 'ReadWriteOnce',
  /** Read-write by a single pod. */
  READ_WRITE_ONCE_POD = 'ReadWriteOncePod',
  /** Read-only by many nodes. */
  READ_ONLY_MANY = 'ReadOnlyMany',
  /** Read-write by many nodes (needs a shared file system such as EFS). */
  READ_WRITE_MANY = 'ReadWriteMany',
}
