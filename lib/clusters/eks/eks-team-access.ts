import { Lazy, Names, Token } from 'aws-cdk-lib';
import type { CfnAccessEntry } from 'aws-cdk-lib/aws-eks';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { eksL1Classes } from './private/eks-l1';
import { cdkPropValidator } from '../../private/validate';
import { PlatformTeam, TeamRole } from '../../workloads/platform-team';
import { checkTeamJoins, TEAM_ROLES } from '../../workloads/private/platform-team-checks';

/** IAM roles that sign in as members of a team, by the role they hold in the team's namespaces. */
export interface TeamIamRoles {
  /**
   * Roles that hold `admin` (the team must have `groups.admin`).
   * @default - none
   */
  readonly admin?: iam.IRole[];
  /**
   * Roles that hold `edit` (the team must have `groups.edit`).
   * @default - none
   */
  readonly edit?: iam.IRole[];
  /**
   * Roles that hold `view` (the team must have `groups.view`).
   * @default - none
   */
  readonly view?: iam.IRole[];
}

/** How people reach a team's namespaces, given when the team is added to a cluster. */
export interface TeamAccessOptions {
  /**
   * IAM roles mapped to the team (EKS only: access entries). On k3s and kubeadm users authenticate with
   * client certificates or OIDC whose groups are the team's groups (docs/teams.md).
   * @default - none (the team's groups are bound; who is in them is up to your authenticator)
   */
  readonly iamRoles?: TeamIamRoles;
}

/** Props of an {@link EksTeamAccess}. */
export interface EksTeamAccessProps {
  /** The EKS cluster (its authentication mode must include API: aws-eks-v2 clusters use API). */
  readonly cluster: eks.ICluster;
  /**
   * Principal ARNs that already have an access entry on the cluster (a principal has one per cluster): mapping
   * one of them to a team is refused.
   * @default - none
   */
  readonly reservedPrincipalArns?: string[];
}

/** The EKS access policy that matches each built-in ClusterRole, scoped to the team's namespaces. */
const ACCESS_POLICY: Record<TeamRole, eks.AccessPolicyArn> = {
  [TeamRole.ADMIN]: eks.AccessPolicyArn.AMAZON_EKS_ADMIN_POLICY,
  [TeamRole.EDIT]: eks.AccessPolicyArn.AMAZON_EKS_EDIT_POLICY,
  [TeamRole.VIEW]: eks.AccessPolicyArn.AMAZON_EKS_VIEW_POLICY,
};

/** One principal's access entry: the groups and the namespaces of each policy, gathered over the teams. */
interface PrincipalAccess {
  readonly groups: Set<string>;
  readonly policies: Map<TeamRole, Set<string>>;
}

/**
 * Access of IAM roles to teams' namespaces on an EKS cluster: one access entry (`STANDARD`) per IAM role,
 * with the team's Kubernetes groups of its role (so the team's RoleBindings apply, as on every cluster kind)
 * and the matching EKS access policy (`AmazonEKSAdminPolicy`, `AmazonEKSEditPolicy`, `AmazonEKSViewPolicy`)
 * scoped to the team's namespaces, so access works as soon as the entry exists. A role in several teams gets
 * one entry holding all of them. Entries are resources of their own: adding a team never touches the cluster.
 *
 * Use one per cluster (`EksPlatformCluster.addTeam` makes it for you); for an `aws-eks-v2` cluster of your
 * own: `new EksTeamAccess(stack, 'Teams', { cluster }).addTeam(team, { iamRoles: { edit: [devs] } })`.
 */
export class EksTeamAccess extends Construct {
  /** The teams added, in order. */
  public readonly teams: PlatformTeam[] = [];
  private readonly cluster: eks.ICluster;
  private readonly reserved: string[];
  private readonly principals = new Map<string, PrincipalAccess>();

  constructor(scope: Construct, id: string, props: EksTeamAccessProps) {
    super(scope, id);
    this.cluster = props.cluster;
    this.reserved = props.reservedPrincipalArns ?? [];
  }

  /**
   * Maps `options.iamRoles` to the team's namespaces. The team's objects (namespaces, quotas, RoleBindings)
   * are delivered with its chart (`cluster.addWorkloads`).
   */
  public addTeam(team: PlatformTeam, options: TeamAccessOptions = {}): void {
    const v = cdkPropValidator(this, 'EksTeamAccess');
    if (!PlatformTeam.isPlatformTeam(team)) v.fail('team', team, 'must be a PlatformTeam (lib/workloads).');
    checkTeamJoins(v, this.teams, team);
    const iamRoles = options.iamRoles ?? {};
    const unknown = Object.keys(iamRoles).filter(k => !(TEAM_ROLES as string[]).includes(k));
    if (unknown.length) v.fail(`iamRoles.${unknown[0]}`, unknown[0], `is not a role: the roles are ${TEAM_ROLES.join(', ')}.`);
    const seen = new Map<string, string>();
    for (const role of TEAM_ROLES) {
      const roles = iamRoles[role];
      if (roles === undefined) continue;
      const prop = `iamRoles.${role}`;
      v.check(Array.isArray(roles) && roles.length > 0, prop, roles, `maps no IAM role: give at least one, or leave ${prop} out.`);
      v.check(team.groupsOf(role).length > 0, prop, `[${roles.length} role(s)]`,
        `maps IAM roles to ${role}, but team "${team.name}" binds ${role} to no group: add groups.${role} to the team, so the RoleBindings name the group these roles sign in as.`);
      roles.forEach((r, i) => this.mapRole(`${prop}[${i}]`, r, team, role, seen));
    }
    this.teams.push(team);
  }

  private mapRole(prop: string, role: iam.IRole, team: PlatformTeam, teamRole: TeamRole, seen: Map<string, string>): void {
    const v = cdkPropValidator(this, 'EksTeamAccess');
    const arn = role?.roleArn;
    v.check(typeof arn === 'string', prop, role, 'must be an iam.IRole (iam.Role.fromRoleArn for a role defined elsewhere).');
    const shown = Token.isUnresolved(arn) ? role.node.path : arn;
    if (this.reserved.includes(arn)) v.fail(prop, shown, 'already has an access entry on this cluster (the cluster-admin role): a principal has one entry per cluster; map another role.');
    if (seen.has(arn)) v.fail(prop, shown, `is also mapped to ${seen.get(arn)} of team "${team.name}": give a role one level per team (admin includes edit, edit includes view).`);
    seen.set(arn, teamRole);
    const access = this.principals.get(arn) ?? this.newEntry(role, arn);
    team.groupsOf(teamRole).forEach(g => access.groups.add(g));
    const namespaces = access.policies.get(teamRole) ?? new Set<string>();
    team.namespaceNames.forEach(n => namespaces.add(n));
    access.policies.set(teamRole, namespaces);
  }

  private newEntry(role: iam.IRole, arn: string): PrincipalAccess {
    const access: PrincipalAccess = { groups: new Set(), policies: new Map() };
    this.principals.set(arn, access);
    // the id follows the role's construct, not the order of teams: reordering never replaces an entry
    // clusterName is a reference to the cluster when it is defined in this app: the entry comes after it
    new (eksL1Classes().CfnAccessEntry)(this, Names.nodeUniqueId(role.node), {
      clusterName: this.cluster.clusterName,
      principalArn: arn,
      type: 'STANDARD',
      kubernetesGroups: Lazy.list({ produce: () => [...access.groups].sort() }),
      accessPolicies: Lazy.any({ produce: () => accessPolicies(access) }),
    });
    return access;
  }
}

/** One access policy per role, scoped to the namespaces of every team where the principal holds it. */
function accessPolicies(access: PrincipalAccess): CfnAccessEntry.AccessPolicyProperty[] {
  return TEAM_ROLES.filter(role => access.policies.has(role)).map(role => ({
    policyArn: ACCESS_POLICY[role].policyArn,
    accessScope: { type: eks.AccessScopeType.NAMESPACE, namespaces: [...access.policies.get(role)!].sort() },
  }));
}
