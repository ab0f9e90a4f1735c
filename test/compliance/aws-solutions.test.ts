import { AwsSolutionsChecks } from 'cdk-nag';
import { describeNagPack } from './nag-pack';

describeNagPack({
  name: 'AwsSolutions',
  pack: () => new AwsSolutionsChecks(),
  rulePrefix: 'AwsSolutions-',
  ruleId: /^AwsSolutions-[A-Z]+\d+(\[.+\])?$/,
  docMarker: 'nag-acknowledgements',
  testFile: 'test/compliance/aws-solutions.test.ts',
});
