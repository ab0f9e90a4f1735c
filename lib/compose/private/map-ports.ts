import { KeyPath } from './compose-source';
import { Findings } from './findings';
import { EnumMember, PlanValue } from './plan';

/** A port of a Compose service, resolved. */
export interface ComposePort {
  /** Container port. */
  readonly target: number;
  /** Host port it is published on; undefined when only exposed. */
  readonly published?: number;
  /** How it is published: 'public' (all interfaces), 'local' (a loopback address), 'node' (mode: host), 'none'. */
  readonly exposure: 'public' | 'local' | 'node' | 'none';
  readonly protocol: 'tcp' | 'udp';
  readonly name?: string;
  readonly path: KeyPath;
}

const WELL_KNOWN: Record<number, string> = {
  80: 'http',
  8080: 'http',
  8000: 'http',
  3000: 'http',
  5000: 'http',
  9000: 'http',
  443: 'https',
  8443: 'https',
  5432: 'postgres',
  3306: 'mysql',
  6379: 'redis',
  27017: 'mongodb',
  5672: 'amqp',
  15672: 'amqp-admin',
  9092: 'kafka',
  11211: 'memcached',
  9200: 'elasticsearch',
  4222: 'nats',
  2181: 'zookeeper',
  1025: 'smtp',
  8025: 'http',
};

/** Ports of images whose Dockerfile EXPOSEs them, for services that are called but list no ports. */
export const IMAGE_PORTS: Record<string, number> = {
  postgres: 5432,
  mysql: 3306,
  mariadb: 3306,
  redis: 6379,
  valkey: 6379,
  mongo: 27017,
  rabbitmq: 5672,
  memcached: 11211,
  nats: 4222,
  elasticsearch: 9200,
  opensearch: 9200,
  minio: 9000,
};

/** The short syntax `[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]`. */
function parseShort(f: Findings, path: KeyPath, text: string): ComposePort | undefined {
  const [spec, proto = 'tcp'] = text.split('/');
  const hostIp = /^\[([^\]]+)\]:(.*)$/.exec(spec);
  const parts = hostIp ? [hostIp[1], ...hostIp[2].split(':')] : spec.split(':');
  if (parts.some(p => /^\d+-\d+$/.test(p))) {
    f.warn(path, `"${text}" is a port range, which a Service cannot publish: list the ports one by one.`);
    return undefined;
  }
  const target = Number(parts[parts.length - 1]);
  const published = parts.length >= 2 && parts[parts.length - 2] !== '' ? Number(parts[parts.length - 2]) : undefined;
  const ip = parts.length === 3 ? parts[0] : undefined;
  return port(f, path, { target, published, ip, protocol: proto, mode: undefined, name: undefined });
}

interface PortInput { target: number; published?: number; ip?: string; protocol: string; mode?: string; name?: string }

function port(f: Findings, path: KeyPath, p: PortInput): ComposePort | undefined {
  const valid = (n: number | undefined) => n === undefined || (Number.isInteger(n) && n >= 1 && n <= 65535);
  if (!valid(p.target) || !valid(p.published)) {
    f.error(path, 'is not a port: container and published ports are integers from 1 to 65535.');
    return undefined;
  }
  if (p.protocol !== 'tcp' && p.protocol !== 'udp') {
    f.warn(path, `uses protocol "${p.protocol}": only tcp and udp are mapped.`);
    return undefined;
  }
  const local = p.ip !== undefined && /^(127\.|::1$|localhost$)/.test(p.ip);
  const exposure = p.published === undefined && p.ip === undefined ? 'none' : local ? 'local' : p.mode === 'host' ? 'node' : 'public';
  return { target: p.target, published: p.published, exposure, protocol: p.protocol, name: p.name, path };
}

/** The ports of a service: `ports` (published) and `expose` (inside the project only). */
export function composePorts(f: Findings, path: KeyPath, spec: Record<string, unknown>): ComposePort[] {
  const out: ComposePort[] = [];
  (Array.isArray(spec.ports) ? spec.ports : []).forEach((p: unknown, i) => {
    const at = [...path, 'ports', i];
    if (typeof p === 'number') {out.push(...opt(port(f, at, { target: p, protocol: 'tcp' })));} else if (typeof p === 'string') {out.push(...opt(parseShort(f, at, p)));} else if (p && typeof p === 'object') {
      const o = p as Record<string, unknown>;
      if (o.app_protocol !== undefined) f.info([...at, 'app_protocol'], 'is not kept: the port is named after it only when `name` is not given.');
      const name = typeof o.name === 'string' ? o.name : typeof o.app_protocol === 'string' ? o.app_protocol : undefined;
      const published = o.published === undefined ? undefined : Number(o.published);
      out.push(...opt(port(f, at, { target: Number(o.target), published, ip: o.host_ip as string | undefined, protocol: String(o.protocol ?? 'tcp'), mode: o.mode as string, name })));
    }
  });
  (Array.isArray(spec.expose) ? spec.expose : []).forEach((e: unknown, i) => {
    const [n, proto = 'tcp'] = String(e).split('/');
    if (/-/.test(n)) return f.warn([...path, 'expose', i], `"${String(e)}" is a port range, which a Service cannot expose: list the ports one by one.`);
    if (out.some(p => p.target === Number(n) && p.protocol === proto)) return;
    out.push(...opt(port(f, [...path, 'expose', i], { target: Number(n), protocol: proto })));
  });
  return dedupe(f, out);
}

/** One container port is one Service port. */
function dedupe(f: Findings, ports: ComposePort[]): ComposePort[] {
  const seen = new Set<string>();
  return ports.filter(p => {
    const key = `${p.target}/${p.protocol}`;
    if (seen.has(key)) {
      f.warn(p.path, `publishes container port ${key} a second time: a Service maps each container port once, so only the first is kept.`);
      return false;
    }
    seen.add(key);
    return true;
  });
}

function opt<T>(x: T | undefined): T[] {
  return x === undefined ? [] : [x];
}

/** The `ports` prop of the workload (names unique, IANA service names). */
export function portsValue(ports: readonly ComposePort[], named: boolean): PlanValue[] {
  const used = new Set<string>();
  return ports.map(p => {
    const base = ianaName(p.name ?? WELL_KNOWN[p.target] ?? `port-${p.target}`);
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base.slice(0, 13)}-${n}`;
    used.add(name);
    const servicePort = named || p.published === undefined ? p.target : p.published;
    const value: Record<string, PlanValue> = { name, port: servicePort };
    if (!named && servicePort !== p.target) value.targetPort = p.target;
    if (p.protocol === 'udp') value.protocol = new EnumMember('Protocol', 'UDP');
    return value;
  });
}

function ianaName(text: string): string {
  const name = text.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').replace(/--+/g, '-').slice(0, 15).replace(/-+$/, '');
  return /[a-z]/.test(name) ? name : `port-${name}`.slice(0, 15);
}

/** The Service type from how the ports are published. */
export function serviceType(ports: readonly ComposePort[]): string | undefined {
  if (ports.some(p => p.exposure === 'public')) return 'LOAD_BALANCER';
  if (ports.some(p => p.exposure === 'node')) return 'NODE_PORT';
  return undefined;
}
