import { App, Chart, Size } from 'cdk8s';
import { all, expectPropError, one, synthValid } from './fixtures';
import { ClusterTraits, Cpu, KubeObject, PlatformChart, PlatformNamespace, synthesizeManifests, WebService } from '../../lib/workloads';
import { PlatformTeam, PlatformTeamProps, TeamRole } from '../../lib/workloads/platform-team';
import { expectValidManifests } from '../support/k8s-check';

const GROUPS = { admin: ['payments-leads'], edit: ['payments-devs', 'oncall'], view: ['auditors'] };

function synth(props: Partial<PlatformTeamProps> = {}): { objects: KubeObject[]; team: PlatformTeam } {
  const chart = new Chart(new App(), 'teams');
  const team = new PlatformTeam(chart, 'payments', { groups: GROUPS, ...props });
  return { objects: synthValid(chart, { failOnWarnings: true, disableRules: ['xref/network-policy'] }), team };
}

const names = (objects: KubeObject[]) => objects.map(o => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);

describe('PlatformTeam defaults', () => {
  let objects: KubeObject[];
  let team: PlatformTeam;
  beforeAll(() => ({ objects, team } = synth()));

  test('one namespace named after the team, with quota, limits, default-deny ingress and one RoleBinding per role', () => {
    expect(names(objects).sort()).toEqual([
      'LimitRange/payments/container-limits',
      'Namespace//payments',
      'NetworkPolicy/payments/default-deny-ingress',
      'ResourceQuota/payments/quota',
      'RoleBinding/payments/payments-admin',
      'RoleBinding/payments/payments-edit',
      'RoleBinding/payments/payments-view',
    ]);
    expect(team.namespaceNames).toEqual(['payments']);
    expect(team.namespaces[0]).toBeInstanceOf(PlatformNamespace);
  });

  test('the Namespace enforces Pod Security restricted and carries the team label', () => {
    expect(one(objects, 'Namespace').metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'platform.cdk-k8s.io/team': 'payments',
    });
  });

  test('each role is a RoleBinding of the built-in ClusterRole of that name to the groups', () => {
    for (const role of ['admin', 'edit', 'view'] as const) {
      const rb = one(objects, 'RoleBinding', `payments-${role}`);
      expect(rb.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role });
      expect(rb.subjects).toEqual(GROUPS[role].map(name => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name })));
      expect(rb.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'cdk-k8s-platform', 'platform.cdk-k8s.io/team': 'payments' });
    }
    expect(team.groupsOf(TeamRole.EDIT)).toEqual(['payments-devs', 'oncall']);
  });

  test('default quota bounds CPU, memory, storage, pods, claims and load balancers', () => {
    expect(one(objects, 'ResourceQuota').spec.hard).toEqual({
      'requests.cpu': '4',
      'requests.memory': '8Gi',
      'limits.memory': '16Gi',
      'requests.storage': '100Gi',
      'pods': '50',
      'persistentvolumeclaims': '10',
      'services.loadbalancers': '2',
    });
  });

  test('default limits give every container the requests and memory limit the quota asks for (the workloads\' own defaults)', () => {
    expect(one(objects, 'LimitRange').spec.limits).toEqual([{
      type: 'Container',
      defaultRequest: { cpu: '100m', memory: '128Mi' },
      default: { memory: '256Mi' },
    }]);
  });
});

describe('PlatformTeam options', () => {
  test('several namespaces: each gets its own quota, limits, policy and RoleBindings', () => {
    const { objects } = synth({ namespaces: ['payments', 'payments-staging'], groups: { edit: ['payments-devs'] } });
    expect(all(objects, 'Namespace').map(o => o.metadata.name)).toEqual(['payments', 'payments-staging']);
    expect(all(objects, 'ResourceQuota').map(o => o.metadata.namespace)).toEqual(['payments', 'payments-staging']);
    expect(names(all(objects, 'RoleBinding'))).toEqual(['RoleBinding/payments/payments-edit', 'RoleBinding/payments-staging/payments-edit']);
  });

  test('a quota replaces the default; limits too; ingress may stay open and egress be denied', () => {
    const { objects } = synth({
      quota: { pods: 10 },
      limits: { defaultMemoryLimit: Size.mebibytes(512), maxCpu: Cpu.units(2) },
      defaultDenyIngress: false,
      defaultDenyEgress: true,
    });
    expect(one(objects, 'ResourceQuota').spec.hard).toEqual({ pods: '10' });
    expect(one(objects, 'LimitRange').spec.limits).toEqual([{ type: 'Container', default: { memory: '512Mi' }, max: { cpu: '2' } }]);
    expect(names(all(objects, 'NetworkPolicy'))).toEqual(['NetworkPolicy/payments/default-deny-egress']);
  });

  test('in a chart with a namespace, the RoleBindings stay in the team\'s namespaces', () => {
    const chart = new Chart(new App(), 'teams', { namespace: 'elsewhere' });
    new PlatformTeam(chart, 'payments', { groups: { view: ['auditors'] } });
    const objects = synthValid(chart);
    expect(one(objects, 'RoleBinding').metadata.namespace).toBe('payments');
    expect(one(objects, 'Namespace').metadata.namespace).toBeUndefined();
  });

  test('two teams in one app, each with its namespaces', () => {
    const chart = new Chart(new App(), 'teams');
    new PlatformTeam(chart, 'payments', { groups: { edit: ['payments-devs'] } });
    new PlatformTeam(chart, 'search', { groups: { edit: ['search-devs'] }, namespaces: ['search', 'search-jobs'] });
    expect(PlatformTeam.all(chart).map(t => t.name)).toEqual(['payments', 'search']);
    expect(all(synthValid(chart), 'Namespace').map(o => o.metadata.name)).toEqual(['payments', 'search', 'search-jobs']);
  });
});

test('a team with a web service in its namespace: every object passes every check, warnings included', () => {
  const app = new App();
  const teams = new Chart(app, 'teams');
  new PlatformTeam(teams, 'payments', { groups: { edit: ['payments-devs'] } });
  const apps = new PlatformChart(app, 'payments-apps', { traits: ClusterTraits.eks(), namespace: 'payments' });
  new WebService(apps, 'api', { image: 'ghcr.io/stefanprodan/podinfo:6.7.1', ports: [{ name: 'http', port: 80, targetPort: 9898 }], healthCheckPath: '/readyz' });
  const objects = synthesizeManifests(app).flatMap(m => m.objects);
  expectValidManifests(objects, { failOnWarnings: true });
  const pods = one(objects, 'Deployment').spec.template.spec;
  // the workload's own requests and memory limit: the quota admits it without the LimitRange
  expect(pods.containers[0].resources).toMatchObject({ requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } });
});

describe('PlatformTeam bad input', () => {
  const fail = (props: Partial<PlatformTeamProps>, prop: string, value: string, says: string, chart = new Chart(new App(), 'teams')) =>
    expectPropError(() => new PlatformTeam(chart, 'payments', { groups: GROUPS, ...props }), { path: 'teams/payments', prop: `PlatformTeam.${prop}`, value, says });

  test('a role bound to an empty group list', () => {
    fail({ groups: { edit: [] } }, 'groups.edit', '[]', 'binds the edit role to no group: name at least one group, or leave groups.edit out.');
  });

  test('no role at all, or no groups prop', () => {
    fail({ groups: {} }, 'groups', '{}', 'binds no role: give the groups of at least one of admin, edit, view.');
    fail({ groups: undefined }, 'groups', 'undefined', 'is required');
  });

  test('an unknown role', () => {
    fail({ groups: { owner: ['x'] } as never }, 'groups.owner', '"owner"', 'is not a role: the roles are admin, edit, view');
  });

  test('a group in two roles, or twice in one', () => {
    fail({ groups: { admin: ['leads'], view: ['leads'] } }, 'groups.view[0]', '"leads"', 'already holds admin, which includes view: list each group in one role only.');
    fail({ groups: { edit: ['devs', 'devs'] } }, 'groups.edit[1]', '"devs"', 'is listed twice in groups.edit');
  });

  test('a system group or a malformed group name', () => {
    fail({ groups: { view: ['system:authenticated'] } }, 'groups.view[0]', '"system:authenticated"', 'is a Kubernetes system group');
    fail({ groups: { view: ['has space'] } }, 'groups.view[0]', '"has space"', 'must be a group name of 1-128');
  });

  test('namespaces: empty, invalid, system, listed twice', () => {
    fail({ namespaces: [] }, 'namespaces', '[]', 'must name at least one namespace');
    fail({ namespaces: ['Payments'] }, 'namespaces[0]', '"Payments"', 'must be a DNS-1123 label');
    fail({ namespaces: ['default'] }, 'namespaces[0]', '"default"', 'is a namespace Kubernetes creates itself');
    fail({ namespaces: ['kube-public'] }, 'namespaces[0]', '"kube-public"', 'is a namespace Kubernetes creates itself');
    fail({ namespaces: ['a', 'b', 'a'] }, 'namespaces[2]', '"a"', 'is listed twice: list each namespace once.');
  });

  test('a CPU-limit quota with the default limits (no default CPU limit) is refused by the namespace it would break', () => {
    expectPropError(() => new PlatformTeam(new Chart(new App(), 'teams'), 'payments', { groups: GROUPS, quota: { cpuLimits: Cpu.units(8) } }), {
      path: 'teams/payments/payments', prop: 'PlatformNamespace.quota.cpuLimits', value: '"8"', says: 'also set limits.defaultCpuLimit',
    });
  });

  test('a namespace owned by another team', () => {
    const app = new App();
    new PlatformTeam(new Chart(app, 'a'), 'search', { groups: { edit: ['search-devs'] }, namespaces: ['search', 'shared'] });
    fail({ namespaces: ['payments', 'shared'] }, 'namespaces[1]', '"shared"',
      'is already owned by team "search" (a/search): a namespace belongs to one team; give the other team\'s groups a role in that team instead.', new Chart(app, 'teams'));
  });

  test('a namespace already defined by a PlatformNamespace', () => {
    const app = new App();
    new PlatformNamespace(new Chart(app, 'namespaces'), 'payments');
    fail({}, 'namespaces[0]', '"payments"', 'is already defined by the PlatformNamespace at namespaces/payments: a team creates its namespaces itself', new Chart(app, 'teams'));
  });

  test('a team name used twice in an app, or not a DNS label', () => {
    const app = new App();
    new PlatformTeam(new Chart(app, 'a'), 'payments', { groups: GROUPS, namespaces: ['pay-a'] });
    fail({ namespaces: ['pay-b'] }, 'name', '"payments"', 'is already the name of the team at a/payments', new Chart(app, 'teams'));
    fail({ name: 'Payments' }, 'name', '"Payments"', 'must be a DNS-1123 label: at most 50');
  });
});
