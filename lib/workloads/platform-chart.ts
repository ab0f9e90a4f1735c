import { ApiObject, Chart, ChartProps } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { ValidationError } from '../errors';
import { PropValidator } from './private/validate';
import { ClusterTraits } from './traits/cluster-traits';

/** Props of a {@link PlatformChart}. */
export interface PlatformChartProps extends ChartProps {
  /**
   * What the target cluster offers (ingress controller, storage, load balancers). Take it from the
   * cluster (`cluster.traits`) or from a preset (`ClusterTraits.eks()`, `.k3s()`, `.nginx()`).
   */
  readonly traits: ClusterTraits;
  /**
   * The application these workloads are part of: the `app.kubernetes.io/part-of` label.
   * @default - the chart's id
   */
  readonly partOf?: string;
}

const PLATFORM_CHART = Symbol.for('cdk-k8s-platform.PlatformChart');

/**
 * A cdk8s chart for workloads of this library: it carries the cluster's traits, the application name, and
 * checks across workloads (such as two Ingress rules claiming the same host and path).
 */
export class PlatformChart extends Chart {
  /** The nearest PlatformChart that holds `scope`; a clear error when there is none. */
  public static of(scope: IConstruct): PlatformChart {
    for (let s: IConstruct | undefined = scope; s; s = s.node.scope) {
      if (PlatformChart.isPlatformChart(s)) return s;
    }
    throw new ValidationError(`[${scope.node.path}] a workload of cdk-k8s-platform must be created inside a PlatformChart (new PlatformChart(app, 'id', { traits })), so it knows the cluster's traits.`,
      { constructPath: scope.node.path });
  }

  /** True if `x` is a PlatformChart (works across copies of this library). */
  public static isPlatformChart(x: unknown): x is PlatformChart {
    return typeof x === 'object' && x !== null && PLATFORM_CHART in x;
  }

  public readonly traits: ClusterTraits;
  public readonly partOf: string;
  private readonly routes = new Map<string, string>();
  private readonly albHosts = new Map<string, { owner: string; group?: string }>();

  constructor(scope: Construct, id: string, props: PlatformChartProps) {
    super(scope, id, props);
    Object.defineProperty(this, PLATFORM_CHART, { value: true });
    const v = new PropValidator(this, 'PlatformChart');
    if (!props.traits) v.fail('traits', props.traits, 'is required: pass cluster.traits or a preset such as ClusterTraits.eks().');
    if (props.namespace !== undefined) v.dnsLabel('namespace', props.namespace);
    this.traits = props.traits;
    this.partOf = v.labelValue('partOf', props.partOf ?? id);
    this.node.addValidation({ validate: () => this.duplicateObjects() });
  }

  /**
   * Two objects of this chart with the same API group, kind, namespace and name (e.g. two workloads given one
   * `name`): Kubernetes would keep only the last one applied. Checked at synth, over every object of the chart.
   */
  private duplicateObjects(): string[] {
    const seen = new Map<string, ApiObject>();
    const errors: string[] = [];
    for (const o of this.node.findAll()) {
      if (!ApiObject.isApiObject(o) || Chart.of(o) !== this) continue;
      const group = o.apiVersion.includes('/') ? o.apiVersion.slice(0, o.apiVersion.lastIndexOf('/')) : '';
      const namespace = o.metadata.namespace ?? this.namespace;
      const key = `${group}/${o.kind}/${namespace ?? ''}/${o.name}`;
      const first = seen.get(key);
      if (first === undefined) {
        seen.set(key, o);
        continue;
      }
      errors.push(`PlatformChart: ${o.kind} "${o.name}"${namespace ? ` in namespace "${namespace}"` : ''} is defined twice, by ${first.node.path} and by ${o.node.path}: `
        + 'the second would replace the first in the cluster. Give one of the workloads another name (the name prop, or its construct id).');
    }
    return errors;
  }

  /**
   * Claims an ingress host + path for `owner`; two workloads may not route the same host and path.
   * @internal
   */
  public _claimRoute(owner: IConstruct, prop: string, host: string | undefined, path: string): void {
    const key = `${host ?? '*'}${path}`;
    const previous = this.routes.get(key);
    if (previous !== undefined) {
      new PropValidator(owner, owner.constructor.name).fail(prop, `${host ?? '(any host)'}${path}`,
        `this host and path is already routed by ${previous}; each host/path pair may be used once per chart.`);
    }
    this.routes.set(key, owner.node.path);
  }

  /**
   * Claims a host for an ALB Ingress of `owner`. The AWS Load Balancer Controller gives every Ingress outside an
   * IngressGroup its own load balancer, and a host name can point at only one of them: two workloads routing one
   * host must share a load balancer through the same `ingress.group`.
   * @internal
   */
  public _claimAlbHost(owner: IConstruct, host: string, group: string | undefined): void {
    const previous = this.albHosts.get(host);
    if (previous !== undefined && previous.owner !== owner.node.path && (group === undefined || previous.group !== group)) {
      const groups = `${previous.group === undefined ? 'no ingress.group' : `ingress.group "${previous.group}"`} there, ${group === undefined ? 'none' : `"${group}"`} here`;
      new PropValidator(owner, owner.constructor.name).fail('ingress.hosts', host,
        `is also routed by ${previous.owner} through another ALB (${groups}): one host name can point at only one load balancer. `
        + 'Give both Ingresses the same ingress.group (e.g. "shop") so that they share one ALB.');
    }
    if (previous === undefined) this.albHosts.set(host, { owner: owner.node.path, group });
  }
}
