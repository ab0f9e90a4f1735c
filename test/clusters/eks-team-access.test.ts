import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { App as Cdk8sApp, Chart } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { EksPlatformCluster } from '../../lib/clusters/eks';
import { EksTeamAccess, TeamAccessOptions } from '../../lib/clusters/eks/eks-team-access';
import { PlatformNetwork } from '../../lib/network';
import { EksPlatformStack, SelfManagedDistribution, SelfManagedPlatformStack } from '../../lib/platform';
import { ClusterTraits, PlatformChart, WebService } from '../../lib/workloads';
import { PlatformTeam, PlatformTeamProps } from '../../lib/workloads/platform-team';
import { expectValidManifests } from '../support/k8s-check';
import { expectPropError } from '../workloads/fixtures';

type Resource = { Type: string; Properties: any };
const resources = (t: Template) => t.toJSON().Resources as Record<string, Resource>;
const entries = (t: Template) => Object.entries(resources(t)).filter(([, r]) => r.Type === 'AWS::EKS::AccessEntry');

function team(id: string, props: Partial<PlatformTeamProps> = {}, chart = new Chart(new Cdk8sApp(), 'teams')): PlatformTeam {
  return new PlatformTeam(chart, id, { groups: { admin: [`${id}-leads`], edit: [`${id}-devs`], view: ['auditors'] }, ...props });
}

function eksCluster() {
  const stack = new Stack(new App(), 'Test');
  const network = new PlatformNetwork(stack, 'Network');
  const cluster = new EksPlatformCluster(stack, 'Eks', { vpc: network.vpc, vpcCidr: network.vpcCidr, clusterName: 'acme' });
  const role = (id: string) => new iam.Role(stack, id, { assumedBy: new iam.AccountRootPrincipal() });
  return { stack, cluster, role };
}

const policy = (name: string, namespaces: string[]) => ({
  PolicyArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:eks::aws:cluster-access-policy/${name}`]] },
  AccessScope: { Type: 'namespace', Namespaces: namespaces },
});

describe('EksPlatformCluster.addTeam', () => {
  let template: Template;
  let stack: Stack;
  beforeAll(() => {
    const { stack: s, cluster, role } = eksCluster();
    stack = s;
    const app = new Cdk8sApp();
    const payments = team('payments', { namespaces: ['payments', 'payments-staging'] }, new Chart(app, 'teams'));
    const search = team('search', {}, new Chart(app, 'more-teams'));
    const devs = role('PaymentsDevs');
    const auditor = role('Auditor');
    cluster.addTeam(payments, { iamRoles: { edit: [devs], view: [auditor] } });
    cluster.addTeam(search, { iamRoles: { view: [auditor] } });
    template = Template.fromStack(stack);
  });

  test('one STANDARD access entry per IAM role, on the cluster, with the team\'s groups of its role', () => {
    // besides the two entries aws-eks-v2 and the cluster make (kubectl/helm Lambda, admin role)
    expect(entries(template).filter(([id]) => id.startsWith('EksTeams'))).toHaveLength(2);
    expect(entries(template)).toHaveLength(4);
    template.hasResourceProperties('AWS::EKS::AccessEntry', {
      ClusterName: { Ref: Match.stringLikeRegexp('^EksCluster') },
      PrincipalArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PaymentsDevs'), 'Arn'] },
      Type: 'STANDARD',
      KubernetesGroups: ['payments-devs'],
    });
  });

  test('the access policy matches the role and is scoped to the team\'s namespaces', () => {
    template.hasResourceProperties('AWS::EKS::AccessEntry', {
      PrincipalArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PaymentsDevs'), 'Arn'] },
      AccessPolicies: [policy('AmazonEKSEditPolicy', ['payments', 'payments-staging'])],
    });
  });

  test('a role in several teams gets one entry holding every team\'s namespaces', () => {
    template.hasResourceProperties('AWS::EKS::AccessEntry', {
      PrincipalArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Auditor'), 'Arn'] },
      KubernetesGroups: ['auditors'],
      AccessPolicies: [policy('AmazonEKSViewPolicy', ['payments', 'payments-staging', 'search'])],
    });
  });

  test('no team entry has cluster-scoped access', () => {
    const scopes = entries(template).filter(([id]) => id.startsWith('EksTeams')).flatMap(([, r]) => r.Properties.AccessPolicies as any[]).map(p => p.AccessScope.Type);
    expect(scopes).toEqual(['namespace', 'namespace']);
  });
});

test('adding a team changes no resource of the cluster: it only adds access entries', () => {
  const before = eksCluster();
  const after = eksCluster();
  before.role('Devs');
  after.cluster.addTeam(team('payments'), { iamRoles: { edit: [after.role('Devs')] } });
  const a = resources(Template.fromStack(before.stack));
  const b = resources(Template.fromStack(after.stack));
  const added = Object.keys(b).filter(k => !(k in a));
  expect(added.map(k => b[k].Type)).toEqual(['AWS::EKS::AccessEntry']);
  expect(Object.keys(a).filter(k => !(k in b))).toEqual([]);
  for (const k of Object.keys(a)) expect([k, b[k]]).toEqual([k, a[k]]);
});

test('an entry keeps its logical id whatever the order the teams are added in', () => {
  const idsByRole = (order: string[]) => {
    const { stack, cluster, role } = eksCluster();
    const roles: Record<string, iam.Role> = { a: role('RoleA'), b: role('RoleB') };
    const app = new Cdk8sApp();
    for (const name of order) cluster.addTeam(team(name, {}, new Chart(app, name)), { iamRoles: { view: [roles[name]] } });
    const t = Template.fromStack(stack);
    return Object.fromEntries(entries(t).filter(([id]) => id.startsWith('EksTeams')).map(([id, r]) => [r.Properties.PrincipalArn['Fn::GetAtt'][0], id]));
  };
  const ab = idsByRole(['a', 'b']);
  expect(Object.keys(ab)).toHaveLength(2);
  expect(idsByRole(['b', 'a'])).toEqual(ab);
});

test('an aws-eks-v2 cluster of your own (here imported by name) takes a team through EksTeamAccess', () => {
  const stack = new Stack(new App(), 'Own');
  const cluster = eks.Cluster.fromClusterAttributes(stack, 'Cluster', { clusterName: 'legacy' });
  const devs = iam.Role.fromRoleArn(stack, 'Devs', 'arn:aws:iam::111122223333:role/payments-devs');
  new EksTeamAccess(stack, 'Teams', { cluster }).addTeam(team('payments'), { iamRoles: { admin: [devs] } });
  Template.fromStack(stack).hasResourceProperties('AWS::EKS::AccessEntry', {
    ClusterName: 'legacy',
    PrincipalArn: 'arn:aws:iam::111122223333:role/payments-devs',
    KubernetesGroups: ['payments-leads'],
    AccessPolicies: [policy('AmazonEKSAdminPolicy', ['payments'])],
  });
});

describe('team access bad input', () => {
  const fail = (add: (c: ReturnType<typeof eksCluster>) => void, prop: string, value: string, says: string) => {
    const c = eksCluster();
    return expectPropError(() => add(c), { path: 'Test/Eks/Teams', prop: `EksTeamAccess.${prop}`, value, says });
  };

  test('the cluster-admin role mapped to a team', () => {
    fail(c => c.cluster.addTeam(team('payments'), { iamRoles: { view: [c.cluster.adminRole] } }), 'iamRoles.view[0]', '"Test/Eks/AdminRole"',
      'already has an access entry on this cluster (the cluster-admin role)');
  });

  test('an IAM role mapped to a role the team binds to no group', () => {
    fail(c => c.cluster.addTeam(team('payments', { groups: { view: ['auditors'] } }), { iamRoles: { edit: [c.role('Devs')] } }),
      'iamRoles.edit', '"[1 role(s)]"', 'team "payments" binds edit to no group: add groups.edit to the team');
  });

  test('an empty list of IAM roles', () => {
    fail(c => c.cluster.addTeam(team('payments'), { iamRoles: { view: [] } }), 'iamRoles.view', '[]', 'maps no IAM role: give at least one, or leave iamRoles.view out.');
  });

  test('one IAM role at two levels of one team', () => {
    fail(c => {
      const r = c.role('Devs');
      c.cluster.addTeam(team('payments'), { iamRoles: { edit: [r], view: [r] } });
    }, 'iamRoles.view[0]', '"Test/Devs"', 'is also mapped to edit of team "payments"');
  });

  test('an unknown level', () => {
    fail(c => c.cluster.addTeam(team('payments'), { iamRoles: { owner: [c.role('X')] } } as TeamAccessOptions), 'iamRoles.owner', '"owner"', 'is not a role');
  });

  test('teams of two cdk8s apps sharing a namespace, or one team added twice', () => {
    fail(c => {
      c.cluster.addTeam(team('payments'));
      c.cluster.addTeam(team('billing', { namespaces: ['payments'] }));
    }, 'team', '"billing"', 'owns namespace "payments", which team "payments" on this cluster owns too');
    fail(c => {
      const t = team('payments');
      c.cluster.addTeam(t);
      c.cluster.addTeam(t);
    }, 'team', '"payments"', 'is already added to this cluster: add each team once.');
  });
});

describe('SelfManagedPlatformStack.addTeam', () => {
  let stack: SelfManagedPlatformStack;
  beforeAll(() => {
    stack = new SelfManagedPlatformStack(new App(), 'acme-kubeadm', { platformName: 'acme', distribution: SelfManagedDistribution.kubeadm() });
  });

  test('IAM roles are refused, naming client certificates and OIDC', () => {
    const role = new iam.Role(stack, 'Devs', { assumedBy: new iam.AccountRootPrincipal() });
    expectPropError(() => stack.addTeam(team('payments'), { iamRoles: { edit: [role] } }), {
      path: 'acme-kubeadm',
      prop: 'SelfManagedPlatformStack.addTeam.iamRoles',
      value: '["edit"]',
      says: 'maps IAM roles to team "payments", but a kubeadm cluster has no AWS authenticator: give people the team\'s groups through client certificates signed by the cluster CA (CSR API) or an OIDC provider (docs/teams.md)',
    });
  });

  test('teams without IAM roles join; a namespace shared with another team is refused', () => {
    stack.addTeam(team('search'));
    expect(stack.teams.map(t => t.name)).toEqual(['search']);
    expectPropError(() => stack.addTeam(team('other', { namespaces: ['search'] })), {
      path: 'acme-kubeadm', prop: 'SelfManagedPlatformStack.addTeam.team', value: '"other"', says: 'owns namespace "search", which team "search" on this cluster owns too',
    });
  });
});

describe('a team end to end on the platform stacks', () => {
  const teamAndApps = (traits: ClusterTraits) => {
    const k8sApp = new Cdk8sApp();
    const teams = new Chart(k8sApp, 'teams');
    const payments = team('payments', {}, teams);
    const apps = new PlatformChart(k8sApp, 'payments-apps', { traits, namespace: 'payments' });
    new WebService(apps, 'api', { image: 'ghcr.io/stefanprodan/podinfo:6.7.1', ports: [{ name: 'http', port: 80, targetPort: 9898 }], healthCheckPath: '/readyz' });
    return { payments, charts: [teams, apps] };
  };

  test('EKS: the team chart is a release of its own next to the apps, and the IAM role gets its entry', () => {
    const stack = new EksPlatformStack(new App(), 'acme-eks', { platformName: 'acme' });
    const { payments, charts } = teamAndApps(stack.cluster.traits);
    stack.addTeam(payments, { iamRoles: { edit: [iam.Role.fromRoleArn(stack, 'Devs', 'arn:aws:iam::111122223333:role/payments-devs')] } });
    stack.cluster.addWorkloads('payments', charts);
    const t = Template.fromStack(stack);
    const releases = Object.values(resources(t)).filter(r => r.Type === 'Custom::AWSCDK-EKS-HelmChart').map(r => r.Properties.Release);
    expect(releases).toEqual(expect.arrayContaining(['payments-teams', 'payments-payments-apps']));
    t.hasResourceProperties('AWS::EKS::AccessEntry', { PrincipalArn: 'arn:aws:iam::111122223333:role/payments-devs', KubernetesGroups: ['payments-devs'] });
  });

  test('k3s: the team chart is delivered like any chart (its YAML asset passes every check), with no AWS access resource', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'team-k3s-'));
    try {
      const app = new App({ outdir });
      const stack = new SelfManagedPlatformStack(app, 'acme-k3s', { platformName: 'acme' });
      const { payments, charts } = teamAndApps(stack.cluster.traits);
      stack.addTeam(payments);
      stack.cluster.addWorkloads('payments', charts);
      Template.fromStack(stack).resourceCountIs('AWS::EKS::AccessEntry', 0);
      app.synth();
      const objects = fs.readdirSync(outdir).filter(f => f.endsWith('.yaml')).flatMap(f => parseAllDocuments(fs.readFileSync(path.join(outdir, f), 'utf8')))
        .map(d => d.toJSON()).filter(o => o?.kind);
      expect(objects.filter(o => o.kind === 'RoleBinding').map(o => `${o.metadata.namespace}/${o.metadata.name}`).sort())
        .toEqual(['payments/payments-admin', 'payments/payments-edit', 'payments/payments-view']);
      expectValidManifests(objects, { failOnWarnings: true, allowUnknownKinds: ['helm.cattle.io/HelmChart'] });
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
