import { Size } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { Cpu } from './cpu';
import { ContainerLimits, NamespaceQuota, PlatformNamespace } from './platform-namespace';
import { freeId } from './private/construct-id';
import { MANAGED_BY } from './private/labels';
import { checkTeamGroups, checkTeamNamespaces, TEAM_ROLES } from './private/platform-team-checks';
import { k8s } from './private/plus';
import { PropValidator } from './private/validate';

/**
 * A role a team's groups hold in each of the team's namespaces: a RoleBinding to the Kubernetes built-in
 * ClusterRole of the same name (a string enum; the value is the ClusterRole's name).
 */
export enum TeamRole {
  /** Everything in the namespace, including Roles and RoleBindings; not the ResourceQuota, LimitRange or the Namespace itself. */
  ADMIN = 'admin',
  /** Read and write most objects (Deployments, Services, Secrets, NetworkPolicies...); no Roles or RoleBindings. */
  EDIT = 'edit',
  /** Read most objects; not Secrets, Roles or RoleBindings. */
  VIEW = 'view',
}

/**
 * The Kubernetes groups that hold each role in every namespace of a team. A group is what the user's
 * credential says: on EKS the `kubernetesGroups` of the IAM role's access entry (set for you by
 * `EksPlatformCluster.addTeam`), on k3s/kubeadm the organization (`O=`) of a client certificate or the groups
 * claim of an OIDC token (docs/teams.md).
 */
export interface TeamGroups {
  /**
   * Groups bound to the `admin` ClusterRole.
   * @default - no group is admin
   */
  readonly admin?: string[];
  /**
   * Groups bound to the `edit` ClusterRole.
   * @default - no group is editor
   */
  readonly edit?: string[];
  /**
   * Groups bound to the `view` ClusterRole.
   * @default - no group is viewer
   */
  readonly view?: string[];
}

/** Props of a {@link PlatformTeam}. */
export interface PlatformTeamProps {
  /**
   * Name of the team (a DNS-1123 label of at most 50 characters): labels its objects and names its RoleBindings.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The namespaces the team owns (DNS-1123 labels); each belongs to one team only, and the team creates it.
   * @default - one namespace named after the team
   */
  readonly namespaces?: string[];
  /** Who holds which role in the team's namespaces; at least one role, each with at least one group. */
  readonly groups: TeamGroups;
  /**
   * The ResourceQuota of each namespace. A value replaces the whole default (fields left out are then not limited).
   * @default PlatformTeam.DEFAULT_QUOTA (4 CPUs and 8 GiB requested, 16 GiB memory limits, 100 GiB of volumes, 50 pods, 10 volume claims, 2 load balancers)
   */
  readonly quota?: NamespaceQuota;
  /**
   * The LimitRange of each namespace: what containers that declare nothing get (the quota counts every
   * container, so each needs requests and a memory limit). A value replaces the whole default.
   * @default PlatformTeam.DEFAULT_LIMITS (100m CPU and 128 MiB requested, 256 MiB memory limit: the workloads' own defaults)
   */
  readonly limits?: ContainerLimits;
  /**
   * A NetworkPolicy in each namespace that denies ingress not allowed by another policy.
   * @default true
   */
  readonly defaultDenyIngress?: boolean;
  /**
   * A NetworkPolicy in each namespace that denies egress except DNS (`NetworkRules` then writes the egress
   * side of the calls it knows).
   * @default false
   */
  readonly defaultDenyEgress?: boolean;
}

const PLATFORM_TEAM = Symbol.for('cdk-k8s-platform.PlatformTeam');

/** The label every object of a team carries, with the team's name as value. */
export const TEAM_LABEL = 'platform.cdk-k8s.io/team';

/**
 * A team's slice of the cluster: its namespaces (Pod Security restricted, default-deny ingress), a
 * ResourceQuota and a LimitRange in each, and RoleBindings of the built-in `admin`, `edit` and `view`
 * ClusterRoles to the team's groups. The built-in roles, bound per namespace, are the Kubernetes way:
 * they follow every Kubernetes version and aggregate the roles of installed CRDs, and a RoleBinding grants
 * them in its namespace only.
 *
 * Deliver the chart that holds the team like any chart (`cluster.addWorkloads`); on EKS, map IAM roles to
 * the team with `EksPlatformCluster.addTeam` (access entries). On k3s and kubeadm, users authenticate with
 * client certificates or OIDC (docs/teams.md).
 *
 * ```ts
 * const teams = new Chart(app, 'teams');
 * const payments = new PlatformTeam(teams, 'payments', {
 *   namespaces: ['payments', 'payments-staging'],
 *   groups: { admin: ['payments-leads'], edit: ['payments-devs'], view: ['auditors'] },
 * });
 * ```
 */
export class PlatformTeam extends Construct {
  /** Quota of each namespace unless `quota` is given. */
  public static readonly DEFAULT_QUOTA: NamespaceQuota = {
    cpuRequests: Cpu.units(4),
    memoryRequests: Size.gibibytes(8),
    memoryLimits: Size.gibibytes(16),
    storageRequests: Size.gibibytes(100),
    pods: 50,
    persistentVolumeClaims: 10,
    loadBalancers: 2,
  };

  /** LimitRange of each namespace unless `limits` is given. */
  public static readonly DEFAULT_LIMITS: ContainerLimits = {
    defaultCpuRequest: Cpu.millis(100),
    defaultMemoryRequest: Size.mebibytes(128),
    defaultMemoryLimit: Size.mebibytes(256),
  };

  /** True if `x` is a PlatformTeam (works across copies of this library). */
  public static isPlatformTeam(x: unknown): x is PlatformTeam {
    return typeof x === 'object' && x !== null && PLATFORM_TEAM in x;
  }

  /** Every PlatformTeam in the app that holds `scope`. */
  public static all(scope: IConstruct): PlatformTeam[] {
    return scope.node.root.node.findAll().filter((c): c is PlatformTeam => PlatformTeam.isPlatformTeam(c));
  }

  /** Name of the team. */
  public readonly name: string;
  /** Names of the team's namespaces. */
  public readonly namespaceNames: string[];
  /** The team's namespaces. */
  public readonly namespaces: PlatformNamespace[];
  /** The groups of each role (only roles with groups). */
  public readonly groups: TeamGroups;
  /** The RoleBindings, in namespace then role order. */
  public readonly roleBindings: k8s.KubeRoleBinding[] = [];

  constructor(scope: Construct, id: string, props: PlatformTeamProps) {
    super(scope, freeId(scope, id, 'PlatformTeam'));
    const v = new PropValidator(this, 'PlatformTeam');
    this.name = v.dnsLabel('name', props.name ?? id, 50);
    const other = PlatformTeam.all(this).find(t => t !== this && t.name === this.name);
    if (other) v.fail('name', this.name, `is already the name of the team at ${other.node.path}: each team name may be used once per app.`);
    this.groups = checkTeamGroups(v, props.groups);
    this.namespaceNames = checkTeamNamespaces(v, this, props.namespaces ?? [this.name]);
    Object.defineProperty(this, PLATFORM_TEAM, { value: true });

    this.namespaces = this.namespaceNames.map(name => new PlatformNamespace(this, name, {
      labels: { [TEAM_LABEL]: this.name },
      quota: props.quota ?? PlatformTeam.DEFAULT_QUOTA,
      limits: props.limits ?? PlatformTeam.DEFAULT_LIMITS,
      defaultDenyIngress: props.defaultDenyIngress ?? true,
      defaultDenyEgress: props.defaultDenyEgress ?? false,
    }));
    for (const namespace of this.namespaceNames) {
      for (const role of TEAM_ROLES) this.bind(namespace, role);
    }
  }

  /** The groups holding `role` (empty when none). */
  public groupsOf(role: TeamRole): string[] {
    return [...this.groups[role] ?? []];
  }

  private bind(namespace: string, role: TeamRole): void {
    const groups = this.groups[role];
    if (!groups) return;
    this.roleBindings.push(new k8s.KubeRoleBinding(this, `${namespace}-${role}`, {
      metadata: {
        name: `${this.name}-${role}`,
        namespace,
        labels: { 'app.kubernetes.io/managed-by': MANAGED_BY, [TEAM_LABEL]: this.name },
      },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
      subjects: groups.map(name => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name })),
    }));
  }
}
