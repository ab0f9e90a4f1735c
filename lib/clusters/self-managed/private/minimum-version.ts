import { ValidationError } from '../../../errors';

/**
 * The oldest Kubernetes minor version a self-managed cluster of this library runs: the workloads rely on
 * native sidecars and the add-on charts on APIs of 1.32 and later, and older releases get no upstream fixes.
 */
export const MINIMUM_SELF_MANAGED_MINOR = 32;

/** Refuses a release older than {@link MINIMUM_SELF_MANAGED_MINOR}, naming `kind`'s `of()` and an example. */
export function checkMinimumMinor(kind: string, version: string, minor: number, example: string): void {
  if (minor >= MINIMUM_SELF_MANAGED_MINOR) return;
  throw new ValidationError(`${kind}.of version is ${JSON.stringify(version)}: Kubernetes 1.${minor} is older than this library supports `
    + `(1.${MINIMUM_SELF_MANAGED_MINOR} or later: native sidecars, and the add-ons' APIs); pick a newer release such as ${JSON.stringify(example)}.`,
  { prop: 'version', value: version });
}
