import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { NamedPort } from './named-port';
import { PlatformChart } from './platform-chart';
import { MANAGED_BY } from './private/labels';
import { k8s } from './private/plus';
import { checkUserLabels } from './private/pod-template';
import { resolvePorts } from './private/ports';
import { PropValidator } from './private/validate';

/** Props of an {@link ExternalService}. */
export interface ExternalServiceProps {
  /**
   * Name of the Service, i.e. the in-cluster DNS name (a DNS-1035 label).
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The DNS name the Service points to, e.g. `mydb.abc123.eu-west-1.rds.amazonaws.com`. Not an IP address
   * (Kubernetes would treat it as a DNS name).
   */
  readonly externalName: string;
  /**
   * Ports, for documentation and for clients that look them up (traffic is not remapped: ExternalName is a
   * DNS CNAME).
   * @default - none
   */
  readonly ports?: NamedPort[];
  /**
   * Extra labels.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

const IPV4 = /^[0-9]+(\.[0-9]+){3}$/;

/**
 * A Service of type ExternalName: an in-cluster name (`<name>.<namespace>.svc`) for something outside the
 * cluster, such as a managed database, so workloads use a stable name and the target can move.
 */
export class ExternalService extends Construct {
  /** Name of the Service. */
  public readonly name: string;
  /** The DNS name it points to. */
  public readonly externalName: string;
  /** The Service (L1 escape hatch). */
  public readonly service: k8s.KubeService;

  constructor(scope: Construct, id: string, props: ExternalServiceProps) {
    super(scope, id);
    const v = new PropValidator(this, 'ExternalService');
    if (!props || typeof props !== 'object') v.fail('props', props, 'are required.');
    this.name = v.serviceName('name', props.name ?? id);
    const target = props.externalName;
    v.check(typeof target === 'string' && !target.includes('://'), 'externalName', target,
      'must be a DNS name, not a URL: give the host only (e.g. "db.example.com"); the ports go in `ports`.');
    v.check(!/^[^:]+:\d+$/.test(target), 'externalName', target,
      'must be a DNS name without a port: give the host only (e.g. "db.example.com"); the ports go in `ports`.');
    v.check(!IPV4.test(target) && !target.includes(':'), 'externalName', target,
      'must be a DNS name, not an IP address: for an IP, create a Service without selector and an EndpointSlice.');
    v.dnsSubdomain('externalName', target);
    v.check(target.includes('.'), 'externalName', target, 'must be a fully qualified DNS name such as "db.example.com".');
    this.externalName = target;
    const ports = resolvePorts(v, 'ports', props.ports ?? [], { required: false, mapped: false });
    checkUserLabels(v, props.labels);

    const chart = Chart.of(this);
    const partOf = PlatformChart.isPlatformChart(chart) ? chart.partOf : chart.node.id;
    this.service = new k8s.KubeService(this, 'Service', {
      metadata: {
        name: this.name,
        labels: {
          ...props.labels,
          'app.kubernetes.io/name': this.name,
          'app.kubernetes.io/instance': this.name,
          'app.kubernetes.io/component': 'external',
          'app.kubernetes.io/part-of': v.labelValue('partOf', partOf),
          'app.kubernetes.io/managed-by': MANAGED_BY,
        },
      },
      spec: {
        type: 'ExternalName',
        externalName: target,
        ports: ports.length ? ports.map(p => ({ name: p.name, port: p.port, protocol: p.protocol })) : undefined,
      },
    });
  }
}
