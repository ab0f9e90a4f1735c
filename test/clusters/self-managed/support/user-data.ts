import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

/** Flattens CloudFormation intrinsics into text: Ref X → `REF_X`, GetAtt X.Y → `ATT_X_Y`, pseudo parameters to samples. */
export function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if ('Fn::Base64' in o) return flatten(o['Fn::Base64']);
    if ('Fn::Join' in o) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map(flatten).join(sep);
    }
    if ('Ref' in o) {
      const ref = o.Ref as string;
      const pseudo: Record<string, string> = { 'AWS::Region': 'eu-west-1', 'AWS::URLSuffix': 'amazonaws.com', 'AWS::Partition': 'aws', 'AWS::AccountId': '111111111111', 'AWS::StackName': 'teststack' };
      return pseudo[ref] ?? `REF_${ref}`;
    }
    if ('Fn::GetAtt' in o) return `ATT_${(o['Fn::GetAtt'] as string[]).join('_')}`;
    if ('Fn::Select' in o) return 'SELECTED';
    if ('Fn::Sub' in o) {
      return (o['Fn::Sub'] as string).replace(/\$\{([^}]+)\}/g, (_, name: string) => flatten(name.includes('.') ? { 'Fn::GetAtt': name.split('.') } : { Ref: name }));
    }
  }
  throw new Error(`cannot flatten ${JSON.stringify(value)}`);
}

/** The user data of every launch template, flattened, by the template's logical id. */
export function userDataByLaunchTemplate(template: Template): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [id, res] of Object.entries(template.findResources('AWS::EC2::LaunchTemplate'))) {
    out[id] = flatten((res as any).Properties.LaunchTemplateData.UserData);
  }
  return out;
}

/** The first launch template's user data whose logical id contains `part`. */
export function userDataOf(template: Template, part: string): string {
  const all = userDataByLaunchTemplate(template);
  const key = Object.keys(all).find(k => k.includes(part));
  if (!key) throw new Error(`no launch template matching ${part} in ${Object.keys(all).join(', ')}`);
  return all[key];
}

/** `bash -n` on a script: the error output, empty when it parses. */
export function bashSyntaxErrors(script: string): string {
  const r = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
  return r.status === 0 ? '' : r.stderr;
}

/**
 * shellcheck on a script: its findings, empty when clean; `undefined` when shellcheck is not installed
 * locally (a loud warning). In CI (`process.env.CI`) a missing shellcheck fails.
 */
export function shellcheckFindings(script: string): string | undefined {
  const r = spawnSync('shellcheck', ['-s', 'bash', '-f', 'gcc', '-'], { input: script, encoding: 'utf8' });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    if (process.env.CI) throw new Error('shellcheck is not installed: CI must install the Debian package "shellcheck" (.ci/run does).');
    // eslint-disable-next-line no-console
    console.warn('\n\n*** SKIPPED: shellcheck is not installed (apt-get install -y shellcheck). Bootstrap scripts were NOT linted. ***\n');
    return undefined;
  }
  return r.status === 0 ? '' : r.stdout;
}

/**
 * An App whose validation plugins (cdk-nag packs, guard rules) report into validation-report.json instead of
 * throwing from `app.synth()` (aws-cdk-lib >= 2.262 throws in jest), so that {@link nagFindings} lists them.
 */
export function reportingApp(): App {
  return new App({ context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
}

/**
 * Active (not acknowledged) findings of the validation plugins of an app made by {@link reportingApp}, as
 * `rule path` lines. Fails when no plugin reported (no plugin registered, or an app that throws instead).
 */
export function nagFindings(app: App): string[] {
  if (app.node.tryGetContext('@aws-cdk/core:failSynthOnValidationErrors') !== false) {
    throw new Error('nagFindings needs an app from reportingApp(): other apps throw the report from synth().');
  }
  const previous = process.exitCode;
  const assembly = app.synth();
  process.exitCode = previous;
  const file = path.join(assembly.directory, 'validation-report.json');
  if (!fs.existsSync(file)) throw new Error(`no validation report in ${assembly.directory}: register a validation plugin on the app`);
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  const out: string[] = [];
  for (const plugin of report.pluginReports ?? []) {
    for (const v of plugin.violations ?? []) {
      for (const c of v.violatingConstructs ?? v.violatingResources ?? [{}]) out.push(`${v.ruleName} ${c.constructPath ?? c.resourceLogicalId ?? ''}`);
    }
  }
  return out;
}
