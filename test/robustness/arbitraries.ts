/**
 * fast-check generators of the library's props: valid ones, and "one field broken" mutations that name the
 * prop path the error message must contain. Runs and seed come from FUZZ_RUNS / FUZZ_SEED (`npm run fuzz`).
 */
import { Size } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as cdk8s from 'cdk8s';
import * as fc from 'fast-check';
import { ClusterCapacity, ClusterEndpointAccess, NodeGroupOptions } from '../../lib/clusters/eks';
import { EksPlatformStackProps } from '../../lib/platform/eks-platform-stack';
import {
  ClusterTraits, Cpu, ReleaseStrategy, SecretRef, StatefulServiceProps, WebServiceProps,
} from '../../lib/workloads';

/** Runs per property (FUZZ_RUNS, default 40) and the seed (FUZZ_SEED, default 42). */
export const FUZZ_RUNS = Math.max(1, Number(process.env.FUZZ_RUNS ?? 40) || 40);
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 42) || 42;
/** fast-check parameters; `scale` shrinks the runs of properties that synthesize whole stacks. */
export function fuzzParams(scale = 1): fc.Parameters<unknown> {
  return { numRuns: Math.max(3, Math.round(FUZZ_RUNS * scale)), seed: FUZZ_SEED, endOnFailure: false };
}

/** A broken input and the prop path its error must name. */
export interface Broken<T> {
  readonly props: T;
  readonly prop: string;
  readonly what: string;
}

// ------------------------------------------------------------------------------------------- basics

/** A DNS-1035 label of 1-30 characters (room for suffixes such as -preview and -headless). */
export const dnsName = fc.stringMatching(/^[a-z]([-a-z0-9]{0,28}[a-z0-9])?$/);
const lowerWord = fc.stringMatching(/^[a-z][a-z0-9]{0,9}$/);
/** A DNS host name such as "shop-1.example.com". */
export const hostName = fc.tuple(fc.array(lowerWord, { minLength: 1, maxLength: 2 }), fc.constantFrom('example.com', 'acme.io', 'test.org'))
  .map(([labels, domain]) => [...labels, domain].join('.'));
const tag = fc.stringMatching(/^[0-9][0-9a-z._-]{0,15}$/);
const digest = fc.stringMatching(/^[a-f0-9]{64}$/).map(h => `sha256:${h}`);
/** A pinned image reference (a tag or a digest). */
export const image = fc.tuple(
  fc.constantFrom('public.ecr.aws/nginx/nginx', 'ghcr.io/acme/api', 'registry.example.com:5000/team/app', 'nginxinc/nginx-unprivileged', 'redis'),
  fc.oneof(tag.map(t => `:${t}`), digest.map(d => `@${d}`)),
).map(([repo, ref]) => repo + ref);
/** An IANA service name (port name): letters first, no double hyphen. */
const portName = fc.stringMatching(/^[a-z]([a-z0-9]{1,4}-?){0,3}[a-z0-9]$/).filter(n => n.length <= 15);
/** 1-3 ports with unique names, Service ports and container ports. */
export const ports = fc.uniqueArray(fc.record({ name: portName, port: fc.integer({ min: 1, max: 65535 }), targetPort: fc.integer({ min: 1, max: 65535 }) }),
  { minLength: 1, maxLength: 3, selector: p => p.name })
  .filter(ps => new Set(ps.map(p => p.port)).size === ps.length && new Set(ps.map(p => p.targetPort)).size === ps.length);

const SECRET_LIKE = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|ACCESS_?KEY)/i;
const envName = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,15}$/).filter(n => !SECRET_LIKE.test(n));
/** Plain env (no secret-looking names). */
export const env = fc.dictionary(envName, fc.string({ maxLength: 20 }), { maxKeys: 3 });
/** Env from secrets, by reference. */
export const secretEnv = fc.dictionary(envName.map(n => `S_${n}`), fc.oneof(
  fc.tuple(dnsName, fc.stringMatching(/^[a-z][a-z0-9_.-]{0,10}$/)).map(([s, k]) => SecretRef.fromSecret(s, k)),
  fc.tuple(fc.stringMatching(/^acme\/[a-z0-9/_-]{1,20}$/), fc.option(lowerWord, { nil: undefined }))
    .map(([remoteName, property]) => SecretRef.fromAwsSecretsManager({ remoteName, property })),
), { maxKeys: 3 });

/** Requests within limits. */
export const resources = fc.record({
  cpu: fc.integer({ min: 10, max: 2000 }),
  cpuExtra: fc.integer({ min: 0, max: 2000 }),
  mem: fc.integer({ min: 16, max: 4096 }),
  memExtra: fc.integer({ min: 0, max: 4096 }),
}).map(r => ({
  cpuRequest: Cpu.millis(r.cpu),
  cpuLimit: Cpu.millis(r.cpu + r.cpuExtra),
  memoryRequest: cdk8s.Size.mebibytes(r.mem),
  memoryLimit: cdk8s.Size.mebibytes(r.mem + r.memExtra),
}));

const scaling = fc.oneof(
  fc.integer({ min: 1, max: 10 }).map(replicas => ({ replicas })),
  fc.tuple(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 10, max: 100 }))
    .map(([min, extra, cpu]) => ({ autoscaling: { minReplicas: min, maxReplicas: min + extra, cpuUtilization: cpu } })),
);

// ----------------------------------------------------------------------------------------- releases

/** A release strategy valid for a service with `image` and an ingress on `hosts`. */
function releaseFor(img: string, withIngress: boolean): fc.Arbitrary<{ release?: ReleaseStrategy; needsMirror: boolean }> {
  const other = image.filter(i => i !== img);
  const basic = fc.oneof(
    fc.constant({ release: undefined, needsMirror: false }),
    fc.record({ maxSurge: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 100 }).map(p => `${p}%`)) })
      .map(o => ({ release: ReleaseStrategy.rolling(o), needsMirror: false })),
    fc.constant({ release: ReleaseStrategy.recreate(), needsMirror: false }),
    fc.tuple(fc.constantFrom('blue' as const, 'green' as const), other).map(([live, greenImage]) => ({ release: ReleaseStrategy.blueGreen({ live, greenImage }), needsMirror: false })),
  );
  if (!withIngress) return basic;
  return fc.oneof(
    basic,
    fc.tuple(other, fc.integer({ min: 0, max: 100 })).map(([i, weight]) => ({ release: ReleaseStrategy.canary({ image: i, weight }), needsMirror: false })),
    fc.tuple(other, fc.stringMatching(/^X-[A-Za-z0-9-]{1,15}$/), lowerWord, fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }))
      .map(([i, name, value, weight]) => ({ release: ReleaseStrategy.abTest({ image: i, header: { name, value }, weight }), needsMirror: false })),
    fc.tuple(other, fc.integer({ min: 0, max: 100 })).map(([i, percent]) => ({ release: ReleaseStrategy.shadow({ image: i, percent }), needsMirror: true })),
  );
}

// ---------------------------------------------------------------------------------------- workloads

/** A port number no port of the list uses (as port or target port). */
function unusedPort(ps: ReadonlyArray<{ port: number; targetPort?: number }>): number {
  const used = new Set(ps.flatMap(p => [p.port, p.targetPort ?? p.port]));
  let n = 1;
  while (used.has(n)) n++;
  return n;
}

/** A valid WebService, with traits its release strategy can be routed on. */
export interface WebServiceCase {
  readonly props: WebServiceProps;
  readonly traits: ClusterTraits;
}

const STORE = { name: 'aws-secrets-manager' };
const traitsFor = (needsMirror: boolean) => needsMirror ? fc.constant(ClusterTraits.k3s({ externalSecretStore: STORE }))
  : fc.constantFrom(ClusterTraits.eks({ vpcCidr: '10.0.0.0/16', externalSecretStore: STORE }), ClusterTraits.k3s({ externalSecretStore: STORE }));

export const webServiceCase: fc.Arbitrary<WebServiceCase> = fc.record({
  name: dnsName,
  image,
  ports,
  scaling,
  resources: fc.option(resources, { nil: undefined }),
  env,
  secretEnv,
  ingress: fc.option(fc.record({ hosts: fc.uniqueArray(hostName, { minLength: 1, maxLength: 2 }), paths: fc.constantFrom(['/'], ['/api'], ['/', '/v2']).map(ps => [...ps]) }), { nil: undefined }),
  healthCheckPath: fc.option(fc.constantFrom('/healthz', '/ready'), { nil: undefined }),
}).chain(base => releaseFor(base.image, base.ingress !== undefined).chain(r => traitsFor(r.needsMirror).map(traits => ({
  traits,
  props: {
    name: base.name,
    image: base.image,
    ports: base.ports,
    ...base.scaling,
    resources: base.resources,
    env: base.env,
    secretEnv: base.secretEnv,
    ingress: base.ingress,
    healthCheckPath: base.healthCheckPath,
    release: r.release,
  } satisfies WebServiceProps,
}))));

/** One field of a valid WebService broken, with the prop path the error must name. */
export const brokenWebService: fc.Arbitrary<{ traits: ClusterTraits } & Broken<WebServiceProps>> = webServiceCase.chain(c => {
  const p = c.props;
  const br = (prop: string, what: string, change: Partial<WebServiceProps>) =>
    ({ traits: c.traits, props: { ...p, ...change } as WebServiceProps, prop, what });
  const withPorts = (i: (ps: typeof p.ports & object) => object[]) => ({ ports: i(p.ports!) as WebServiceProps['ports'] });
  return fc.oneof(
    fc.constantFrom('Web', 'web_1', '-web', 'web-', '1web', 'a'.repeat(64), '').map(name => br('name', 'name', { name })),
    fc.constantFrom(0, -1, 65536, 70000, 1.5, NaN).map(port => br('ports[0].port', 'port number', withPorts(ps => [{ ...ps[0], port }, ...ps.slice(1)]))),
    fc.constantFrom(0, 65536, 2.5).map(targetPort => br('ports[0].targetPort', 'target port', withPorts(ps => [{ ...ps[0], targetPort }, ...ps.slice(1)]))),
    fc.constantFrom('HTTP', 'http_2', 'a-very-long-port-name', '8080', '-http', '').map(name => br('ports[0].name', 'port name', withPorts(ps => [{ ...ps[0], name }, ...ps.slice(1)]))),
    fc.constant(br('ports[].name', 'duplicate port name', withPorts(ps => [...ps, { ...ps[0], port: unusedPort(ps), targetPort: unusedPort(ps) }]))),
    fc.constant(br('ports', 'empty list', { ports: [] })),
    fc.constantFrom(-1, 1.5, 1001).map(replicas => br('replicas', 'replicas', { replicas, autoscaling: undefined, release: undefined })),
    fc.tuple(fc.integer({ min: 2, max: 50 }), fc.integer({ min: 1, max: 10 })).map(([min, less]) =>
      br('autoscaling.minReplicas', 'min > max', { replicas: undefined, autoscaling: { minReplicas: min, maxReplicas: Math.max(1, min - less) }, release: undefined })),
    fc.constantFrom(0, 101, 12.5).map(cpuUtilization => br('autoscaling.cpuUtilization', 'percentage', { replicas: undefined, autoscaling: { cpuUtilization }, release: undefined })),
    fc.tuple(fc.integer({ min: 2, max: 4000 }), fc.integer({ min: 1, max: 1000 })).map(([req, less]) =>
      br('resources.cpuRequest', 'request > limit', { resources: { cpuRequest: Cpu.millis(req), cpuLimit: Cpu.millis(Math.max(1, req - less)) } })),
    fc.tuple(fc.integer({ min: 2, max: 4000 }), fc.integer({ min: 1, max: 1000 })).map(([req, less]) =>
      br('resources.memoryRequest', 'request > limit', { resources: { memoryRequest: cdk8s.Size.mebibytes(req), memoryLimit: cdk8s.Size.mebibytes(Math.max(1, req - less)) } })),
    fc.constantFrom('nginx', 'nginx:latest', 'Nginx:1.0', 'nginx:1.0 ', 'nginx@sha256:abc', '').map(img => br('image', 'image', { image: img })),
    fc.constantFrom('DB_PASSWORD', 'API_TOKEN', 'aws_secret_access_key', 'GITHUB_API_KEY').map(k => br(`env.${k}`, 'secret-looking env', { env: { ...p.env, [k]: 'not-a-reference' } })),
    fc.constantFrom('1BAD', 'BAD NAME', '').map(k => br(`env.${k}`, 'env name', { env: { [k]: 'x' } })),
    fc.constantFrom('Shop.example.com', 'http://shop.example.com', 'shop', 'shop.example.com/path').map(h =>
      br('ingress.hosts[0]', 'host', { ingress: { hosts: [h] }, release: undefined })),
    fc.constantFrom(-1, 101, 2.5).map(weight => br('release.weight', 'weight', { ingress: p.ingress ?? { hosts: ['shop.example.com'] }, release: ReleaseStrategy.canary({ image: 'ghcr.io/acme/other:2.0', weight }) })),
    fc.constant(br('release.image', 'candidate image = stable image', { ingress: p.ingress ?? { hosts: ['shop.example.com'] }, release: ReleaseStrategy.canary({ image: p.image, weight: 10 }) })),
    fc.constant(br('release', 'canary without ingress', { ingress: undefined, release: ReleaseStrategy.canary({ image: 'ghcr.io/acme/other:2.0', weight: 10 }) })),
    fc.constant(br('release.live', 'live green without a green image', { release: ReleaseStrategy.blueGreen({ live: 'green' }) })),
  );
});

/** A valid StatefulService. */
export const statefulServiceProps: fc.Arbitrary<StatefulServiceProps> = fc.record({
  name: dnsName,
  image,
  ports,
  replicas: fc.integer({ min: 1, max: 5 }),
  volumes: fc.uniqueArray(fc.record({
    name: fc.stringMatching(/^(data|wal|logs|cache)[0-9]?$/),
    mountPath: fc.stringMatching(/^\/var\/lib\/[a-z]{1,8}$/),
    size: fc.integer({ min: 1, max: 500 }).map(g => cdk8s.Size.gibibytes(g)),
  }), { maxLength: 2, selector: v => v.name }).filter(vs => new Set(vs.map(v => v.mountPath)).size === vs.length),
  env,
  resources: fc.option(resources, { nil: undefined }),
}).map(r => r as StatefulServiceProps);

/** One field of a valid StatefulService broken. */
export const brokenStatefulService: fc.Arbitrary<Broken<StatefulServiceProps>> = statefulServiceProps.chain(p => {
  const br = (prop: string, what: string, change: Partial<StatefulServiceProps>) => ({ props: { ...p, ...change } as StatefulServiceProps, prop, what });
  const vol = { name: 'data', mountPath: '/var/lib/data', size: cdk8s.Size.gibibytes(10) };
  return fc.oneof(
    fc.constantFrom('DB', 'db_1', 'a'.repeat(53)).map(name => br('name', 'name', { name })),
    fc.constantFrom(-1, 1.5, 1001).map(replicas => br('replicas', 'replicas', { replicas })),
    fc.constant(br('ports', 'empty list', { ports: [] })),
    fc.constantFrom(0, 65536).map(port => br('ports[0].port', 'port', { ports: [{ ...p.ports[0], port }] })),
    fc.constantFrom('pg--main', 'Postgres').map(name => br('ports[0].name', 'port name', { ports: [{ ...p.ports[0], name }] })),
    fc.constant(br('volumes[].name', 'duplicate volume', { volumes: [vol, { ...vol, mountPath: '/var/lib/other' }] })),
    fc.constantFrom('var/lib/data', '/var/../etc', '/').map(mountPath => br('volumes[0].mountPath', 'mount path', { volumes: [{ ...vol, mountPath }] })),
    fc.constantFrom('Data', 'data_1', 'config').map(name => br('volumes[0].name', 'volume name', { volumes: [{ ...vol, name }] })),
    fc.constantFrom(0).map(g => br('volumes[0].size', 'size', { volumes: [{ ...vol, size: cdk8s.Size.mebibytes(g) }] })),
  );
});

// ------------------------------------------------------------------------------------------ clusters

/** A valid IPv4 network of prefix /16 to /20 (network address, host bits zero). */
export const vpcCidr = fc.tuple(fc.constantFrom(10, 172, 192), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 16, max: 20 }))
  .map(([a, b, prefix]) => {
    const second = a === 172 ? 16 + (b % 16) : a === 192 ? 168 : b;
    const third = 0;
    return `${a}.${second}.${third}.0/${prefix}`;
  });
/** A public IPv4 CIDR for the API endpoint. */
export const endpointCidr = fc.tuple(fc.integer({ min: 1, max: 223 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 8, max: 32 }))
  .filter(([a]) => a !== 10 && a !== 127)
  .map(([a, b, prefix]) => prefix >= 16 ? `${a}.${b}.0.0/${prefix}` : `${a}.0.0.0/${prefix}`);

const nodeGroup = fc.record({
  min: fc.integer({ min: 0, max: 5 }),
  extra: fc.integer({ min: 0, max: 10 }),
  desiredExtra: fc.integer({ min: 0, max: 10 }),
  types: fc.uniqueArray(fc.constantFrom('m7i.large', 'm6i.large', 'm5.xlarge', 'c7i.large', 't3.large'), { minLength: 1, maxLength: 3 }),
  disk: fc.integer({ min: 20, max: 500 }),
}).map(g => ({
  minSize: g.min,
  maxSize: Math.max(1, g.min + g.extra),
  desiredSize: Math.min(Math.max(1, g.min + g.extra), g.min + g.desiredExtra),
  instanceTypes: g.types.map(t => new ec2.InstanceType(t)),
  diskSize: Size.gibibytes(g.disk),
}) satisfies NodeGroupOptions);

/** Valid EKS platform props: network, endpoint and node groups. */
export const eksPlatformProps: fc.Arbitrary<EksPlatformStackProps> = fc.record({
  platformName: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/),
  cidr: vpcCidr,
  azCount: fc.constantFrom(2, 3),
  publicCidrs: fc.option(fc.uniqueArray(endpointCidr, { minLength: 1, maxLength: 3 }), { nil: undefined }),
  onDemand: nodeGroup,
  spot: fc.option(nodeGroup, { nil: undefined }),
}).map(r => ({
  platformName: r.platformName,
  network: { cidr: r.cidr, azCount: r.azCount },
  endpointAccess: r.publicCidrs ? ClusterEndpointAccess.publicAndPrivate(...r.publicCidrs) : undefined,
  capacity: ClusterCapacity.managedNodeGroups({ onDemand: r.onDemand, spot: r.spot }),
}));

/** One field of valid EKS platform props broken. */
export const brokenEksPlatform: fc.Arbitrary<Broken<EksPlatformStackProps>> = eksPlatformProps.chain(p => {
  const br = (prop: string, what: string, change: Partial<EksPlatformStackProps>) => ({ props: { ...p, ...change }, prop, what });
  const ng = (o: NodeGroupOptions) => ({ capacity: ClusterCapacity.managedNodeGroups({ onDemand: o }) });
  return fc.oneof(
    fc.constantFrom('Acme', 'acme_1', '-acme', 'a', 'a'.repeat(41), '').map(platformName => br('platformName', 'name', { platformName })),
    fc.constantFrom('10.0.0.0/8', '10.0.0.0/24', '300.0.0.0/16', '10.0.0/16', '10.0.0.0', 'vpc', '10.0.1.0/16', '172.16.8.0/19').map(cidr => br('cidr', 'CIDR', { network: { cidr } })),
    fc.constantFrom(0, 1, 4, 2.5).map(azCount => br('azCount', 'AZ count', { network: { azCount } })),
    fc.constant(br('availabilityZones', 'duplicate AZs', { network: { availabilityZones: ['eu-west-1a', 'eu-west-1a'] } })),
    fc.constant(br('availabilityZones', 'empty list', { network: { availabilityZones: [] } })),
    fc.constantFrom('1.2.3.4', '1.2.3.4/33', 'any', '999.1.1.1/32', '203.0.113.7/24').map(c => br('endpointAccess.publicCidrs[0]', 'endpoint CIDR', { endpointAccess: ClusterEndpointAccess.publicAndPrivate(c) })),
    fc.tuple(fc.integer({ min: 2, max: 20 }), fc.integer({ min: 1, max: 5 })).map(([min, less]) => br('minSize', 'min > max', ng({ minSize: min, maxSize: Math.max(1, min - less) }))),
    fc.tuple(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 5 })).map(([max, more]) => br('desiredSize', 'desired > max', ng({ minSize: 0, maxSize: max, desiredSize: max + more }))),
    fc.constantFrom(-1, 1.5).map(minSize => br('minSize', 'size', ng({ minSize }))),
    fc.constant(br('instanceTypes', 'empty list', ng({ instanceTypes: [] }))),
    fc.constantFrom('m7g.large', 't4g.medium').map(t => br('instanceTypes[0]', 'architecture', ng({ instanceTypes: [new ec2.InstanceType(t)] }))),
    fc.constantFrom(5, 19, 20_000).map(g => br('diskSize', 'disk size', ng({ diskSize: Size.gibibytes(g) }))),
  );
});
