import { NIST80053R5Checks } from 'cdk-nag';
import { describeNagPack } from './nag-pack';

describeNagPack({
  name: 'NIST 800-53 R5',
  pack: () => new NIST80053R5Checks(),
  rulePrefix: 'NIST.800.53.R5-',
  ruleId: /^NIST\.800\.53\.R5-[A-Za-z0-9]+(\[.+\])?$/,
  docMarker: 'nist-800-53-r5-acknowledgements',
  testFile: 'test/compliance/nist-800-53-r5.test.ts',
});
