import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { describeNagPacks } from './nag-pack';

describeNagPacks([
  {
    name: 'AwsSolutions',
    pack: () => new AwsSolutionsChecks(),
    rulePrefix: 'AwsSolutions-',
    ruleId: /^AwsSolutions-[A-Z]+\d+(\[.+\])?$/,
    docMarker: 'nag-acknowledgements',
  },
  {
    name: 'NIST 800-53 R5',
    pack: () => new NIST80053R5Checks(),
    rulePrefix: 'NIST.800.53.R5-',
    ruleId: /^NIST\.800\.53\.R5-[A-Za-z0-9]+(\[.+\])?$/,
    docMarker: 'nist-800-53-r5-acknowledgements',
  },
]);
