/**
 * cdk-nag packs over every stack kind: no unacknowledged finding, every acknowledgement names one of the
 * pack's rules with a real reason, and docs/security.md lists them all.
 */
import { App, Stack } from 'aws-cdk-lib';
import { NagPack } from 'cdk-nag';
import { Acknowledgement, STACK_VARIANTS, acknowledgementsOf, checkAcknowledgementTable } from './stacks';

export interface NagPackCheck {
  /** The pack's name in test titles. */
  readonly name: string;
  /** A fresh pack. */
  readonly pack: () => NagPack;
  /** Prefix of the pack's rule ids, e.g. `AwsSolutions-`. */
  readonly rulePrefix: string;
  /** A whole rule id of the pack, with the finding in brackets where the rule has several. */
  readonly ruleId: RegExp;
  /** Marker of the table in docs/security.md. */
  readonly docMarker: string;
}

/**
 * Runs each pack over every stack kind; the stacks are built once and shared by the packs (building them is
 * most of the cost).
 */
export function describeNagPacks(checks: NagPackCheck[]): void {
  const stacks: Array<{ label: string; stack: Stack }> = [];
  beforeAll(() => {
    for (const v of STACK_VARIANTS) stacks.push({ label: v.label, stack: v.build(new App()) });
  });

  for (const check of checks) {
    describe(`cdk-nag ${check.name} over every stack the library produces`, () => {
      const results: Array<{ label: string; violations: string[]; acks: Acknowledgement[] }> = [];
      beforeAll(() => {
        for (const { label, stack } of stacks) {
          const report = check.pack().validateScope(stack);
          results.push({
            label,
            violations: report.violations.flatMap(x => x.violatingResources.map(r => `${x.ruleName} at ${r.constructPath ?? r.resourceLogicalId}`)),
            acks: acknowledgementsOf(stack, check.rulePrefix),
          });
        }
      });

      test('every stack kind is checked', () => {
        expect(results.map(r => r.label)).toEqual(STACK_VARIANTS.map(v => v.label));
        expect(results.length).toBeGreaterThanOrEqual(6);
      });

      test('no unacknowledged finding in any stack', () => {
        expect(results.map(r => ({ stack: r.label, violations: r.violations }))).toEqual(results.map(r => ({ stack: r.label, violations: [] })));
      });

      test('every acknowledgement names a rule of the pack and gives a real reason', () => {
        for (const r of results) {
          expect(r.acks.length).toBeGreaterThan(0);
          for (const a of r.acks) {
            expect({ id: a.id, ok: check.ruleId.test(a.id) }).toEqual({ id: a.id, ok: true });
            expect({ id: a.id, reason: a.reason.length >= 40 }).toEqual({ id: a.id, reason: true });
          }
        }
      });

      test(`docs/security.md lists every ${check.name} acknowledgement with its reason`, () => {
        checkAcknowledgementTable(check.docMarker, 'test/compliance/nag-packs.test.ts', results);
      });
    });
  }
}
