/*
 * Pod Security Standards "restricted" (baseline + restricted rows), field by field as in
 * /work/shared/reference/pod-security.md (the pod-security-admission `policy/check_*.go` checks), plus two
 * project rules: no service-account token mounted, read-only root filesystem.
 */
import { ContainerRef, Findings, Json, ManifestCheckOptions, PodTemplate, asArray, containersOf, isObject, show } from './model';

const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP',
  'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
]);
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes', 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem',
]);
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
const RESTRICTED_VOLUME_TYPES = new Set([
  'configMap', 'downwardAPI', 'emptyDir', 'projected', 'secret', 'csi', 'persistentVolumeClaim', 'ephemeral', 'image',
]);
const SECCOMP_RESTRICTED = new Set(['RuntimeDefault', 'Localhost']);

export function checkPodSecurity(t: PodTemplate, f: Findings, options: ManifestCheckOptions): void {
  const o = t.owner;
  const spec = t.spec ?? {};
  const sp = t.specPath;
  const podSc = isObject(spec.securityContext) ? spec.securityContext : {};
  const containers = containersOf(spec, sp);

  // ---------- baseline
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) {
    if (spec[field] === true) f.add('pss/host-namespaces', o, `${sp}.${field}`, `${field} is true: restricted pods must not share host namespaces; remove it.`);
  }
  for (const c of containers) {
    const sc = c.container?.securityContext ?? {};
    if (sc.privileged === true) f.add('pss/privileged', o, `${c.path}.securityContext.privileged`, `container "${c.container.name}" is privileged: set privileged to false or remove it.`);
    asArray(sc.capabilities?.add).forEach((cap, i) => {
      if (!BASELINE_CAPABILITIES.has(cap)) {
        f.add('pss/capabilities-baseline', o, `${c.path}.securityContext.capabilities.add[${i}]`, `container "${c.container.name}" adds capability ${show(cap)}, which baseline forbids.`);
      }
    });
    asArray(c.container?.ports).forEach((p, i) => {
      if (p?.hostPort !== undefined && p.hostPort !== 0) f.add('pss/host-ports', o, `${c.path}.ports[${i}].hostPort`, `container "${c.container.name}" uses hostPort ${show(p.hostPort)}: remove it and expose the port with a Service.`);
    });
    checkAppArmor(sc.appArmorProfile, `${c.path}.securityContext.appArmorProfile`, t, f);
    checkSeLinux(sc.seLinuxOptions, `${c.path}.securityContext.seLinuxOptions`, t, f);
    if (sc.procMount !== undefined && sc.procMount !== 'Default') f.add('pss/proc-mount', o, `${c.path}.securityContext.procMount`, `container "${c.container.name}" sets procMount ${show(sc.procMount)}: only Default is allowed.`);
    if (sc.seccompProfile?.type === 'Unconfined') f.add('pss/seccomp-baseline', o, `${c.path}.securityContext.seccompProfile.type`, `container "${c.container.name}" sets seccomp Unconfined: use RuntimeDefault.`);
    checkProbeHosts(c, t, f);
  }
  asArray(spec.volumes).forEach((v, i) => {
    if (v?.hostPath !== undefined) f.add('pss/host-path', o, `${sp}.volumes[${i}].hostPath`, `volume "${v.name}" is a hostPath volume, which baseline forbids.`);
  });
  checkAppArmor(podSc.appArmorProfile, `${sp}.securityContext.appArmorProfile`, t, f);
  for (const [key, value] of Object.entries(t.annotations)) {
    if (key.startsWith('container.apparmor.security.beta.kubernetes.io/') && value !== 'runtime/default' && !String(value).startsWith('localhost/')) {
      f.add('pss/apparmor', o, `${t.metaPath}.annotations[${JSON.stringify(key)}]`, `AppArmor annotation is ${show(value)}: only runtime/default or localhost/* are allowed.`);
    }
  }
  checkSeLinux(podSc.seLinuxOptions, `${sp}.securityContext.seLinuxOptions`, t, f);
  if (podSc.seccompProfile?.type === 'Unconfined') f.add('pss/seccomp-baseline', o, `${sp}.securityContext.seccompProfile.type`, 'pod sets seccomp Unconfined: use RuntimeDefault.');
  asArray(podSc.sysctls).forEach((s, i) => {
    if (!SAFE_SYSCTLS.has(s?.name)) f.add('pss/sysctls', o, `${sp}.securityContext.sysctls[${i}].name`, `sysctl ${show(s?.name)} is not in the safe set allowed by baseline.`);
  });

  // ---------- restricted
  asArray(spec.volumes).forEach((v, i) => {
    const types = Object.keys(v ?? {}).filter(k => k !== 'name');
    for (const type of types) {
      if (!RESTRICTED_VOLUME_TYPES.has(type)) {
        f.add('pss/volume-types', o, `${sp}.volumes[${i}].${type}`, `volume "${v.name}" has type ${type}: restricted allows only ${[...RESTRICTED_VOLUME_TYPES].join(', ')}.`);
      }
    }
  });
  if (podSc.runAsNonRoot === false) f.add('pss/run-as-non-root', o, `${sp}.securityContext.runAsNonRoot`, 'pod sets runAsNonRoot false: set it to true.');
  if (podSc.runAsUser === 0) f.add('pss/run-as-user', o, `${sp}.securityContext.runAsUser`, 'pod runs as user 0 (root): use a non-zero runAsUser.');
  const podSeccomp = podSc.seccompProfile?.type;
  if (podSeccomp !== undefined && !SECCOMP_RESTRICTED.has(podSeccomp) && podSeccomp !== 'Unconfined') {
    f.add('pss/seccomp', o, `${sp}.securityContext.seccompProfile.type`, `pod seccomp profile is ${show(podSeccomp)}: use RuntimeDefault or Localhost.`);
  }
  for (const c of containers) {
    const name = c.container?.name;
    const sc = c.container?.securityContext ?? {};
    const scPath = `${c.path}.securityContext`;
    if (sc.allowPrivilegeEscalation !== false) {
      f.add('pss/privilege-escalation', o, `${scPath}.allowPrivilegeEscalation`, `container "${name}" has allowPrivilegeEscalation ${show(sc.allowPrivilegeEscalation)}: it must be set to false explicitly.`);
    }
    if (sc.runAsNonRoot === false) {
      f.add('pss/run-as-non-root', o, `${scPath}.runAsNonRoot`, `container "${name}" sets runAsNonRoot false: set it to true.`);
    } else if (sc.runAsNonRoot !== true && podSc.runAsNonRoot !== true) {
      f.add('pss/run-as-non-root', o, `${scPath}.runAsNonRoot`, `container "${name}" may run as root: set runAsNonRoot true on the pod or on every container.`);
    }
    if (sc.runAsUser === 0) f.add('pss/run-as-user', o, `${scPath}.runAsUser`, `container "${name}" runs as user 0 (root): use a non-zero runAsUser.`);
    const type = sc.seccompProfile?.type;
    if (type !== undefined) {
      // Unconfined is reported by pss/seccomp-baseline.
      if (!SECCOMP_RESTRICTED.has(type) && type !== 'Unconfined') f.add('pss/seccomp', o, `${scPath}.seccompProfile.type`, `container "${name}" seccomp profile is ${show(type)}: use RuntimeDefault or Localhost.`);
    } else if (!SECCOMP_RESTRICTED.has(podSeccomp)) {
      f.add('pss/seccomp', o, `${scPath}.seccompProfile.type`, `container "${name}" has no seccomp profile: set seccompProfile.type RuntimeDefault on the pod or on every container.`);
    }
    const drop: string[] = asArray(sc.capabilities?.drop);
    if (!drop.includes('ALL')) f.add('pss/capabilities', o, `${scPath}.capabilities.drop`, `container "${name}" does not drop ALL capabilities (drop is ${show(sc.capabilities?.drop)}): add "ALL".`);
    asArray(sc.capabilities?.add).forEach((cap, i) => {
      if (cap !== 'NET_BIND_SERVICE') f.add('pss/capabilities', o, `${scPath}.capabilities.add[${i}]`, `container "${name}" adds capability ${show(cap)}: restricted allows only NET_BIND_SERVICE.`);
    });
  }

  // ---------- project rules (not PSS)
  if (spec.automountServiceAccountToken !== false && !tokenAllowed(t, options)) {
    f.add('project/automount-token', o, `${sp}.automountServiceAccountToken`, `automountServiceAccountToken is ${show(spec.automountServiceAccountToken)}: set it to false unless the pod calls the Kubernetes API.`);
  }
  if (options.requireReadOnlyRootFilesystem !== false) {
    for (const c of containers) {
      if (c.container?.securityContext?.readOnlyRootFilesystem !== true) {
        f.add('project/read-only-root-fs', o, `${c.path}.securityContext.readOnlyRootFilesystem`, `container "${c.container?.name}" has a writable root filesystem: set readOnlyRootFilesystem true and mount emptyDir volumes where it writes.`);
      }
    }
  }
}

function tokenAllowed(t: PodTemplate, options: ManifestCheckOptions): boolean {
  const allow = options.allowServiceAccountToken;
  if (allow === true) return true;
  if (!Array.isArray(allow)) return false;
  const o = t.owner;
  return allow.includes(o.name) || allow.includes(o.id) || allow.includes(`${o.kind}/${o.name}`);
}

function checkAppArmor(profile: Json, path: string, t: PodTemplate, f: Findings): void {
  const type = profile?.type;
  if (type !== undefined && type !== 'RuntimeDefault' && type !== 'Localhost') {
    f.add('pss/apparmor', t.owner, `${path}.type`, `AppArmor profile is ${show(type)}: only RuntimeDefault or Localhost are allowed.`);
  }
}

function checkSeLinux(opts: Json, path: string, t: PodTemplate, f: Findings): void {
  if (!isObject(opts)) return;
  if (opts.type !== undefined && !SELINUX_TYPES.has(opts.type)) f.add('pss/selinux', t.owner, `${path}.type`, `SELinux type ${show(opts.type)} is not allowed: use container_t, container_init_t or container_kvm_t.`);
  for (const k of ['user', 'role']) {
    if (opts[k] !== undefined && opts[k] !== '') f.add('pss/selinux', t.owner, `${path}.${k}`, `SELinux ${k} must not be set (got ${show(opts[k])}).`);
  }
}

function checkProbeHosts(c: ContainerRef, t: PodTemplate, f: Findings): void {
  const handlers: Array<[string, Json]> = [
    ['livenessProbe', c.container?.livenessProbe], ['readinessProbe', c.container?.readinessProbe],
    ['startupProbe', c.container?.startupProbe], ['lifecycle.postStart', c.container?.lifecycle?.postStart],
    ['lifecycle.preStop', c.container?.lifecycle?.preStop],
  ];
  for (const [where, h] of handlers) {
    for (const kind of ['httpGet', 'tcpSocket']) {
      const host = h?.[kind]?.host;
      if (host !== undefined && host !== '') {
        f.add('pss/probe-host', t.owner, `${c.path}.${where}.${kind}.host`, `container "${c.container.name}" ${where} targets host ${show(host)}: remove host so it probes the pod itself.`);
      }
    }
  }
}
