import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { AutoscalingOptions } from './autoscaling';
import { DisruptionBudget } from './disruption-budget';
import { WorkloadMetrics } from './metrics';
import { Callers, IWorkloadSelector } from './network-access';
import { PlatformChart } from './platform-chart';
import { checkMember } from './private/fixed-set';
import { buildIngress, buildTlsObjects, withTlsDefaults } from './private/ingress';
import { addMonitoring, MonitoringInput } from './private/monitoring';
import { buildNetworkPolicy } from './private/network-policy';
import { k8s } from './private/plus';
import { SharedPodObjects } from './private/pod-template';
import { containerPorts, policyPorts, resolvePorts, ResolvedPort } from './private/ports';
import { buildVpa } from './private/right-sizing';
import { autoscalingBounds, buildHpa, buildPdb } from './private/scaling';
import { PropValidator } from './private/validate';
import { ProbeOptions } from './probe';
import { Protocol } from './protocol';
import { BlueGreenPlan, COLOUR_LABEL, planRelease, ReleasePlan, TRACK_LABEL } from './release/private/plan';
import { buildCandidateRouting, buildPreviewRouting } from './release/private/routing';
import { buildTrack, buildTrackService, candidateTrack, colourTrack, TrackContext } from './release/private/tracks';
import { ReleaseObjects, ReleaseTrack } from './release/release-objects';
import { Colour, ReleaseStrategy } from './release/release-strategy';
import { RightSizingOptions } from './right-sizing';
import { ServiceType } from './service-type';
import { IngressFlavour } from './traits/ingress-flavour';
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

/** Class of an Ingress path. A string enum; the value is the Kubernetes `pathType`. */
export enum PathType {
  /** Matches the path and everything below it (`/api` matches `/api/x`). */
  PREFIX = 'Prefix',
  /** Matches the path exactly. */
  EXACT = 'Exact',
}

/**
 * TLS of an Ingress: prefer the typed choices {@link Tls}.acm(arn), {@link Tls}.letsEncrypt() and
 * {@link Tls}.secret(name). A plain object with these fields is the earlier form, kept as it was.
 */
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
   * TLS termination: `Tls.acm(arn)` (ALB), `Tls.letsEncrypt()` (cert-manager) or `Tls.secret(name)`
   * (see docs/tls-dns.md).
   * @default - plain HTTP
   */
  readonly tls?: IngressTls;
  /**
   * Extra controller-specific annotations (merged over the traits' annotations).
   * @default - none
   */
  readonly annotations?: Record<string, string>;
  /**
   * On ALB (EKS): share one load balancer between Ingresses with the same group (`alb.ingress.kubernetes.io/group.name`).
   * Workloads that route the same host must share one: a host name points at one load balancer. Traefik,
   * ingress-nginx and a Gateway route every Ingress through the cluster's one controller already: there the group
   * changes nothing, so the same chart works on EKS and k3s.
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
   * Whether the workload's own load balancer is reachable from the internet: its ALB (Ingress on EKS) or its
   * LoadBalancer Service. Refused where it would change nothing: behind a shared ingress controller (Traefik,
   * ingress-nginx, a Gateway) the exposure is the cluster's (k3s/kubeadm: `ingress: IngressExposure.internetFacing()`).
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
  /**
   * Prometheus metrics: a ServiceMonitor, a NetworkPolicy rule for Prometheus, default alerts and the
   * namespace's Grafana dashboard (see docs/observability.md).
   * @default - not scraped
   */
  readonly metrics?: WorkloadMetrics;
  /**
   * Right-sizing by the Vertical Pod Autoscaler (a VerticalPodAutoscaler object; the VPA must run on the cluster).
   * @default - none
   */
  readonly rightSizing?: RightSizingOptions;
}

const DEFAULT_PORTS: WebServicePort[] = [{ name: 'http', port: 80, targetPort: 8080 }];

/** The autoscaler and disruption budget of the stable Deployment, or of the live colour. */
interface Scaling {
  readonly autoscaler?: k8s.KubeHorizontalPodAutoscalerV2;
  readonly disruptionBudget?: k8s.KubePodDisruptionBudget;
}

/** The Ingress (when exposed) and the release's other routing objects. */
interface Exposure {
  readonly ingress?: k8s.KubeIngress;
  readonly routing: ApiObject[];
  readonly tls?: ApiObject[];
}

/** The colours of a blue-green release. */
interface Colours {
  readonly blue: ReleaseTrack;
  readonly green?: ReleaseTrack;
  readonly live: ReleaseTrack;
  readonly idle?: ReleaseTrack;
}

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
  /** What a `Tls` choice added besides the Ingress: the cert-manager Certificate, Traefik's HTTPS redirect. */
  public readonly tlsObjects: ApiObject[];
  /** The release strategy. */
  public readonly release: ReleaseStrategy;
  /** What the release strategy added: candidate or colour Deployments, the preview Service, routing objects. */
  public readonly releaseObjects: ReleaseObjects;
  /** The VerticalPodAutoscaler, when `rightSizing` is given. */
  public readonly rightSizing?: ApiObject;
  /**
   * The selector labels of the release's candidate pods (canary, A/B, shadow: another instance, `web-canary`),
   * empty otherwise: `Callers.only(web)` and `NetworkRules` admit and open them with the stable pods.
   */
  public readonly additionalSelectorLabels: ReadonlyArray<Record<string, string>>;
  /** The resolved ports. */
  public readonly ports: ReadonlyArray<Required<Pick<WebServicePort, 'name' | 'port' | 'targetPort'>> & { protocol: string }>;

  constructor(scope: Construct, id: string, props: WebServiceProps) {
    super(scope, id, props, 'WebService', 'server');
    const v = this.validator;
    const chart = PlatformChart.of(this);
    v.serviceName('name', this.name);
    const ports = resolvePorts(v, 'ports', props.ports ?? DEFAULT_PORTS, { required: true, mapped: true, emptyMessage: 'must list at least one port.' });
    this.ports = ports;
    checkReplicas(v, props);
    checkInternetFacing(v, chart, props);
    const release = planRelease(v, props.release, {
      name: this.name,
      image: this.image,
      hasIngress: props.ingress !== undefined,
      ingressHosts: props.ingress?.hosts ?? [],
      replicas: props.replicas,
    });
    this.release = release.strategy;

    const tracks = this.trackContext(chart, props, ports, release);
    const pod = tracks.buildPod(this.image, this.standard, '');
    const colours = release.blueGreen ? buildColours(tracks, release.blueGreen, this.name, pod.shared) : undefined;
    this.deployment = colours?.live.deployment ?? this.buildDeployment(tracks, pod.template);
    this.service = this.buildService(chart, props, ports, colours?.live.selectorLabels ?? this.selectorLabels, colours && objectLabels(colours.live));
    const live: Scaling = colours?.live ?? this.buildScaling(tracks);
    this.autoscaler = live.autoscaler;
    this.disruptionBudget = live.disruptionBudget;
    if (props.rightSizing) {
      this.rightSizing = buildVpa(this, v, this.metadata(), { kind: 'Deployment', name: this.deployment.name }, props.rightSizing, tracks.autoscaling);
    }
    const c = colours ? undefined : release.candidate;
    // a second Deployment whose pods are another instance: the Service above never selects them
    const candidate = c ? buildTrack(tracks, candidateTrack(c.track, c.image, c.share, this.name, pod.shared)) : undefined;
    // each Service carries the labels (version, colour) of the pods it routes to
    const previewService = colours?.idle ? buildTrackService(this, 'PreviewService', tracks, `${this.name}-preview`, objectLabels(colours.idle), colours.idle.selectorLabels) : undefined;
    const exposure = this.buildRouting(chart, props, ports, release);
    this.ingress = exposure.ingress;
    this.tlsObjects = exposure.tls ?? [];
    this.releaseObjects = { candidate, blue: colours?.blue, green: colours?.green, previewService, routing: exposure.routing };
    this.additionalSelectorLabels = candidate ? [candidate.selectorLabels] : [];

    this.networkPolicy = buildNetworkPolicy(this, v, chart, {
      metadata: this.metadata(),
      selector: this.selectorLabels,
      namespace: this.namespace,
      callers: tracks.networkPolicy.callers,
      ports: tracks.networkPolicy.ports,
      fromIngressController: props.ingress !== undefined || (props.serviceType ?? ServiceType.CLUSTER_IP) !== ServiceType.CLUSTER_IP,
    });
    addMonitoring(this, {
      ...this,
      kind: 'WebService',
      metrics: props.metrics,
      service: this.service,
      controller: 'Deployment',
      autoscaled: this.autoscaler !== undefined,
      ...releaseMonitoring(this.name, this.releaseObjects),
    });
  }

  /** What the release tracks share with the stable version (also builds the stable pod template). */
  private trackContext(chart: PlatformChart, props: WebServiceProps, ports: ResolvedPort[], release: ReleasePlan): TrackContext {
    const podOptions = {
      ports: containerPorts(ports),
      probes: props.probes,
      healthCheckPath: props.healthCheckPath,
    };
    return {
      scope: this,
      v: this.validator,
      chart,
      name: this.name,
      namespace: this.namespace,
      standard: this.standard,
      userLabels: props.labels,
      ports,
      autoscaling: props.replicas === undefined ? (props.autoscaling ?? {}) : undefined,
      replicas: props.replicas,
      resources: props.resources,
      disruptionBudget: props.disruptionBudget,
      deploymentStrategy: release.deploymentStrategy,
      buildPod: (image, labels, idPrefix, shared) => this.buildPod({ ...podOptions, image, labels, idPrefix, shared }),
      networkPolicy: {
        namespace: this.namespace,
        callers: props.callers ?? Callers.sameNamespace(),
        ports: policyPorts(ports),
        fromIngressController: true,
      },
    };
  }

  /** The stable Deployment (no blue-green release). */
  private buildDeployment(tracks: TrackContext, template: k8s.PodTemplateSpec): k8s.KubeDeployment {
    return new k8s.KubeDeployment(this, 'Deployment', {
      metadata: this.metadata(),
      spec: {
        replicas: tracks.autoscaling ? undefined : tracks.replicas,
        selector: { matchLabels: this.selectorLabels },
        revisionHistoryLimit: 5,
        progressDeadlineSeconds: 600,
        strategy: tracks.deploymentStrategy,
        template,
      },
    });
  }

  /** The Service, selecting the stable pods or the live colour. */
  private buildService(chart: PlatformChart, props: WebServiceProps, ports: ResolvedPort[], selector: Record<string, string>,
    labels: Record<string, string> | undefined): k8s.KubeService {
    const serviceType = checkMember(this.validator, 'serviceType', props.serviceType, 'ServiceType', ServiceType, ServiceType.CLUSTER_IP);
    const lbAnnotations = serviceType === ServiceType.LOAD_BALANCER
      ? chart.traits.loadBalancerAnnotations({ internetFacing: props.internetFacing ?? false })
      : {};
    return new k8s.KubeService(this, 'Service', {
      metadata: { ...this.metadata(Object.keys(lbAnnotations).length ? lbAnnotations : undefined), labels: labels ?? this.labels },
      spec: {
        type: serviceType,
        selector,
        ports: ports.map(p => ({ name: p.name, port: p.port, targetPort: k8s.IntOrString.fromString(p.name), protocol: p.protocol })),
      },
    });
  }

  /** The stable Deployment's HorizontalPodAutoscaler and PodDisruptionBudget. */
  private buildScaling(tracks: TrackContext): Scaling {
    const { v, autoscaling } = tracks;
    const autoscaler = autoscaling
      ? buildHpa(this, v, this.name, this.metadata(), { kind: 'Deployment', name: this.name }, autoscaling, tracks.resources)
      : undefined;
    const minReplicas = autoscaling ? autoscalingBounds(autoscaling).min : tracks.replicas!;
    return { autoscaler, disruptionBudget: buildPdb(this, v, this.metadata(), this.selectorLabels, tracks.disruptionBudget, minReplicas) };
  }

  /** The Ingress and the release's routing objects. */
  private buildRouting(chart: PlatformChart, props: WebServiceProps, ports: ResolvedPort[], release: ReleasePlan): Exposure {
    if (!props.ingress) return { routing: [] };
    const v = this.validator;
    const ingressInput = {
      name: this.name,
      metadata: this.metadata(),
      options: withTlsDefaults(this.name, props.ingress),
      ports,
      internetFacing: props.internetFacing ?? false,
      healthCheckPath: props.healthCheckPath,
      namespace: this.namespace,
    };
    if (release.candidate) {
      const out = buildCandidateRouting(this, v, chart, { ...ingressInput, candidate: release.candidate, namespace: this.namespace });
      return { ingress: out.ingress, routing: [...out.routing], tls: buildTlsObjects(this, v, chart, ingressInput) };
    }
    const ingress = buildIngress(this, v, chart, ingressInput).ingress;
    const previewHost = release.blueGreen?.previewHost;
    return {
      ingress,
      routing: previewHost ? [buildPreviewRouting(this, v, chart, ingressInput, previewHost)] : [],
      tls: buildTlsObjects(this, v, chart, ingressInput, previewHost ? [previewHost] : []),
    };
  }
}

/** `replicas` is a whole number and not combined with autoscaling. */
function checkReplicas(v: PropValidator, props: WebServiceProps): void {
  if (props.replicas !== undefined && props.autoscaling !== undefined) {
    v.fail('replicas', props.replicas, 'cannot be combined with autoscaling: give a fixed replica count or autoscaling, not both.');
  }
  if (props.replicas !== undefined) v.integer('replicas', props.replicas, 0, 1000);
}

/** The labels of a track's Deployment (its version and colour), for the Service that routes to it. */
function objectLabels(track: ReleaseTrack): Record<string, string> {
  return { ...track.deployment.metadata.toJson().labels };
}

/**
 * What monitoring needs of a release: every Deployment (for the alerts), and the pod set the web service's Service
 * does not select — the candidate through its Service, or the idle colour through `<name>-preview` — told apart by
 * the track or colour label.
 */
function releaseMonitoring(name: string, release: ReleaseObjects): Pick<MonitoringInput, 'tracks' | 'trackLabel' | 'controllerNames'> {
  const { candidate, blue, green, previewService } = release;
  if (candidate) {
    const tracks = [{ service: candidate.service!, networkPolicy: candidate.networkPolicy }];
    return { tracks, trackLabel: TRACK_LABEL, controllerNames: [name, candidate.name] };
  }
  if (!blue) return {};
  return {
    tracks: previewService ? [{ service: previewService }] : [],
    trackLabel: COLOUR_LABEL,
    controllerNames: [blue, green].flatMap(c => (c ? [c.name] : [])),
  };
}

/** Two Deployments told apart by a colour label; the Service selects the live one. */
function buildColours(tracks: TrackContext, bg: BlueGreenPlan, name: string, shared: SharedPodObjects): Colours {
  const blue = buildTrack(tracks, colourTrack('blue', bg.images.blue!, name, shared));
  const green = bg.images.green ? buildTrack(tracks, colourTrack('green', bg.images.green, name, shared)) : undefined;
  return bg.live === Colour.BLUE ? { blue, green, live: blue, idle: green } : { blue, green, live: green!, idle: blue };
}

/**
 * `internetFacing: true` must change something: the scheme of this workload's ALB (EKS) or of its LoadBalancer
 * Service. Traefik, ingress-nginx and a Gateway are shared by every workload: their exposure is the cluster's.
 */
function checkInternetFacing(v: PropValidator, chart: PlatformChart, props: WebServiceProps): void {
  if (props.internetFacing !== true) return;
  const traits = chart.traits;
  const loadBalancer = props.serviceType === ServiceType.LOAD_BALANCER;
  if (props.ingress !== undefined && traits.ingressFlavour !== IngressFlavour.ALB) {
    v.fail('internetFacing', true, `does nothing for the Ingress on this cluster: its ingress controller (${traits.ingressFlavour}) is shared by every workload, `
      + 'so whether it is reachable from the internet is the cluster\'s choice (k3s/kubeadm: the cluster\'s `ingress: IngressExposure.internetFacing()`). '
      + 'Drop internetFacing here and set it on the cluster.');
  }
  const scheme = (internetFacing: boolean) => JSON.stringify(traits.loadBalancerAnnotations({ internetFacing }));
  if (loadBalancer && scheme(true) === scheme(false)) {
    v.fail('internetFacing', true, 'does nothing for the LoadBalancer Service on this cluster: it has no internet-facing load balancers for Services '
      + '(its traits give the same annotations for both schemes). Expose the workload through the cluster\'s ingress instead, or drop internetFacing.');
  }
  if (props.ingress === undefined && !loadBalancer) {
    v.fail('internetFacing', true, 'does nothing: the web service has neither an ingress nor a LoadBalancer Service. Add ingress (or serviceType: ServiceType.LOAD_BALANCER), or drop internetFacing.');
  }
}
