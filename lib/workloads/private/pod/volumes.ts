import { SecretFiles } from '../../workload-props';
import { k8s } from '../plus';
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

/** `writablePaths`: one emptyDir each (the root filesystem is read-only). */
export function buildWritablePaths(v: PropValidator, paths: string[] | undefined): PodVolumes {
  const volumes: k8s.Volume[] = [];
  const mounts: k8s.VolumeMount[] = [];
  (paths ?? ['/tmp']).forEach((p, i) => {
    v.absolutePath(`writablePaths[${i}]`, p);
    volumes.push({ name: `writable-${i}`, emptyDir: {} });
    mounts.push({ name: `writable-${i}`, mountPath: p });
  });
  return { volumes, mounts };
}

/** All volumes and mounts of the pod, in order; every mount path once. */
export function joinVolumes(v: PropValidator, parts: PodVolumes[], extraMounts: Array<{ name: string; mountPath: string }> | undefined): PodVolumes {
  const volumes = parts.flatMap(p => p.volumes);
  const mounts = parts.flatMap(p => p.mounts);
  for (const m of extraMounts ?? []) mounts.push({ name: m.name, mountPath: m.mountPath });
  v.unique('writablePaths', mounts.map(m => m.mountPath), 'mount path');
  return { volumes, mounts };
}
