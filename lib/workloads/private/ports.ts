import { checkMember } from './fixed-set';
import { ContainerPortSpec } from './pod/types';
import { PropValidator } from './validate';
import { Protocol } from '../protocol';

/** A resolved port: Service port, container port and protocol. */
export interface ResolvedPort {
  readonly name: string;
  readonly port: number;
  readonly targetPort: number;
  readonly protocol: string;
}

/** What a port prop may hold (WebServicePort, NamedPort). */
export interface PortInput {
  readonly name: string;
  readonly port: number;
  readonly targetPort?: number;
  readonly protocol?: Protocol;
}

const PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** How {@link resolvePorts} treats a list. */
export interface ResolvePortsOptions {
  /** At least one port must be given. */
  readonly required: boolean;
  /** Ports map a Service port to a container port (`targetPort` allowed); otherwise `port` is the container port. */
  readonly mapped: boolean;
  /**
   * What the error says when `required` and the list is empty.
   * @default 'must list at least one port (e.g. [{ name: "db", port: 5432 }]).'
   */
  readonly emptyMessage?: string;
}

/**
 * Validates a list of named ports: IANA service names, numbers 1-65535, unique names, unique Service ports
 * and unique container ports (per protocol). Every workload resolves its ports here.
 */
export function resolvePorts(v: PropValidator, prop: string, ports: ReadonlyArray<PortInput>, options: ResolvePortsOptions): ResolvedPort[] {
  if (ports !== undefined) v.check(Array.isArray(ports), prop, ports, 'must be a list of ports.');
  const out = (ports ?? []).map((p, i) => {
    v.check(typeof p?.name === 'string' && p.name.length <= 15 && PORT_NAME.test(p.name) && /[a-z]/.test(p.name) && !p.name.includes('--'), `${prop}[${i}].name`, p?.name,
      'must be an IANA service name: at most 15 lowercase letters, digits and \'-\', with at least one letter and no "--" (e.g. "http").');
    v.port(`${prop}[${i}].port`, p.port);
    if (!options.mapped) v.check(p.targetPort === undefined, `${prop}[${i}].targetPort`, p.targetPort, 'is not used here: give only port (the container port).');
    const targetPort = p.targetPort ?? p.port;
    v.port(`${prop}[${i}].targetPort`, targetPort);
    return { name: p.name, port: p.port, targetPort, protocol: checkMember(v, `${prop}[${i}].protocol`, p.protocol, 'Protocol', Protocol, Protocol.TCP) };
  });
  if (options.required) v.check(out.length > 0, prop, ports, options.emptyMessage ?? 'must list at least one port (e.g. [{ name: "db", port: 5432 }]).');
  v.unique(`${prop}[].name`, out.map(p => p.name), 'port name');
  if (options.mapped) v.unique(`${prop}[].port`, out.map(p => `${p.port}/${p.protocol}`), 'service port');
  v.unique(`${prop}[].${options.mapped ? 'targetPort' : 'port'}`, out.map(p => `${p.targetPort}/${p.protocol}`), 'container port');
  return out;
}

/** The container ports of resolved ports (the pod listens on `targetPort`, which is `port` when unmapped). */
export function containerPorts(ports: ReadonlyArray<ResolvedPort>): ContainerPortSpec[] {
  return ports.map(p => ({ name: p.name, containerPort: p.targetPort, protocol: p.protocol }));
}

/** The ports a NetworkPolicy admits: the container ports. */
export function policyPorts(ports: ReadonlyArray<ResolvedPort>): Array<{ port: number; protocol: string }> {
  return ports.map(p => ({ port: p.targetPort, protocol: p.protocol }));
}
