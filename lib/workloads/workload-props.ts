import { Duration, Size } from 'cdk8s';
import { ContainerResources } from './container-resources';
import { NamedPort } from './named-port';
import { ProbeOptions } from './probe';
import { SecretRef } from './secret-ref';
import { WorkloadIdentity } from './workload-identity';

/** Configuration kept in a ConfigMap; pods roll when it changes (checksum annotation). */
export interface WorkloadConfig {
  /**
   * Non-secret environment variables, kept in the ConfigMap (each read with `configMapKeyRef`).
   * @default - none
   */
  readonly env?: Record<string, string>;
  /**
   * Files, name → content, mounted read-only at `mountPath`.
   * @default - none
   */
  readonly files?: Record<string, string>;
  /**
   * Where `files` are mounted.
   * @default '/etc/<workload name>'
   */
  readonly mountPath?: string;
}

/** A Secret (by reference) mounted as files. */
export interface SecretFiles {
  /** Name of an existing Secret in the namespace. */
  readonly secretName: string;
  /** Absolute mount path. */
  readonly mountPath: string;
}

/**
 * A scratch volume (an emptyDir) that the containers of one pod share, e.g. files an init container prepares for
 * the main container, or logs a sidecar ships. It lives as long as the pod.
 */
export interface SharedVolume {
  /** Name of the volume (a DNS-1123 label); containers mount it by this name (`volumeMounts`). */
  readonly name: string;
  /**
   * Most data the volume may hold; the pod is evicted above it.
   * @default - no limit of its own (it counts against the pod's ephemeral storage, or its memory when `inMemory`)
   */
  readonly sizeLimit?: Size;
  /**
   * Keep the volume in memory (tmpfs): fast, counted against the containers' memory limits. Needs `sizeLimit`.
   * @default false (on the node's disk)
   */
  readonly inMemory?: boolean;
}

/** A container's mount of a {@link SharedVolume}. */
export interface SharedVolumeMount {
  /** Name of a volume of `sharedVolumes`. */
  readonly volume: string;
  /** Absolute path where the container sees it. */
  readonly mountPath: string;
  /**
   * Mount it read-only.
   * @default false
   */
  readonly readOnly?: boolean;
}

/**
 * An extra container of a workload's pod (an init container or a sidecar). It gets the same secure defaults and
 * checks as the main container: the pod's non-root user, Pod Security "restricted", a read-only root filesystem
 * with declared writable paths, default resources, env checked for secrets, secrets by reference only.
 */
export interface ContainerOptions {
  /** Name of the container (a DNS-1123 label of at most 50 characters), unique in the pod. */
  readonly name: string;
  /** Image with a pinned tag or digest (`latest` and untagged images are refused). */
  readonly image: string;
  /**
   * Entrypoint override.
   * @default - the image's entrypoint
   */
  readonly command?: string[];
  /**
   * Arguments.
   * @default - the image's command
   */
  readonly args?: string[];
  /**
   * Plain, non-secret environment variables (names that look like secrets are refused: use `secretEnv`).
   * @default - none
   */
  readonly env?: Record<string, string>;
  /**
   * Environment variables from secrets, by reference only.
   * @default - none
   */
  readonly secretEnv?: Record<string, SecretRef>;
  /**
   * Requests and limits.
   * @default - as for the main container: 100m CPU and 128Mi memory requested, 256Mi memory limit
   */
  readonly resources?: ContainerResources;
  /**
   * Writable directories of this container (its own emptyDir volumes); the root filesystem is read-only.
   * @default ['/tmp']
   */
  readonly writablePaths?: string[];
  /**
   * Keep the root filesystem read-only.
   * @default true
   */
  readonly readOnlyRootFilesystem?: boolean;
  /**
   * Mounts of the pod's `sharedVolumes`.
   * @default - none
   */
  readonly volumeMounts?: SharedVolumeMount[];
}

/**
 * A native sidecar: a container that starts before the main container and runs beside it for the pod's whole
 * life (a restartable init container, `restartPolicy: Always`, Kubernetes 1.29 and later: every cluster of this
 * library). In a job it does not keep the job from completing.
 */
export interface SidecarOptions extends ContainerOptions {
  /**
   * Ports the sidecar listens on. They must differ from the main container's and the other sidecars' (the
   * containers of a pod share one network). They are not in the workload's Service or NetworkPolicy: the pod's
   * own containers reach them on localhost.
   * @default - none
   */
  readonly ports?: NamedPort[];
  /**
   * HTTP path of a health endpoint on the first port; the default probes use it.
   * @default - TCP probes on the first port, or no probes without ports
   */
  readonly healthCheckPath?: string;
  /**
   * Probes (startup, readiness and liveness, as for the main container).
   * @default - derived from the first port and `healthCheckPath`; none without ports
   */
  readonly probes?: ProbeOptions;
}

/** The container and pod settings every workload of this library shares. */
export interface ContainerWorkloadProps {
  /**
   * Name of the workload and its objects (a DNS-1123 label; Services need a DNS-1035 label).
   * @default - the construct id
   */
  readonly name?: string;
  /** Container image with a pinned tag or digest (`latest` and untagged images are refused). */
  readonly image: string;
  /**
   * Entrypoint override.
   * @default - the image's entrypoint
   */
  readonly command?: string[];
  /**
   * Arguments.
   * @default - the image's command
   */
  readonly args?: string[];
  /**
   * Plain, non-secret environment variables. Variables that look like secrets (names such as PASSWORD,
   * PASS, TOKEN, SECRET, API_KEY, or a URL with a password in it) are refused: use `secretEnv`.
   * @default - none
   */
  readonly env?: Record<string, string>;
  /**
   * Environment variables from secrets, by reference only.
   * @default - none
   */
  readonly secretEnv?: Record<string, SecretRef>;
  /**
   * Existing Secrets mounted as files.
   * @default - none
   */
  readonly secretFiles?: SecretFiles[];
  /**
   * Configuration in a ConfigMap, as env and/or files.
   * @default - no ConfigMap
   */
  readonly config?: WorkloadConfig;
  /**
   * Requests and limits.
   * @default - see ContainerResources: 100m CPU and 128Mi memory requested, 256Mi memory limit
   */
  readonly resources?: ContainerResources;
  /**
   * Writable directories (emptyDir volumes); the root filesystem is read-only.
   * @default ['/tmp']
   */
  readonly writablePaths?: string[];
  /**
   * Keep the root filesystem read-only.
   * @default true
   */
  readonly readOnlyRootFilesystem?: boolean;
  /**
   * User id the container runs as (never 0).
   * @default 10001
   */
  readonly runAsUser?: number;
  /**
   * Group id the container runs as; also the fsGroup of volumes.
   * @default 10001
   */
  readonly runAsGroup?: number;
  /**
   * Service account of the pods (an existing one; prefer `identity`, which creates it).
   * @default - the identity's ServiceAccount when `identity` is given, otherwise the namespace's default service account, without a token mounted
   */
  readonly serviceAccountName?: string;
  /**
   * The workload identity the pods run as: its own ServiceAccount (a `WorkloadIdentity` of the same chart
   * namespace), to which the cluster gives AWS credentials (`cluster.workloadIdentity(identity)` is the
   * `iam.IGrantable` on EKS). Several workloads may share one identity. Excludes `serviceAccountName`.
   * @default - no identity: the pods have no AWS credentials of their own
   */
  readonly identity?: WorkloadIdentity;
  /**
   * Mount the service account token (only for pods that call the Kubernetes API).
   * @default false
   */
  readonly automountServiceAccountToken?: boolean;
  /**
   * The `app.kubernetes.io/component` label.
   * @default 'server' for services, 'worker', 'job' or 'database' for the others
   */
  readonly component?: string;
  /**
   * Extra labels on all objects (never used in selectors).
   * @default - none
   */
  readonly labels?: Record<string, string>;
  /**
   * Extra annotations on the pods.
   * @default - none
   */
  readonly podAnnotations?: Record<string, string>;
  /**
   * Node labels the pods must run on.
   * @default - any node
   */
  readonly nodeSelector?: Record<string, string>;
  /**
   * Spread pods across zones and nodes (soft: pods still schedule when impossible).
   * @default true
   */
  readonly topologySpread?: boolean;
  /**
   * Time the process gets to stop after SIGTERM.
   * @default Duration.seconds(30)
   */
  readonly terminationGracePeriod?: Duration;
  /**
   * Containers that run to completion, one after the other, before the sidecars and the main container start
   * (migrations, fetching files into a shared volume).
   * @default - none
   */
  readonly initContainers?: ContainerOptions[];
  /**
   * Native sidecars (proxies, log shippers): they start after the init containers and before the main
   * container, and run beside it.
   * @default - none
   */
  readonly sidecars?: SidecarOptions[];
  /**
   * Scratch volumes the containers of the pod share (each container mounts them with `volumeMounts`).
   * @default - none
   */
  readonly sharedVolumes?: SharedVolume[];
  /**
   * The main container's mounts of `sharedVolumes`.
   * @default - none
   */
  readonly volumeMounts?: SharedVolumeMount[];
}
