import { ApiObject, Size } from 'cdk8s';
import { Construct } from 'constructs';
import { DisruptionBudget } from './disruption-budget';
import { WorkloadMetrics } from './metrics';
import { Callers, IWorkloadSelector } from './network-access';
import { PlatformChart } from './platform-chart';
import { checkMember } from './private/fixed-set';
import { addMonitoring } from './private/monitoring';
import { buildNetworkPolicy } from './private/network-policy';
import { k8s } from './private/plus';
import { containerPorts, policyPorts, resolvePorts, ResolvedPort } from './private/ports';
import { reservedVolumesFor } from './private/pre-bound-volumes';
import { sizeQuantity } from './private/quantity';
import { buildVpa } from './private/right-sizing';
import { buildPdb } from './private/scaling';
import { PropValidator } from './private/validate';
import { ProbeOptions } from './probe';
import { RightSizingOptions } from './right-sizing';
import { ClusterTraits, VolumeAccessMode } from './traits';
import { WebServicePort } from './web-service';
import { WorkloadBase } from './workload-base';
import { ContainerWorkloadProps } from './workload-props';

export { VolumeAccessMode } from './traits/volume-access-mode';

/**
 * What happens to the volume claims (and so the data) of a stateful service when it is deleted or scaled
 * down. Data is kept unless you choose one of the explicitly named delete policies.
 */
export class ClaimRetentionPolicy {
  /** Keep the claims both when the StatefulSet is deleted and when it is scaled down (the default). */
  public static retain(): ClaimRetentionPolicy {
    return new ClaimRetentionPolicy('Retain', 'Retain');
  }

  /** DATA LOSS: delete the claims of pods removed by a scale-down; keep them when the StatefulSet is deleted. */
  public static deleteDataWhenScaledDown(): ClaimRetentionPolicy {
    return new ClaimRetentionPolicy('Retain', 'Delete');
  }

  /** DATA LOSS: delete all claims when the StatefulSet is deleted; keep them on scale-down. */
  public static deleteDataWhenDeleted(): ClaimRetentionPolicy {
    return new ClaimRetentionPolicy('Delete', 'Retain');
  }

  /** DATA LOSS: delete the claims both when the StatefulSet is deleted and when it is scaled down. */
  public static deleteDataAlways(): ClaimRetentionPolicy {
    return new ClaimRetentionPolicy('Delete', 'Delete');
  }

  private constructor(
    /** `whenDeleted`: Retain or Delete. */
    public readonly whenDeleted: string,
    /** `whenScaled`: Retain or Delete. */
    public readonly whenScaled: string,
  ) {}
}

/** How the pods of a stateful service are started and stopped. A string enum; the value is the Kubernetes `podManagementPolicy`. */
export enum PodManagementPolicy {
  /** One pod at a time, in order, each ready before the next (the default; what most databases need). */
  ORDERED_READY = 'OrderedReady',
  /** All pods at once (peers that discover each other, e.g. a consensus cluster bootstrapping). */
  PARALLEL = 'Parallel',
}

/** A persistent volume of each pod of a stateful service (a `volumeClaimTemplates` entry). */
export interface StatefulVolume {
  /** Name of the volume (a DNS-1123 label); the claims are named `<name>-<service>-<ordinal>`. */
  readonly name: string;
  /** Absolute path where the volume is mounted. */
  readonly mountPath: string;
  /** Requested capacity (e.g. `Size.gibibytes(10)`). */
  readonly size: Size;
  /**
   * Access mode.
   * @default VolumeAccessMode.READ_WRITE_ONCE
   */
  readonly accessMode?: VolumeAccessMode;
  /**
   * StorageClass of the claim. A class the cluster's traits describe must serve `accessModes`: ReadWriteMany
   * needs a shared file system such as the EFS add-on's class `efs` (gp3 and local-path volumes are mounted
   * by one node only).
   * @default - the cluster's default for volume claims (`traits.storageClassName` of the PlatformChart)
   */
  readonly storageClassName?: string;
  /**
   * Restore: each pod's claim starts as a copy of this CSI VolumeSnapshot (in the service's namespace), for
   * example one imported from an AWS Backup recovery point with {@link VolumeSnapshotImport}. Used only when a
   * claim is created (a new StatefulSet, a new pod ordinal): existing claims keep their data. Needs the CSI
   * snapshot controller on the cluster (`traits.volumeSnapshots`: EKS with the VolumeBackupAddOn); refused on
   * k3s and kubeadm, which restore with a `RestoredVolume` (docs/storage.md, "Restore").
   * @default - an empty volume
   */
  readonly fromSnapshot?: string;
}

/** Props of a {@link StatefulService}. */
export interface StatefulServiceProps extends ContainerWorkloadProps {
  /** Ports of the service (and of the container), e.g. `[{ name: 'postgres', port: 5432 }]`. */
  readonly ports: WebServicePort[];
  /**
   * Number of pods. Stateful services are not autoscaled.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Persistent volumes of each pod. Changing them later needs a new StatefulSet (Kubernetes does not
   * allow updating `volumeClaimTemplates`).
   * @default - none
   */
  readonly volumes?: StatefulVolume[];
  /**
   * What happens to the volume claims when the StatefulSet is deleted or scaled down.
   * @default ClaimRetentionPolicy.retain()
   */
  readonly claimRetention?: ClaimRetentionPolicy;
  /**
   * How pods are started and stopped.
   * @default PodManagementPolicy.ORDERED_READY
   */
  readonly podManagementPolicy?: PodManagementPolicy;
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
   * A ClusterIP Service named like the workload, for clients (only ready pods). The headless Service
   * `<name>-headless` (stable per-pod DNS names) always exists.
   * @default true
   */
  readonly clientService?: boolean;
  /**
   * Publish pods in the headless Service's DNS before they are ready, so peers can find each other while
   * a cluster forms. Clients using the client Service only ever reach ready pods.
   * @default true
   */
  readonly publishNotReadyAddresses?: boolean;
  /**
   * PodDisruptionBudget.
   * @default DisruptionBudget.maxUnavailable(1)
   */
  readonly disruptionBudget?: DisruptionBudget;
  /**
   * Who may connect to the pods (a NetworkPolicy). The service's own pods may always reach each other
   * (replication), also with `Callers.only(...)`. In a namespace that denies egress by default, also allow
   * the pods' own egress: `new NetworkRules(chart, 'rules').allow(db, db)`.
   * @default Callers.sameNamespace()
   */
  readonly callers?: Callers;
  /**
   * Prometheus metrics: a ServiceMonitor, a NetworkPolicy rule for Prometheus, default alerts (also a volume
   * over 85% full) and the namespace's Grafana dashboard (see docs/observability.md).
   * @default - not scraped
   */
  readonly metrics?: WorkloadMetrics;
  /**
   * Right-sizing by the Vertical Pod Autoscaler (a VerticalPodAutoscaler object; the VPA must run on the cluster).
   * @default - none
   */
  readonly rightSizing?: RightSizingOptions;
}

const RESERVED_VOLUME = /^(config|secret-\d+|writable-\d+)$/;

/**
 * Refuses a claim that asks a StorageClass the traits describe for an access mode it cannot serve: the
 * claim would stay Pending forever. Says which class can serve it, or how to get one.
 */
function checkClassServes(v: PropValidator, traits: ClusterTraits, prop: string, className: string, mode: VolumeAccessMode): void {
  const described = traits.storageClass(className);
  if (described === undefined || described.accessModes.includes(mode)) return;
  const serving = traits.storageClassesServing(mode);
  const instead = serving.length > 0 ? `use storageClassName ${serving.map(n => `"${n}"`).join(' or ')}`
    : mode === VolumeAccessMode.READ_WRITE_MANY || mode === VolumeAccessMode.READ_ONLY_MANY
      ? 'install the EFS add-on (`addOns: [new EfsAddOn()]`, a shared file system) and use storageClassName "efs"'
      : 'use a StorageClass that serves it';
  v.fail(`${prop}.accessMode`, mode, `cannot be served by StorageClass "${className}" (it serves ${described.accessModes.join(', ')}): `
    + `the claim would stay Pending. ${instead[0].toUpperCase()}${instead.slice(1)}, or choose ${described.accessModes[0]} if one pod writes.`);
}

/**
 * A claim's VolumeSnapshot source: a valid name, on a cluster whose snapshot controller restores it (without
 * one the claim stays Pending, and k3s/kubeadm do not even know the kind).
 */
function checkFromSnapshot(v: PropValidator, traits: ClusterTraits, prop: string, name: string): void {
  v.dnsSubdomain(prop, name);
  v.check(traits.volumeSnapshots, prop, name, 'needs the CSI snapshot controller, which the cluster\'s traits say it does not run (traits.volumeSnapshots '
    + 'is false): the claim would stay Pending. On EKS install the VolumeBackupAddOn (the platform stacks do by default) and build the chart with '
    + 'cluster.traits; on k3s and kubeadm restore with a RestoredVolume (an EBS volume made from the snapshot, reserved for the claim; docs/storage.md, "Restore").');
}

/**
 * A stateful service (a database, a queue): StatefulSet + headless Service + client Service + volume
 * claims per pod (kept when the service is deleted) + PodDisruptionBudget + NetworkPolicy, every pod passing
 * Pod Security "restricted".
 *
 * Kubernetes does not allow changing a StatefulSet's `volumeClaimTemplates`, `selector`, `serviceName` or
 * `podManagementPolicy` after creation: the claim templates therefore carry only labels that never change
 * (not the version label), so image upgrades apply cleanly.
 */
export class StatefulService extends WorkloadBase implements IWorkloadSelector {
  /** The StatefulSet (L1 escape hatch). */
  public readonly statefulSet: k8s.KubeStatefulSet;
  /** The headless Service that gives each pod a stable DNS name. */
  public readonly headlessService: k8s.KubeService;
  /** The client Service (ready pods only), unless `clientService` is false. */
  public readonly service?: k8s.KubeService;
  /** The PodDisruptionBudget, unless turned off. */
  public readonly disruptionBudget?: k8s.KubePodDisruptionBudget;
  /** The NetworkPolicy, unless callers is `Callers.any()`. */
  public readonly networkPolicy?: k8s.KubeNetworkPolicy;
  /** The VerticalPodAutoscaler, when `rightSizing` is given. */
  public readonly rightSizing?: ApiObject;
  /** The resolved ports. */
  public readonly ports: ReadonlyArray<ResolvedPort>;
  /** Name of the headless Service. */
  public readonly headlessServiceName: string;

  constructor(scope: Construct, id: string, props: StatefulServiceProps) {
    super(scope, id, props, 'StatefulService', 'database');
    const v = this.validator;
    const chart = PlatformChart.of(this);
    v.serviceName('name', this.name);
    // pods carry `controller-revision-hash: <name>-<10 chars>`, a label value of at most 63 characters
    v.check(this.name.length <= 52, 'name', this.name, 'must be at most 52 characters: the StatefulSet\'s pods carry a revision label "<name>-<hash>" limited to 63.');
    this.headlessServiceName = `${this.name}-headless`;

    const ports = resolvePorts(v, 'ports', props.ports, { required: true, mapped: true });
    this.ports = ports;

    const replicas = props.replicas ?? 1;
    v.integer('replicas', replicas, 0, 1000);

    // volumes
    const volumes = props.volumes ?? [];
    v.check(Array.isArray(volumes), 'volumes', volumes, 'must be a list of volumes.');
    const writable = props.writablePaths ?? ['/tmp'];
    const claims: k8s.KubePersistentVolumeClaimProps[] = volumes.map((vol, i) => {
      v.dnsLabel(`volumes[${i}].name`, vol?.name);
      v.check(!RESERVED_VOLUME.test(vol.name), `volumes[${i}].name`, vol.name, 'is reserved for the pod\'s own volumes (config, secret-N, writable-N): choose another name such as "data".');
      v.absolutePath(`volumes[${i}].mountPath`, vol.mountPath);
      v.check(!writable.includes(vol.mountPath), `volumes[${i}].mountPath`, vol.mountPath,
        'is also listed in writablePaths: a path is either a persistent volume or a scratch emptyDir, not both; remove it from one of them.');
      const storage = sizeQuantity(v, `volumes[${i}].size`, vol.size);
      const storageClassName = vol.storageClassName ?? chart.traits.storageClassName;
      v.dnsSubdomain(`volumes[${i}].storageClassName`, storageClassName);
      const accessMode = checkMember(v, `volumes[${i}].accessMode`, vol.accessMode, 'VolumeAccessMode', VolumeAccessMode, VolumeAccessMode.READ_WRITE_ONCE);
      checkClassServes(v, chart.traits, `volumes[${i}]`, storageClassName, accessMode);
      if (vol.fromSnapshot !== undefined) checkFromSnapshot(v, chart.traits, `volumes[${i}].fromSnapshot`, vol.fromSnapshot);
      return {
        metadata: { name: vol.name, labels: { ...this.selectorLabels, 'app.kubernetes.io/managed-by': this.labels['app.kubernetes.io/managed-by'] } },
        spec: {
          accessModes: [accessMode],
          storageClassName,
          resources: { requests: { storage: k8s.Quantity.fromString(storage.quantity) } },
          dataSource: vol.fromSnapshot === undefined ? undefined
            : { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: vol.fromSnapshot },
        },
      };
    });
    v.unique('volumes[].name', volumes.map(x => x.name), 'volume name');
    v.unique('volumes[].mountPath', volumes.map(x => x.mountPath), 'mount path');

    const pod = this.buildPod({
      ports: containerPorts(ports),
      probes: props.probes,
      healthCheckPath: props.healthCheckPath,
      extraMounts: volumes.map(x => ({ name: x.name, mountPath: x.mountPath })),
    });
    // only chown volumes whose root does not already belong to the group: fast restarts with big volumes
    const template: k8s.PodTemplateSpec = volumes.length === 0 ? pod.template : {
      ...pod.template,
      spec: {
        ...pod.template.spec!,
        securityContext: { ...pod.template.spec!.securityContext, fsGroupChangePolicy: 'OnRootMismatch' },
      },
    };

    const retention = props.claimRetention ?? ClaimRetentionPolicy.retain();
    this.statefulSet = new k8s.KubeStatefulSet(this, 'StatefulSet', {
      metadata: this.metadata(),
      spec: {
        serviceName: this.headlessServiceName,
        replicas,
        selector: { matchLabels: this.selectorLabels },
        podManagementPolicy: checkMember(v, 'podManagementPolicy', props.podManagementPolicy, 'PodManagementPolicy', PodManagementPolicy, PodManagementPolicy.ORDERED_READY),
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: retention.whenDeleted, whenScaled: retention.whenScaled },
        revisionHistoryLimit: 5,
        template,
        volumeClaimTemplates: claims.length ? claims : undefined,
      },
    });

    // a PersistentVolume reserved for one of its claims (a RestoredVolume) is applied before it
    const claimNames = new RegExp(`^(${volumes.map(x => x.name).join('|')})-${this.name}-\\d+$`);
    const reserved = volumes.length === 0 ? [] : reservedVolumesFor(chart, n => claimNames.test(n));
    if (reserved.length > 0) this.statefulSet.node.addDependency(...reserved);

    const servicePorts = ports.map(p => ({ name: p.name, port: p.port, targetPort: k8s.IntOrString.fromString(p.name), protocol: p.protocol }));
    this.headlessService = new k8s.KubeService(this, 'HeadlessService', {
      metadata: this.metadata(undefined, '-headless'),
      spec: {
        clusterIp: 'None',
        selector: this.selectorLabels,
        publishNotReadyAddresses: props.publishNotReadyAddresses ?? true,
        ports: servicePorts,
      },
    });
    if (props.clientService ?? true) {
      this.service = new k8s.KubeService(this, 'Service', {
        metadata: this.metadata(),
        spec: { type: 'ClusterIP', selector: this.selectorLabels, ports: servicePorts },
      });
    }

    this.disruptionBudget = buildPdb(this, v, this.metadata(), this.selectorLabels, props.disruptionBudget, replicas);
    if (props.rightSizing) this.rightSizing = buildVpa(this, v, this.metadata(), { kind: 'StatefulSet', name: this.name }, props.rightSizing, undefined);

    const callers = props.callers ?? Callers.sameNamespace();
    this.networkPolicy = buildNetworkPolicy(this, v, chart, {
      metadata: this.metadata(),
      selector: this.selectorLabels,
      namespace: this.namespace,
      // the pods replicate between each other whatever the callers
      callers: callers.mode === 'only' ? Callers.only(...callers.workloads, this) : callers,
      ports: policyPorts(ports),
      fromIngressController: false,
    });
    const monitoring = { kind: 'StatefulService', metrics: props.metrics, service: this.service ?? this.headlessService };
    addMonitoring(this, { ...this, ...monitoring, controller: 'StatefulSet', autoscaled: false, volumes: volumes.map(x => x.name) });
  }

  /** The stable DNS name of pod `ordinal` (e.g. `db-0.db-headless.shop.svc.cluster.local`). */
  public podDnsName(ordinal: number, clusterDomain = 'cluster.local'): string {
    this.validator.integer('podDnsName(ordinal)', ordinal, 0, 100000);
    return `${this.name}-${ordinal}.${this.headlessServiceName}.${this.namespace ?? 'default'}.svc.${clusterDomain}`;
  }
}
