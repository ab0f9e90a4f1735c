import { IConstruct } from 'constructs';
import { PropValidator } from './validate';
import { PlatformNamespace } from '../platform-namespace';
import type { PlatformTeam, TeamGroups, TeamRole } from '../platform-team';

/** The roles, strongest first: each includes the ones after it. */
export const TEAM_ROLES = ['admin', 'edit', 'view'] as TeamRole[];

/** A Kubernetes group name as RBAC subjects and EKS access entries take it. */
const GROUP = /^[A-Za-z0-9][A-Za-z0-9:._@/+=-]{0,127}$/;

/** Checks `groups` and returns it without the roles left out. */
export function checkTeamGroups(v: PropValidator, groups: TeamGroups | undefined): TeamGroups {
  if (typeof groups !== 'object' || groups === null) v.fail('groups', groups, 'is required: give the groups of at least one role, e.g. { edit: [\'payments-devs\'] }.');
  const unknown = Object.keys(groups).filter(k => !(TEAM_ROLES as string[]).includes(k));
  if (unknown.length) v.fail(`groups.${unknown[0]}`, unknown[0], `is not a role: the roles are ${TEAM_ROLES.join(', ')} (the built-in ClusterRoles).`);
  const result: Record<string, string[]> = {};
  const holder = new Map<string, string>();
  for (const role of TEAM_ROLES) {
    const list = groups[role];
    if (list === undefined) continue;
    v.check(Array.isArray(list) && list.length > 0, `groups.${role}`, list,
      `binds the ${role} role to no group: name at least one group, or leave groups.${role} out.`);
    list.forEach((g, i) => checkGroup(v, `groups.${role}[${i}]`, g, role, holder));
    result[role] = [...list];
  }
  v.check(Object.keys(result).length > 0, 'groups', groups, 'binds no role: give the groups of at least one of admin, edit, view.');
  return result;
}

function checkGroup(v: PropValidator, prop: string, group: string, role: string, holder: Map<string, string>): void {
  v.check(typeof group === 'string' && GROUP.test(group), prop, group,
    'must be a group name of 1-128 letters, digits and ":._@/+=-", starting with a letter or digit (e.g. "payments-devs").');
  v.check(!group.startsWith('system:'), prop, group,
    'is a Kubernetes system group ("system:" is reserved; system:authenticated is every user, system:masters is cluster-admin): name a group of the team.');
  const stronger = holder.get(group);
  if (stronger === role) v.fail(prop, group, `is listed twice in groups.${role}: list each group once.`);
  if (stronger) v.fail(prop, group, `already holds ${stronger}, which includes ${role}: list each group in one role only.`);
  holder.set(group, role);
}

/** Checks the team's namespace names: valid, each once, owned by no other team and defined nowhere else. */
export function checkTeamNamespaces(v: PropValidator, team: IConstruct, names: string[]): string[] {
  v.check(Array.isArray(names) && names.length > 0, 'namespaces', names, 'must name at least one namespace (or be left out: one namespace named after the team).');
  names.forEach((name, i) => {
    const prop = `namespaces[${i}]`;
    v.dnsLabel(prop, name);
    v.check(name !== 'default' && !name.startsWith('kube-'), prop, name,
      'is a namespace Kubernetes creates itself ("default", "kube-*"): a team owns namespaces of its own.');
    if (names.indexOf(name) !== i) v.fail(prop, name, 'is listed twice: list each namespace once.');
    const owner = teamOwning(team, name);
    if (owner) {
      v.fail(prop, name, `is already owned by team "${owner.name}" (${owner.node.path}): a namespace belongs to one team; `
        + 'give the other team\'s groups a role in that team instead.');
    }
    const defined = PlatformNamespace.find(team, name);
    if (defined) {
      v.fail(prop, name, `is already defined by the PlatformNamespace at ${defined.node.path}: a team creates its namespaces itself; `
        + 'remove that PlatformNamespace (the team gives the namespace its quota, limits and policies).');
    }
  });
  return [...names];
}

function teamOwning(scope: IConstruct, namespace: string): PlatformTeam | undefined {
  return scope.node.root.node.findAll()
    .find((c): c is PlatformTeam => c !== scope && Symbol.for('cdk-k8s-platform.PlatformTeam') in c && (c as PlatformTeam).namespaceNames.includes(namespace));
}

/**
 * Checks that `team` can join the teams already on one cluster: not added twice, and owning none of their
 * namespaces (teams from different cdk8s apps meet only here).
 */
export function checkTeamJoins(v: PropValidator, teams: readonly PlatformTeam[], team: PlatformTeam): void {
  for (const other of teams) {
    if (other === team || other.name === team.name) v.fail('team', team.name, 'is already added to this cluster: add each team once.');
    const shared = team.namespaceNames.find(n => other.namespaceNames.includes(n));
    if (shared) v.fail('team', team.name, `owns namespace "${shared}", which team "${other.name}" on this cluster owns too: a namespace belongs to one team.`);
  }
}
