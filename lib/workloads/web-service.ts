import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { AutoscalingOptions } from './autoscaling';
import { DisruptionBudget } from './disruption-budget';
import { Callers, IWorkloadSelector } from './network-access';
import { PlatformChart } from './platform-chart';
import { buildIngress } from './private/ingress';
import { buildNetworkPolicy } from './private/network-policy';
import { k8s } from './private/plus';
import { autoscalingBounds, buildHpa, buildPdb } from './private/scaling';
import { ProbeOptions } from './probe';
import { planRelease } from './release/private/plan';
import { buildCandidateRouting, buildPreviewRouting } from './release/private/routing';
import { buildTrack, buildTrackService, candidateTrack, colourTrack, TrackContext } from './release/private/tracks';
import { ReleaseObjects, ReleaseTrack } from './release/release-objects';
import { Colour, ReleaseStrategy } from './release/release-strategy';
import { Protocol, ServiceType } from './service-type';
import { WorkloadBase } from './workload-base';
import { ContainerWorkloadProps } from './workload-props';

/** A port of a web service. */
export interface WebServicePort {
  /** Port name (IANA_SVC_NAME: at most 15 lowercase letters, digits and '-'), e.g. 'http'. */
  readonly name: string;
  /** Port of the Service. */
  readonly port: number;
  /**
   * Port the container listens on.
   * @default - same as `port`
   */
  readonly targetPort?: number;
  /**
   * Protocol.
   * @default Protocol.TCP
   */
  readonly protocol?: Protocol;
}

/** Class of an Ingress path. */
export class PathType {
  /** Matches the path and everything below it (`/api` matches `/api/x`). */
  public static readonly PREFIX = new PathType('Prefix');
  /** Matches the path exactly. */
  public static readonly EXACT = new PathType('Exact');
  private constructor(
    /** The Kubernetes `pathType`. */
    public readonly value: string,
  ) {}
}

/** TLS of an Ingress. */
export interface IngressTls {
  /**
   * Kubernetes TLS Secret holding the certificate (Traefik, nginx). Not used by ALB.
   * @default - none (required unless the cluster's ingress is ALB)
   */
  readonly secretName?: string;
  /**
   * ACM certificate ARNs (ALB only).
   * @default - the ALB controller discovers certificates by host name
   */
  readonly certificateArns?: string[];
}

/** How a web service is exposed over HTTP through the cluster's ingress controller. */
export interface WebIngressOptions {
  /**
   * Host names routed to the service.
   * @default - any host
   */
  readonly hosts?: string[];
  /**
   * Paths routed to the service.
   * @default ['/']
   */
  readonly paths?: string[];
  /**
   * How paths match.
   * @default PathType.PREFIX
   */
  readonly pathType?: PathType;
  /**
   * Name of the service port traffic goes to.
   * @default - the first port
   */
  readonly port?: string;
  /**
   * TLS termination.
   * @default - plain HTTP
   */
  readonly tls?: IngressTls;
  /**
   * Extra controller-specific annotations (merged over the traits' annotations).
   * @default - none
   */
  readonly annotations?: Record<string, string>;
  /**
   * ALB only: share one load balancer between Ingresses with the same group (`alb.ingress.kubernetes.io/group.name`).
   * Workloads that route the same host must share one: a host name points at one load balancer.
   * @default - one load balancer per Ingress
   */
  readonly group?: string;
}

/** Props of a {@link WebService}. */
export interface WebServiceProps extends ContainerWorkloadProps {
  /**
   * Ports of the service (and of the container).
   * @default [{ name: 'http', port: 80, targetPort: 8080 }]
   */
  readonly ports?: WebServicePort[];
  /**
   * A fixed number of replicas (no HorizontalPodAutoscaler). Give this or `autoscaling`, not both.
   * @default - autoscaling with its defaults (2 to 10 replicas at 70% CPU)
   */
  readonly replicas?: number;
  /**
   * Horizontal autoscaling. The Deployment then has no `replicas` field, so a deploy never resets the
   * autoscaler's choice.
   * @default - { minReplicas: 2, maxReplicas: 10, cpuUtilization: 70 } unless `replicas` is given
   */
  readonly autoscaling?: AutoscalingOptions;
  /**
   * HTTP path that answers 200 when the service is healthy; the default probes use it.
   * @default - TCP probes on the first port
   */
  readonly healthCheckPath?: string;
  /**
   * Probes.
   * @default - startup, readiness and liveness probes derived from the first port and `healthCheckPath`
   */
  readonly probes?: ProbeOptions;
  /**
   * Service type.
   * @default ServiceType.CLUSTER_IP
   */
  readonly serviceType?: ServiceType;
  /**
   * Whether a LoadBalancer Service or the Ingress is reachable from the internet.
   * @default false (internal)
   */
  readonly internetFacing?: boolean;
  /**
   * HTTP exposure through the cluster's ingress controller.
   * @default - no Ingress
   */
  readonly ingress?: WebIngressOptions;
  /**
   * PodDisruptionBudget.
   * @default DisruptionBudget.maxUnavailable(1)
   */
  readonly disruptionBudget?: DisruptionBudget;
  /**
   * How a new version reaches users: rolling update, recreate, blue-green, canary, A/B by header or shadow.
   * Canary, A/B and shadow need `ingress`; routing is written for the cluster's ingress controller and what it
   * cannot do is refused at synth time (see docs/release-strategies.md).
   * @default ReleaseStrategy.rolling() (25% surge, nothing unavailable)
   */
  readonly release?: ReleaseStrategy;
  /**
   * Who may connect to the service's pods (a NetworkPolicy).
   * @default Callers.sameNamespace() (plus the ingress controller when exposed)
   */
  readonly callers?: Callers;
}

const PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * An HTTP(S) service: Deployment + Service + HorizontalPodAutoscaler + PodDisruptionBudget (+ Ingress,
 * NetworkPolicy, ConfigMap, ExternalSecret), every pod passing Pod Security "restricted".
 */
export class WebService extends WorkloadBase implements IWorkloadSelector {
  /** The Deployment (L1 escape hatch). */
  public readonly deployment: k8s.KubeDeployment;
  /** The Service (L1 escape hatch). */
  public readonly service: k8s.KubeService;
  /** The HorizontalPodAutoscaler, when autoscaling. */
  public readonly autoscaler?: k8s.KubeHorizontalPodAutoscalerV2;
  /** The PodDisruptionBudget, unless turned off. */
  public readonly disruptionBudget?: k8s.KubePodDisruptionBudget;
  /** The Ingress, when exposed through the ingress controller. */
  public readonly ingress?: k8s.KubeIngress;
  /** The NetworkPolicy, unless callers is `Callers.any()`. */
  public readonly networkPolicy?: k8s.KubeNetworkPolicy;
  /** The release strategy. */
  public readonly release: ReleaseStrategy;
  /** What the release strategy added: candidate or colour Deployments, the preview Service, routing objects. */
  public readonly releaseObjects: ReleaseObjects;
  /** The resolved ports. */
  public readonly ports: ReadonlyArray<Required<Pick<WebServicePort, 'name' | 'port' | 'targetPort'>> & { protocol: string }>;

  constructor(scope: Construct, id: string, props: WebServiceProps) {
    super(scope, id, props, 'WebService', 'server');
    const v = this.validator;
    const chart = PlatformChart.of(this);
    v.serviceName('name', this.name);

    // ports
    const ports = (props.ports ?? [{ name: 'http', port: 80, targetPort: 8080 }]).map((p, i) => {
      v.check(typeof p.name === 'string' && p.name.length <= 15 && PORT_NAME.test(p.name) && !p.name.includes('--') && /[a-z]/.test(p.name), `ports[${i}].name`, p.name,
        'must be an IANA service name: at most 15 lowercase letters, digits and \'-\', with at least one letter and no "--" (e.g. "http").');
      v.port(`ports[${i}].port`, p.port);
      const targetPort = p.targetPort ?? p.port;
      v.port(`ports[${i}].targetPort`, targetPort);
      return { name: p.name, port: p.port, targetPort, protocol: (p.protocol ?? Protocol.TCP).value };
    });
    v.check(ports.length > 0, 'ports', props.ports, 'must list at least one port.');
    v.unique('ports[].name', ports.map(p => p.name), 'port name');
    v.unique('ports[].port', ports.map(p => `${p.port}/${p.protocol}`), 'service port');
    v.unique('ports[].targetPort', ports.map(p => `${p.targetPort}/${p.protocol}`), 'container port');
    this.ports = ports;

    // replicas
    if (props.replicas !== undefined && props.autoscaling !== undefined) {
      v.fail('replicas', props.replicas, 'cannot be combined with autoscaling: give a fixed replica count or autoscaling, not both.');
    }
    if (props.replicas !== undefined) v.integer('replicas', props.replicas, 0, 1000);

    const release = planRelease(v, props.release, {
      name: this.name,
      image: this.image,
      hasIngress: props.ingress !== undefined,
      ingressHosts: props.ingress?.hosts ?? [],
      replicas: props.replicas,
    });
    this.release = release.strategy;

    const podOptions = {
      ports: ports.map(p => ({ name: p.name, containerPort: p.targetPort, protocol: p.protocol })),
      probes: props.probes,
      healthCheckPath: props.healthCheckPath,
    };
    const pod = this.buildPod(podOptions);

    const autoscaling = props.replicas === undefined ? (props.autoscaling ?? {}) : undefined;
    const serviceType = props.serviceType ?? ServiceType.CLUSTER_IP;
    const internetFacing = props.internetFacing ?? false;
    const callers = props.callers ?? Callers.sameNamespace();
    const policyPorts = ports.map(p => ({ port: p.targetPort, protocol: p.protocol }));
    const tracks: TrackContext = {
      scope: this,
      v,
      chart,
      name: this.name,
      namespace: this.namespace,
      standard: this.standard,
      userLabels: props.labels,
      ports,
      autoscaling,
      replicas: props.replicas,
      resources: props.resources,
      disruptionBudget: props.disruptionBudget,
      deploymentStrategy: release.deploymentStrategy,
      buildPod: (image, labels, idPrefix, shared) => this.buildPod({ ...podOptions, image, labels, idPrefix, shared }),
      networkPolicy: { namespace: this.namespace, callers, ports: policyPorts, fromIngressController: true },
    };

    let serviceSelector = this.selectorLabels;
    let blue: ReleaseTrack | undefined;
    let green: ReleaseTrack | undefined;
    let candidate: ReleaseTrack | undefined;
    if (release.blueGreen) {
      // two Deployments told apart by a colour label; the Service selects the live one
      const bg = release.blueGreen;
      blue = buildTrack(tracks, colourTrack('blue', bg.images.blue!, this.name, pod.shared));
      green = bg.images.green ? buildTrack(tracks, colourTrack('green', bg.images.green, this.name, pod.shared)) : undefined;
      const live = bg.live === Colour.BLUE ? blue : green!;
      this.deployment = live.deployment;
      this.autoscaler = live.autoscaler;
      this.disruptionBudget = live.disruptionBudget;
      serviceSelector = live.selectorLabels;
    } else {
      this.deployment = new k8s.KubeDeployment(this, 'Deployment', {
        metadata: this.metadata(),
        spec: {
          replicas: autoscaling ? undefined : props.replicas,
          selector: { matchLabels: this.selectorLabels },
          revisionHistoryLimit: 5,
          progressDeadlineSeconds: 600,
          strategy: release.deploymentStrategy,
          template: pod.template,
        },
      });
    }

    // service
    const lbAnnotations = serviceType === ServiceType.LOAD_BALANCER ? chart.traits.loadBalancerAnnotations({ internetFacing }) : {};
    this.service = new k8s.KubeService(this, 'Service', {
      metadata: this.metadata(Object.keys(lbAnnotations).length ? lbAnnotations : undefined),
      spec: {
        type: serviceType.value,
        selector: serviceSelector,
        ports: ports.map(p => ({ name: p.name, port: p.port, targetPort: k8s.IntOrString.fromString(p.name), protocol: p.protocol })),
      },
    });
    if (!release.blueGreen) {
      if (autoscaling) {
        this.autoscaler = buildHpa(this, v, this.name, this.metadata(), { kind: 'Deployment', name: this.name }, autoscaling, props.resources);
      }
      const minReplicas = autoscaling ? autoscalingBounds(autoscaling).min : props.replicas!;
      this.disruptionBudget = buildPdb(this, v, this.metadata(), this.selectorLabels, props.disruptionBudget, minReplicas);
      if (release.candidate) {
        // a second Deployment whose pods are another instance: the Service above never selects them
        const c = release.candidate;
        candidate = buildTrack(tracks, candidateTrack(c.track, c.image, c.share, this.name, pod.shared));
      }
    }
    const idle = release.blueGreen ? (release.blueGreen.live === Colour.BLUE ? green : blue) : undefined;
    const previewService = idle ? buildTrackService(this, 'PreviewService', tracks, `${this.name}-preview`, this.labels, idle.selectorLabels) : undefined;

    const routing: ApiObject[] = [];
    if (props.ingress) {
      const ingressInput = {
        name: this.name,
        metadata: this.metadata(),
        options: props.ingress,
        ports,
        internetFacing,
        healthCheckPath: props.healthCheckPath,
      };
      if (release.candidate) {
        const out = buildCandidateRouting(this, v, chart, { ...ingressInput, candidate: release.candidate, namespace: this.namespace });
        this.ingress = out.ingress;
        routing.push(...out.routing);
      } else {
        this.ingress = buildIngress(this, v, chart, ingressInput).ingress;
        if (release.blueGreen?.previewHost) routing.push(buildPreviewRouting(this, v, chart, ingressInput, release.blueGreen.previewHost));
      }
    }
    this.releaseObjects = { candidate, blue, green, previewService, routing };

    this.networkPolicy = buildNetworkPolicy(this, v, chart, {
      metadata: this.metadata(),
      selector: this.selectorLabels,
      namespace: this.namespace,
      callers,
      ports: policyPorts,
      fromIngressController: props.ingress !== undefined || serviceType !== ServiceType.CLUSTER_IP,
    });
  }
}
