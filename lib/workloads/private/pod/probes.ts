import { Duration } from 'cdk8s';
import { Probe, ProbeTimings } from '../../probe';
import { k8s } from '../plus';
import { PropValidator } from '../validate';
import { ContainerPortSpec, PodTemplateInput } from './types';

/** Seconds of a Duration; fractions are kept so the integer check reports them (toSeconds() would throw). */
export function seconds(d: Duration | undefined, dflt: number): number {
  return d === undefined ? dflt : d.toMilliseconds() / 1000;
}

/** Builds one k8s probe with validation. */
export function buildProbe(v: PropValidator, prop: string, probe: Probe, ports: ContainerPortSpec[],
  defaults: Required<Pick<ProbeTimings, never>> & { period: number; failureThreshold: number }): k8s.Probe {
  const t = probe.timings;
  const period = seconds(t.period, defaults.period);
  const timeout = seconds(t.timeout, 3);
  const delay = seconds(t.initialDelay, 0);
  const failureThreshold = t.failureThreshold ?? defaults.failureThreshold;
  v.integer(`${prop}.period`, period, 1, 3600, 'seconds');
  v.integer(`${prop}.timeout`, timeout, 1, 3600, 'seconds');
  v.integer(`${prop}.initialDelay`, delay, 0, 3600, 'seconds');
  v.integer(`${prop}.failureThreshold`, failureThreshold, 1, 1000);
  v.check(timeout <= period, `${prop}.timeout`, `${timeout}s`, `must not exceed the period (${period}s): a probe that takes longer than its period overlaps itself.`);
  const timing = { periodSeconds: period, timeoutSeconds: timeout, initialDelaySeconds: delay || undefined, failureThreshold };
  const check = probe.check;
  const portFor = (name: string | undefined) => {
    if (ports.length === 0) v.fail(`${prop}.port`, name, 'the workload has no ports: use Probe.exec() or give the workload ports.');
    const p = name === undefined ? ports[0] : ports.find(x => x.name === name);
    if (!p) v.fail(`${prop}.port`, name, `no container port has this name; declared ports: ${ports.map(x => x.name).join(', ')}.`);
    return k8s.IntOrString.fromString(p.name);
  };
  switch (check.kind) {
    case 'http':
      v.check(check.path.startsWith('/') && !/\s/.test(check.path), `${prop}.path`, check.path, 'must be an absolute HTTP path such as "/healthz".');
      return { httpGet: { path: check.path, port: portFor(check.port), scheme: check.https ? 'HTTPS' : 'HTTP' }, ...timing };
    case 'tcp':
      return { tcpSocket: { port: portFor(check.port) }, ...timing };
    case 'exec':
      v.check(check.command.length > 0 && check.command.every(c => typeof c === 'string' && c.length > 0), `${prop}.command`, check.command, 'must be a non-empty list of non-empty strings.');
      return { exec: { command: check.command }, ...timing };
  }
}

function defaultProbe(ports: ContainerPortSpec[], healthCheckPath: string | undefined): Probe | undefined {
  if (ports.length === 0) return undefined;
  return healthCheckPath ? Probe.http(healthCheckPath) : Probe.tcp();
}

/** The readiness, liveness and startup probes: given ones, or defaults from the first port and the health path. */
export function resolveProbes(v: PropValidator, input: PodTemplateInput): Pick<k8s.Container, 'readinessProbe' | 'livenessProbe' | 'startupProbe'> {
  const ports = input.ports ?? [];
  const p = input.probes ?? {};
  if (input.healthCheckPath !== undefined) {
    v.check(input.healthCheckPath.startsWith('/') && !/\s/.test(input.healthCheckPath), 'healthCheckPath', input.healthCheckPath, 'must be an absolute HTTP path such as "/healthz".');
  }
  const dflt = defaultProbe(ports, input.healthCheckPath);
  const pick = (x: Probe | false | undefined) => x === false ? undefined : x ?? dflt;
  const readiness = pick(p.readiness);
  const liveness = pick(p.liveness);
  const startup = pick(p.startup);
  return {
    readinessProbe: readiness && buildProbe(v, 'probes.readiness', readiness, ports, { period: 10, failureThreshold: 3 }),
    livenessProbe: liveness && buildProbe(v, 'probes.liveness', liveness, ports, { period: 20, failureThreshold: 3 }),
    startupProbe: startup && buildProbe(v, 'probes.startup', startup, ports, { period: 5, failureThreshold: 30 }),
  };
}
