import * as fs from 'fs';
import { Token } from 'aws-cdk-lib';
import { AssumptionError } from '../../../errors';

const PLACEHOLDER = /@@([A-Z0-9_]+)@@/g;

/**
 * Renders bootstrap script files (kept as real files next to the code) into one bash script: a shebang,
 * then each file with its `@@NAME@@` placeholders replaced by `values`. Values may be CDK tokens (ARNs,
 * bucket names): the result then becomes an `Fn::Join` in the template. Every placeholder must have a value
 * and every value must be used, so a renamed variable cannot slip through.
 */
export function renderScript(files: string[], values: Record<string, string>): string {
  const used = new Set<string>();
  const parts = files.map(file => fs.readFileSync(file, 'utf8')
    .replace(/^#!.*\n/, '')
    .replace(PLACEHOLDER, (_, name: string) => {
      const value = values[name];
      if (value === undefined) throw new AssumptionError(`bootstrap script ${file} needs a value for @@${name}@@`);
      if (!Token.isUnresolved(value) && value.includes('\'')) {
        throw new AssumptionError(`bootstrap script value ${name} must not contain a single quote: ${JSON.stringify(value)}`);
      }
      used.add(name);
      return value;
    }));
  const unused = Object.keys(values).filter(k => !used.has(k));
  if (unused.length > 0) throw new AssumptionError(`bootstrap script values not used by ${files.join(', ')}: ${unused.join(', ')}`);
  return `#!/bin/bash\n${parts.join('\n')}`;
}
