/** A pod security context that passes Pod Security restricted (non-root, RuntimeDefault seccomp). */
export function restrictedPod(user: number, fsGroup = user): Record<string, unknown> {
  return { runAsNonRoot: true, runAsUser: user, runAsGroup: user, fsGroup, seccompProfile: { type: 'RuntimeDefault' } };
}

/** A container security context that passes Pod Security restricted. */
export const RESTRICTED_CONTAINER: Record<string, unknown> = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};
