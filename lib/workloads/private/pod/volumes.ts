import { SecretFiles, SharedVolume, SharedVolumeMount } from '../../workload-props';
import { k8s } from '../plus';
import { sizeQuantity } from '../quantity';
import { PropValidator } from '../validate';
import { PodVolumes } from './types';

/** `secretFiles`: existing Secrets mounted read-only (mode 0440). Adds each Secret name to `secretNames`. */
export function buildSecretFiles(v: PropValidator, files: SecretFiles[] | undefined, secretNames: string[]): PodVolumes {
  const volumes: k8s.Volume[] = [];
  const mounts: k8s.VolumeMount[] = [];
  (files ?? []).forEach((s, i) => {
    v.dnsSubdomain(`secretFiles[${i}].secretName`, s.secretName);
    const mountPath = v.absolutePath(`secretFiles[${i}].mountPath`, s.mountPath);
    secretNames.push(s.secretName);
    volumes.push({ name: `secret-${i}`, secret: { secretName: s.secretName, defaultMode: 0o440 } });
    mounts.push({ name: `secret-${i}`, mountPath, readOnly: true });
  });
  return { volumes, mounts };
}

/** `writablePaths`: one emptyDir each (the root filesystem is read-only), named `<prefix>-<i>`. */
export function buildWritablePaths(v: PropValidator, paths: string[] | undefined, prefix = 'writable'): PodVolumes {
  const volumes: k8s.Volume[] = [];
  const mounts: k8s.VolumeMount[] = [];
  if (paths !== undefined) v.check(Array.isArray(paths), 'writablePaths', paths, 'must be a list of absolute paths.');
  (paths ?? ['/tmp']).forEach((p, i) => {
    v.absolutePath(`writablePaths[${i}]`, p);
    volumes.push({ name: `${prefix}-${i}`, emptyDir: {} });
    mounts.push({ name: `${prefix}-${i}`, mountPath: p });
  });
  return { volumes, mounts };
}

/** `sharedVolumes`: one emptyDir each, with its size limit and medium. */
export function buildSharedVolumes(v: PropValidator, shared: SharedVolume[] | undefined): k8s.Volume[] {
  if (shared === undefined) return [];
  v.check(Array.isArray(shared), 'sharedVolumes', shared, 'must be a list of volumes.');
  const volumes = shared.map((s, i): k8s.Volume => {
    v.dnsLabel(`sharedVolumes[${i}].name`, s?.name);
    v.check(!RESERVED_VOLUME.test(s.name), `sharedVolumes[${i}].name`, s.name,
      'is reserved for the pod\'s own volumes (config, secret-N, writable-N, <container>-writable-N): choose another name such as "shared".');
    const limit = s.sizeLimit === undefined ? undefined : sizeQuantity(v, `sharedVolumes[${i}].sizeLimit`, s.sizeLimit).quantity;
    if (s.inMemory) {
      v.check(limit !== undefined, `sharedVolumes[${i}].inMemory`, true, 'needs sizeLimit: a memory-backed volume without a limit can fill the node\'s memory. Give sizeLimit (e.g. Size.mebibytes(64)).');
    }
    return { name: s.name, emptyDir: { medium: s.inMemory ? 'Memory' : undefined, sizeLimit: limit === undefined ? undefined : k8s.Quantity.fromString(limit) } };
  });
  v.unique('sharedVolumes[].name', shared.map(s => s.name), 'volume name');
  return volumes;
}

/** Volume names the pod template uses for its own volumes. */
export const RESERVED_VOLUME = /^(config|secret-\d+|writable-\d+|.+-writable-\d+)$/;

/** A container's mounts of the shared volumes (each volume once per container). */
export function sharedMounts(v: PropValidator, mounts: SharedVolumeMount[] | undefined, shared: SharedVolume[] | undefined): PodVolumes {
  if (mounts === undefined) return { volumes: [], mounts: [] };
  v.check(Array.isArray(mounts), 'volumeMounts', mounts, 'must be a list of { volume, mountPath } mounts.');
  const names = (shared ?? []).map(s => s.name);
  const out = mounts.map((m, i): k8s.VolumeMount => {
    v.check(typeof m?.volume === 'string' && names.includes(m.volume), `volumeMounts[${i}].volume`, m?.volume,
      names.length ? `must name one of the pod's sharedVolumes (${names.join(', ')}).` : 'must name a volume of sharedVolumes, and the workload declares none: add it to sharedVolumes.');
    return { name: m.volume, mountPath: v.absolutePath(`volumeMounts[${i}].mountPath`, m.mountPath), readOnly: m.readOnly ? true : undefined };
  });
  v.unique('volumeMounts[].volume', mounts.map(m => m.volume), 'volume');
  return { volumes: [], mounts: out };
}

/** All volumes and mounts of the pod, in order; every mount path once. */
export function joinVolumes(v: PropValidator, parts: PodVolumes[], extraMounts: Array<{ name: string; mountPath: string }> | undefined): PodVolumes {
  const volumes = parts.flatMap(p => p.volumes);
  const mounts = parts.flatMap(p => p.mounts);
  for (const m of extraMounts ?? []) mounts.push({ name: m.name, mountPath: m.mountPath });
  v.unique('writablePaths', mounts.map(m => m.mountPath), 'mount path');
  return { volumes, mounts };
}
