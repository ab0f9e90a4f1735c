import { IngressFlavour } from './ingress-flavour';
import { StorageClassTrait } from './storage-class-trait';
import { VolumeAccessMode } from './volume-access-mode';
import { show, ValidationError } from '../../errors';
import { EBS_CSI_DRIVER, EKS_AUTO_MODE_EBS_DRIVER } from '../private/csi-drivers';
import { isMember, mustBeOneOf } from '../private/fixed-set';

/** Where traffic from the ingress controller comes from, for NetworkPolicies that admit it. */
export interface IngressTrafficSource {
  /**
   * Namespace of the ingress controller's pods (matched by its `kubernetes.io/metadata.name` label).
   * @default - not matched by namespace
   */
  readonly namespace?: string;
  /**
   * Labels of the ingress controller's pods.
   * @default - every pod in `namespace`
   */
  readonly podLabels?: Record<string, string>;
  /**
   * CIDR blocks that traffic arrives from (for load balancers that send straight to pod IPs, such as an
   * ALB in target type ip: the VPC CIDR).
   * @default - none
   */
  readonly cidrs?: string[];
}

/** A ClusterSecretStore of the External Secrets Operator that the cluster runs. */
export interface ExternalSecretStore {
  /** Name of the ClusterSecretStore. */
  readonly name: string;
  /**
   * Prefix of the AWS Secrets Manager secret names the store may read (its IAM role is scoped to it).
   * @default - any name
   */
  readonly secretNamePrefix?: string;
}

/** Block storage (EBS) and node-local volumes: one node mounts them read-write. */
const SINGLE_NODE_MODES = [VolumeAccessMode.READ_WRITE_ONCE, VolumeAccessMode.READ_WRITE_ONCE_POD];


/** A cert-manager ClusterIssuer that ingress TLS may name (`Tls.letsEncrypt({ issuer })`). */
export interface CertificateIssuerTrait {
  /** Name of the ClusterIssuer. */
  readonly name: string;
  /**
   * DNS-01 issuers: the DNS zones whose names it can certify (a host outside every one is refused).
   * @default - HTTP-01: any host that reaches the cluster's ingress from the internet
   */
  readonly dnsZones?: string[];
}

/**
 * What an add-on installed on the cluster adds to what the cluster offers workloads (see
 * {@link ClusterTraits.addAbilities}).
 */
export interface ClusterAbilities {
  /**
   * The Vertical Pod Autoscaler runs on the cluster (its CRD, recommender, updater and admission controller).
   * @default - unchanged
   */
  readonly verticalPodAutoscaler?: boolean;
  /**
   * The CSI snapshot controller and the VolumeSnapshot CRDs run on the cluster (on EKS the
   * VolumeBackupAddOn installs them), so a claim can start from a VolumeSnapshot (`StatefulVolume.fromSnapshot`,
   * `VolumeSnapshotImport`).
   * @default - unchanged
   */
  readonly volumeSnapshots?: boolean;
  /**
   * StorageClasses the add-on creates, or new facts about existing ones (a description replaces the one of
   * the same name).
   * @default - unchanged
   */
  readonly storageClasses?: StorageClassTrait[];
  /**
   * The StorageClass that StatefulService volumes naming none use from now on (e.g. `gp3` once the EBS CSI
   * driver runs on k3s or kubeadm). It must be described (`storageClasses`, here or before). Charts built
   * with the traits afterwards write it into their claim templates; existing claims keep their class.
   * @default - unchanged
   */
  readonly defaultStorageClassName?: string;
  /**
   * cert-manager ClusterIssuers the add-on created; the first one added is the default of `Tls.letsEncrypt()`.
   * @default - unchanged
   */
  readonly certificateIssuers?: CertificateIssuerTrait[];
  /**
   * DNS zones whose records external-dns manages: an ingress host outside every one is refused.
   * @default - unchanged
   */
  readonly dnsZones?: string[];
}

/** Options for the LoadBalancer annotations a cluster writes on a Service. */
export interface LoadBalancerOptions {
  /** Reachable from the internet (true) or only inside the network (false). */
  readonly internetFacing: boolean;
}

/** Options for the annotations a cluster writes on an Ingress. */
export interface IngressAnnotationOptions {
  /** Reachable from the internet (true) or only inside the network (false). */
  readonly internetFacing: boolean;
  /** TLS is configured on the Ingress. */
  readonly tls: boolean;
  /**
   * ACM certificate ARNs (ALB only).
   * @default - none
   */
  readonly certificateArns?: string[];
  /**
   * HTTP health check path of the backend, when it has one.
   * @default - the load balancer's own default
   */
  readonly healthCheckPath?: string;
  /**
   * Ingress group (ALB: several Ingresses share one load balancer).
   * @default - a load balancer of its own
   */
  readonly group?: string;
}

/** Everything a cluster tells the workload layer about itself. */
export interface ClusterTraitsProps {
  /** Which controller implements Ingress and routing. */
  readonly ingressFlavour: IngressFlavour;
  /**
   * `spec.ingressClassName` of generated Ingresses.
   * @default - the flavour's name (alb, traefik, nginx)
   */
  readonly ingressClassName?: string;
  /** Default StorageClass for volume claims (e.g. gp3, local-path). */
  readonly storageClassName: string;
  /**
   * What the cluster's StorageClasses can serve (access modes, backups). A claim asking a described class
   * for an access mode it cannot serve is refused at synth time; classes not described are not checked.
   * @default - none described
   */
  readonly storageClasses?: StorageClassTrait[];
  /**
   * The Vertical Pod Autoscaler runs on the cluster (workloads' `rightSizing` needs it). The VPA add-on
   * sets it when installed.
   * @default false
   */
  readonly verticalPodAutoscaler?: boolean;
  /**
   * The CSI snapshot controller and the VolumeSnapshot CRDs run on the cluster: claims may start from a
   * VolumeSnapshot (`StatefulVolume.fromSnapshot`, `VolumeSnapshotImport`); without them such a claim is refused
   * at synth time. On EKS the VolumeBackupAddOn installs them and sets it; k3s and kubeadm have none.
   * @default false
   */
  readonly volumeSnapshots?: boolean;
  /**
   * Annotations on every LoadBalancer Service, for an internal load balancer.
   * @default - none
   */
  readonly internalLoadBalancerAnnotations?: Record<string, string>;
  /**
   * Annotations on every LoadBalancer Service, for an internet-facing load balancer.
   * @default - same as `internalLoadBalancerAnnotations`
   */
  readonly internetFacingLoadBalancerAnnotations?: Record<string, string>;
  /**
   * ALB only: register pod IPs (ip) rather than node ports (instance). ip works with ClusterIP Services.
   * @default true for ALB
   */
  readonly albTargetTypeIp?: boolean;
  /**
   * Where ingress traffic comes from, for NetworkPolicies that admit it to web services.
   * @default - from any pod in any namespace and from any address (no restriction)
   */
  readonly ingressTrafficSource?: IngressTrafficSource;
  /**
   * The Gateway that HTTPRoutes attach to (Gateway API flavour only).
   * @default - none
   */
  readonly gateway?: { readonly name: string; readonly namespace?: string };
  /**
   * Whether the cluster can enforce NetworkPolicies (a policy on a cluster that cannot is a false promise).
   * The clusters of this library enforce them: EKS through the VPC CNI's network-policy agent
   * (`enableNetworkPolicy`), k3s through its embedded kube-router policy controller, kubeadm through the
   * kube-router policy controller it applies next to flannel (flannel alone enforces nothing). Set false for
   * a cluster whose CNI does not (test/clusters/network-policy-traits.test.ts keeps the presets true to this).
   * @default true
   */
  readonly networkPolicySupport?: boolean;
  /**
   * The External Secrets Operator store that fills Kubernetes Secrets from AWS Secrets Manager.
   * @default - none: `SecretRef.fromAwsSecretsManager` is refused at synth time
   */
  readonly externalSecretStore?: ExternalSecretStore;
  /**
   * Whether DaemonSets (`NodeAgent`) can run: false for a cluster whose pods all run on EKS Fargate, which has
   * no nodes to run one pod each on (a `NodeAgent` is then refused at synth time).
   * @default true (the clusters of this library all have EC2 nodes)
   */
  readonly daemonSetSupport?: boolean;
}

/** Options of the EKS preset. */
export interface EksTraitsOptions {
  /**
   * CIDR of the VPC, from which the ALB reaches pod IPs.
   * @default - NetworkPolicies admit ingress traffic from any address on the service ports
   */
  readonly vpcCidr?: string;
  /**
   * StorageClass for volume claims.
   * @default 'gp3'
   */
  readonly storageClassName?: string;
  /**
   * The External Secrets Operator store of the cluster.
   * @default - none (EksPlatformCluster passes its store)
   */
  readonly externalSecretStore?: ExternalSecretStore;
  /**
   * The CSI snapshot controller runs on the cluster (for charts built away from the cluster object: a
   * cluster's own traits get it from its VolumeBackupAddOn).
   * @default false
   */
  readonly volumeSnapshots?: boolean;
  /**
   * The cluster runs EKS Auto Mode, whose own EBS driver (`ebs.csi.eks.amazonaws.com`) provisions the gp3
   * volumes, rather than the aws-ebs-csi-driver add-on (`ebs.csi.aws.com`).
   * @default false
   */
  readonly autoMode?: boolean;
}

/** Options of the k3s preset. */
export interface K3sTraitsOptions {
  /**
   * StorageClass for volume claims.
   * @default 'local-path' (node-local; use an EBS CSI class such as 'gp3' for data that must survive a node)
   */
  readonly storageClassName?: string;
  /**
   * An External Secrets Operator store you installed on the cluster.
   * @default - none: `SecretRef.fromAwsSecretsManager` is refused
   */
  readonly externalSecretStore?: ExternalSecretStore;
}

/** Options of the ingress-nginx preset. */
export interface NginxTraitsOptions {
  /**
   * StorageClass for volume claims.
   * @default 'standard'
   */
  readonly storageClassName?: string;
  /**
   * Namespace of the ingress-nginx controller.
   * @default 'ingress-nginx'
   */
  readonly controllerNamespace?: string;
}

/** Options of the Gateway API preset. */
export interface GatewayApiTraitsOptions {
  /** The Gateway routes attach to. */
  readonly gatewayName: string;
  /**
   * Namespace of the Gateway.
   * @default - the route's namespace
   */
  readonly gatewayNamespace?: string;
  /**
   * StorageClass for volume claims.
   * @default 'standard'
   */
  readonly storageClassName?: string;
}

/**
 * What a cluster tells the workload layer: its ingress controller, storage and load-balancer conventions.
 * Workloads read traits; they never ask which cluster they are on. Clusters provide them
 * (`cluster.traits`); the presets below describe the clusters this library builds.
 */
export class ClusterTraits {
  /**
   * EKS with the AWS Load Balancer Controller (ALB Ingress, target type ip; NLB Services) and EBS gp3
   * (ReadWriteOnce and ReadWriteOncePod) of the aws-ebs-csi-driver add-on, or of Auto Mode's own driver
   * (`autoMode`).
   */
  public static eks(options: EksTraitsOptions = {}): ClusterTraits {
    const nlb = {
      'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
      'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
    };
    return new ClusterTraits({
      ingressFlavour: IngressFlavour.ALB,
      storageClassName: options.storageClassName ?? 'gp3',
      storageClasses: [{
        name: options.storageClassName ?? 'gp3',
        accessModes: SINGLE_NODE_MODES,
        provisioner: options.autoMode ? EKS_AUTO_MODE_EBS_DRIVER : EBS_CSI_DRIVER,
      }],
      volumeSnapshots: options.volumeSnapshots,
      albTargetTypeIp: true,
      internalLoadBalancerAnnotations: { ...nlb, 'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal' },
      internetFacingLoadBalancerAnnotations: { ...nlb, 'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing' },
      ingressTrafficSource: options.vpcCidr ? { cidrs: [options.vpcCidr] } : undefined,
      externalSecretStore: options.externalSecretStore,
    });
  }

  /** k3s with its packaged Traefik v3, ServiceLB and local-path storage (node-local: ReadWriteOnce and ReadWriteOncePod). */
  public static k3s(options: K3sTraitsOptions = {}): ClusterTraits {
    return new ClusterTraits({
      ingressFlavour: IngressFlavour.TRAEFIK,
      storageClassName: options.storageClassName ?? 'local-path',
      storageClasses: [{ name: 'local-path', accessModes: SINGLE_NODE_MODES, nodeLocal: true }],
      ingressTrafficSource: { namespace: 'kube-system', podLabels: { 'app.kubernetes.io/name': 'traefik' } },
      externalSecretStore: options.externalSecretStore,
    });
  }

  /** A generic cluster with ingress-nginx (legacy). */
  public static nginx(options: NginxTraitsOptions = {}): ClusterTraits {
    return new ClusterTraits({
      ingressFlavour: IngressFlavour.NGINX,
      storageClassName: options.storageClassName ?? 'standard',
      ingressTrafficSource: {
        namespace: options.controllerNamespace ?? 'ingress-nginx',
        podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' },
      },
    });
  }

  /** A cluster whose traffic enters through a Gateway API Gateway (HTTPRoutes). */
  public static gatewayApi(options: GatewayApiTraitsOptions): ClusterTraits {
    return new ClusterTraits({
      ingressFlavour: IngressFlavour.GATEWAY_API,
      ingressClassName: options.gatewayName,
      storageClassName: options.storageClassName ?? 'standard',
      gateway: { name: options.gatewayName, namespace: options.gatewayNamespace },
    });
  }

  /** Any other cluster. */
  public static custom(props: ClusterTraitsProps): ClusterTraits {
    return new ClusterTraits(props);
  }

  public readonly ingressFlavour: IngressFlavour;
  public readonly ingressClassName: string;
  public readonly albTargetTypeIp: boolean;
  public readonly ingressTrafficSource?: IngressTrafficSource;
  public readonly gateway?: { readonly name: string; readonly namespace?: string };
  public readonly networkPolicySupport: boolean;
  public readonly externalSecretStore?: ExternalSecretStore;
  /** Whether DaemonSets can run (false on an all-Fargate EKS cluster). */
  public readonly daemonSetSupport: boolean;
  private readonly classes = new Map<string, StorageClassTrait>();
  private defaultClass: string;
  private vpa: boolean;
  private snapshots: boolean;
  private readonly issuers = new Map<string, CertificateIssuerTrait>();
  private readonly zones = new Set<string>();
  private readonly internalLb: Record<string, string>;
  private readonly publicLb: Record<string, string>;

  private constructor(props: ClusterTraitsProps) {
    if (!isMember(IngressFlavour, props.ingressFlavour)) {
      throw new ValidationError(`ClusterTraits.ingressFlavour is ${show(props.ingressFlavour)}: ${mustBeOneOf('IngressFlavour', IngressFlavour)}`,
        { prop: 'ingressFlavour', value: props.ingressFlavour });
    }
    this.ingressFlavour = props.ingressFlavour;
    this.ingressClassName = props.ingressClassName ?? props.ingressFlavour;
    this.defaultClass = props.storageClassName;
    this.albTargetTypeIp = props.albTargetTypeIp ?? props.ingressFlavour === IngressFlavour.ALB;
    this.ingressTrafficSource = props.ingressTrafficSource;
    this.gateway = props.gateway;
    this.networkPolicySupport = props.networkPolicySupport ?? true;
    this.externalSecretStore = props.externalSecretStore;
    this.daemonSetSupport = props.daemonSetSupport ?? true;
    this.vpa = props.verticalPodAutoscaler ?? false;
    this.snapshots = props.volumeSnapshots ?? false;
    this.addAbilities({ storageClasses: props.storageClasses });
    this.internalLb = { ...props.internalLoadBalancerAnnotations };
    this.publicLb = { ...(props.internetFacingLoadBalancerAnnotations ?? props.internalLoadBalancerAnnotations) };
  }

  /** Default StorageClass for volume claims (e.g. gp3, local-path); an add-on may change it (`addAbilities`). */
  public get storageClassName(): string {
    return this.defaultClass;
  }

  /** The Vertical Pod Autoscaler runs on the cluster (the VPA add-on is installed). */
  public get verticalPodAutoscaler(): boolean {
    return this.vpa;
  }

  /**
   * The CSI snapshot controller runs on the cluster: claims may start from a VolumeSnapshot (on EKS once the
   * VolumeBackupAddOn is installed; never on k3s or kubeadm, which restore with a `RestoredVolume`).
   */
  public get volumeSnapshots(): boolean {
    return this.snapshots;
  }

  /** The cert-manager ClusterIssuers on the cluster (the first is the default of `Tls.letsEncrypt()`). */
  public get certificateIssuers(): CertificateIssuerTrait[] {
    return [...this.issuers.values()].map(i => ({ ...i, dnsZones: i.dnsZones && [...i.dnsZones] }));
  }

  /** The DNS zones external-dns manages records in (empty: no external-dns). */
  public get dnsZones(): string[] {
    return [...this.zones];
  }

  /** The StorageClasses the traits describe (access modes, backups). */
  public get storageClasses(): StorageClassTrait[] {
    return [...this.classes.values()].map(c => ({ ...c, accessModes: [...c.accessModes] }));
  }

  /** The description of StorageClass `name`, if the traits have one. */
  public storageClass(name: string): StorageClassTrait | undefined {
    return this.storageClasses.find(c => c.name === name);
  }

  /** The described StorageClasses whose volumes can be mounted with `mode`. */
  public storageClassesServing(mode: VolumeAccessMode): string[] {
    return this.storageClasses.filter(c => c.accessModes.includes(mode)).map(c => c.name);
  }

  /**
   * Records what an add-on adds to the cluster, so that workloads built with these traits see it. Add-ons
   * call it from `install`, once what they add is certain to be installed; build charts with
   * `cluster.traits` after the platform's add-ons are installed (a platform stack installs them in its
   * constructor).
   */
  public addAbilities(abilities: ClusterAbilities): void {
    if (abilities.verticalPodAutoscaler !== undefined) this.vpa = abilities.verticalPodAutoscaler;
    if (abilities.volumeSnapshots !== undefined) this.snapshots = abilities.volumeSnapshots;
    for (const i of abilities.certificateIssuers ?? []) this.issuers.set(i.name, { ...i, dnsZones: i.dnsZones && [...i.dnsZones] });
    for (const z of abilities.dnsZones ?? []) this.zones.add(z);
    for (const c of abilities.storageClasses ?? []) {
      const modes = Array.isArray(c?.accessModes) ? c.accessModes : [];
      const bad = modes.find(m => !isMember(VolumeAccessMode, m));
      if (typeof c?.name !== 'string' || c.name === '' || modes.length === 0 || bad !== undefined) {
        throw new ValidationError(`ClusterTraits.storageClasses is ${show(c)}: each needs a name and at least one access mode; `
          + `${bad !== undefined ? `${show(bad)} ` : ''}${mustBeOneOf('VolumeAccessMode', VolumeAccessMode)}`, { prop: 'storageClasses', value: c });
      }
      this.classes.set(c.name, { ...c, accessModes: [...modes] });
    }
    const name = abilities.defaultStorageClassName;
    if (name !== undefined) {
      if (!this.classes.has(name)) {
        throw new ValidationError(`ClusterTraits.defaultStorageClassName is ${show(name)}: must be a described StorageClass `
          + `(${[...this.classes.keys()].join(', ') || 'none yet'}): add its description in storageClasses first.`, { prop: 'defaultStorageClassName', value: name });
      }
      this.defaultClass = name;
    }
  }

  /** Annotations for a Service of type LoadBalancer. */
  public loadBalancerAnnotations(options: LoadBalancerOptions): Record<string, string> {
    return { ...(options.internetFacing ? this.publicLb : this.internalLb) };
  }

  /** Controller-specific annotations for an Ingress. */
  public ingressAnnotations(options: IngressAnnotationOptions): Record<string, string> {
    switch (this.ingressFlavour) {
      case IngressFlavour.ALB: {
        const a: Record<string, string> = {
          'alb.ingress.kubernetes.io/scheme': options.internetFacing ? 'internet-facing' : 'internal',
          'alb.ingress.kubernetes.io/target-type': this.albTargetTypeIp ? 'ip' : 'instance',
        };
        if (options.healthCheckPath) a['alb.ingress.kubernetes.io/healthcheck-path'] = options.healthCheckPath;
        if (options.group) a['alb.ingress.kubernetes.io/group.name'] = options.group;
        if (options.tls) {
          a['alb.ingress.kubernetes.io/listen-ports'] = '[{"HTTP":80},{"HTTPS":443}]';
          a['alb.ingress.kubernetes.io/ssl-redirect'] = '443';
          a['alb.ingress.kubernetes.io/ssl-policy'] = 'ELBSecurityPolicy-TLS13-1-2-2021-06';
          if (options.certificateArns?.length) a['alb.ingress.kubernetes.io/certificate-arn'] = options.certificateArns.join(',');
        }
        return a;
      }
      case IngressFlavour.TRAEFIK:
        return options.tls ? { 'traefik.ingress.kubernetes.io/router.tls': 'true' } : {};
      case IngressFlavour.NGINX:
        return options.tls ? { 'nginx.ingress.kubernetes.io/ssl-redirect': 'true' } : {};
      default:
        return {};
    }
  }
}
