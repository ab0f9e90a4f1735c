/**
 * The templates as CloudFormation and AWS judge them, over every stack kind the library produces:
 *
 * - aws-cdk-lib's built-in "CloudFormation Validate" (the resource schemas: types, required and deprecated
 *   properties), strict: a warning counts like an error;
 * - AWS's guard rules: the Control Tower proactive controls that @cdklabs/cdk-validator-cfnguard ships
 *   (cfn-guard, run on each template).
 *
 * Both run as validation plugins of the App, as a user's pipeline would register them; a finding either is
 * fixed in the library or acknowledged where it arises (`Validations.of(scope).acknowledge`) with a reason,
 * listed in docs/security.md. The bundled app (`npx cdk synth`) is checked as users run it: built-in
 * validation on by default, no finding printed.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, CloudFormationValidatePlugin, Stack, Validations } from 'aws-cdk-lib';
import { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import { Acknowledgement, STACK_VARIANTS, StackVariant, acknowledgementsOf, checkAcknowledgementTable } from './stacks';
import * as threeTierEks from '../../examples/three-tier-eks/app';

const ROOT = path.resolve(__dirname, '..', '..');
const GUARD = 'cdk-validator-cfnguard::';
/** Every stack kind (the k3s three-tier example is one of them), and the EKS example as its README builds it. */
const EKS_EXAMPLE: StackVariant = { label: 'example three-tier-eks', build: app => threeTierEks.build(app).stack };
const CHECKED: StackVariant[] = [...STACK_VARIANTS, EKS_EXAMPLE];
/** A log group kept 8 days (not a value CloudFormation accepts) and not for a year (guard): both plugins report it. */
const KNOWN_BAD: StackVariant = {
  label: 'known bad',
  build: app => {
    const stack = new Stack(app, 'known-bad');
    new CfnLogGroup(stack, 'Logs', { retentionInDays: 8 });
    return stack;
  },
};
const CFN = 'CloudFormation-Validate::';

interface Finding { readonly plugin: string; readonly rule: string; readonly severity: string; readonly stack: string; readonly at: string }

interface ValidationReport {
  pluginReports: Array<{
    pluginName: string;
    violations: Array<{
      ruleName: string;
      severity?: string;
      violatingConstructs: Array<{ constructPath?: string; cloudFormationResource?: { templatePath?: string; logicalId?: string } }>;
    }>;
  }>;
}

/** The findings of a validation report (what is left after acknowledgements). */
function findingsOf(report: ValidationReport): Finding[] {
  return report.pluginReports.flatMap(p => p.violations.flatMap(v => v.violatingConstructs.map(c => ({
    plugin: p.pluginName,
    rule: v.ruleName,
    severity: v.severity ?? 'error',
    stack: (c.cloudFormationResource?.templatePath ?? c.constructPath ?? '?').replace(/\.template\.json$/, '').split('/')[0],
    at: c.constructPath ?? c.cloudFormationResource?.logicalId ?? '?',
  }))));
}

describe('CloudFormation validation and AWS guard rules over every stack the library produces', () => {
  // Two apps hold every stack kind (and one known-bad stack): each plugin then runs once per app over all its templates
  // (cfn-guard compiles its rules per run, the validation engine loads its schemas per plugin: ~8-12 s each).
  const labels = new Map<string, string>();
  const findings: Finding[] = [];
  let plugins: string[] = [];
  const acks: Array<{ label: string; acks: Acknowledgement[] }> = [];
  beforeAll(() => {
    // the EKS example is an app of its own, as the three-tier-k3s one is: both name their platform "shop" for
    // the same account and region, which one app refuses (one platformName per account and region)
    for (const group of [[...STACK_VARIANTS, KNOWN_BAD], [EKS_EXAMPLE]]) {
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-k8s-platform-validate-'));
      try {
        // the report is left to the caller (as the CLI does) instead of thrown, so every finding is listed
        const app = new App({ outdir, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
        Validations.of(app).addPlugins(new CloudFormationValidatePlugin(), new CfnGuardValidator());
        const stacks = group.map(v => {
          const stack = v.build(app);
          labels.set(stack.stackName, v.label);
          return { label: v.label, stack };
        });
        const previous = process.exitCode;
        app.synth();
        process.exitCode = previous;
        const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as ValidationReport;
        findings.push(...findingsOf(report));
        plugins = [...new Set([...plugins, ...report.pluginReports.map(p => p.pluginName)])];
        acks.push(...stacks.filter(s => s.label !== KNOWN_BAD.label)
          .map(s => ({ label: s.label, acks: [...acknowledgementsOf(s.stack, GUARD), ...acknowledgementsOf(s.stack, CFN)] })));
      } finally {
        fs.rmSync(outdir, { recursive: true, force: true });
      }
    }
  });

  test('both plugins ran, and they can fail: the known-bad stack is reported by both', () => {
    expect(plugins.sort()).toEqual(['CloudFormation Validate', 'cdk-validator-cfnguard']);
    expect(findings.filter(f => f.stack === 'known-bad').map(f => `${f.plugin} ${f.rule}`).sort()).toEqual(expect.arrayContaining([
      'CloudFormation Validate W3030',
      'cdk-validator-cfnguard cloudwatch_log_group_retention_period_check',
    ]));
  });

  test('no finding that is not acknowledged, warnings included, in any stack kind or platform example', () => {
    const byStack = CHECKED.map(v => ({
      stack: v.label,
      findings: findings.filter(f => labels.get(f.stack) === v.label).map(f => `${f.plugin} ${f.severity} ${f.rule} at ${f.at}`),
    }));
    expect(byStack).toEqual(CHECKED.map(v => ({ stack: v.label, findings: [] })));
    expect(findings.filter(f => f.stack !== 'known-bad' && !labels.has(f.stack))).toEqual([]);
  });

  test('every acknowledgement gives a real reason', () => {
    for (const s of acks) {
      for (const a of s.acks) expect({ id: a.id, reason: a.reason.length >= 40 }).toEqual({ id: a.id, reason: true });
    }
  });

  test('docs/security.md lists every guard-rule and CloudFormation-validation acknowledgement with its reason', () => {
    checkAcknowledgementTable('template-validation-acknowledgements', 'test/compliance/template-validation.test.ts', acks);
  });
});

describe('the bundled app, as `npx cdk synth` runs it', () => {
  test('built-in CloudFormation validation is on and reports nothing', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-k8s-platform-app-validate-'));
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ 'cdk-k8s-platform:replacementGuard': 'verify', '@aws-cdk/core:strictCfnValidateErrors': true }) };
      delete env.CDK_VALIDATION;
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'bin/app.ts'], { cwd: ROOT, encoding: 'utf-8', env });
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
      // aws-cdk-lib writes the report only when a validation plugin ran: the built-in one is the app's only
      // plugin, so the file proves it ran (with CDK_VALIDATION=false there is none); it lists no plugin report
      // when nothing was found
      const file = path.join(outdir, 'validation-report.json');
      expect({ validated: fs.existsSync(file) }).toEqual({ validated: true });
      const report = JSON.parse(fs.readFileSync(file, 'utf8')) as ValidationReport;
      expect(report.pluginReports.flatMap(p => p.violations.map(v => `${p.pluginName} ${v.ruleName}`))).toEqual([]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
