import { ContainerWorkloadProps } from '../../workload-props';
import { k8s } from '../plus';
import { PropValidator } from '../validate';

/** Default uid/gid: a non-root id outside the range of system users. */
export const DEFAULT_USER = 10001;

/** The uid and gid the pod runs as. */
export interface PodIdentity {
  readonly runAsUser: number;
  readonly runAsGroup: number;
}

/** The uid and gid, validated (never root). */
export function resolveIdentity(v: PropValidator, props: ContainerWorkloadProps): PodIdentity {
  const runAsUser = props.runAsUser ?? DEFAULT_USER;
  const runAsGroup = props.runAsGroup ?? DEFAULT_USER;
  v.integer('runAsUser', runAsUser, 1, 2147483647, 'Pod Security "restricted" forbids uid 0');
  v.integer('runAsGroup', runAsGroup, 0, 2147483647);
  return { runAsUser, runAsGroup };
}

/** The container's security context: Pod Security "restricted", read-only root unless turned off. */
export function containerSecurityContext(id: PodIdentity, readOnlyRootFilesystem: boolean | undefined): k8s.SecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: id.runAsUser,
    runAsGroup: id.runAsGroup,
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: readOnlyRootFilesystem ?? true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** The pod's security context; volumes belong to the pod's group. */
export function podSecurityContext(id: PodIdentity): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: id.runAsUser,
    runAsGroup: id.runAsGroup,
    fsGroup: id.runAsGroup,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
