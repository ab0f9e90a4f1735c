import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Testing } from 'cdk8s';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const tempRoot: { PREFIX: string; ENV: string; createRoot(parent: string): string; removeRoot(root: string): void } = require('../../projenrc/jest-temp-root');

describe('one temp directory per jest run', () => {
  test('tests write under the run root, which is deleted at the end', () => {
    expect(path.basename(os.tmpdir())).toMatch(new RegExp(`^${tempRoot.PREFIX}\\d+-`));
    expect(process.env[tempRoot.ENV]).toBe(os.tmpdir());
    const cdkOut = new App().synth().directory;
    const cdk8sOut = Testing.app().outdir;
    expect(path.dirname(cdkOut)).toBe(os.tmpdir());
    expect(path.dirname(cdk8sOut)).toBe(os.tmpdir());
  });

  test('a new root removes the roots of ended runs and keeps live ones; teardown removes its own', () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'parent-'));
    const abandoned = path.join(parent, `${tempRoot.PREFIX}2147483646-x`);
    const live = path.join(parent, `${tempRoot.PREFIX}${process.ppid}-x`);
    const other = path.join(parent, 'someone-else');
    [abandoned, live, other].forEach(d => fs.mkdirSync(d));
    try {
      const root = tempRoot.createRoot(parent);
      expect(fs.readdirSync(parent).sort()).toEqual([path.basename(live), path.basename(root), 'someone-else'].sort());
      tempRoot.removeRoot(root);
      expect(fs.existsSync(root)).toBe(false);
      expect(fs.existsSync(live) && fs.existsSync(other)).toBe(true);
    } finally {
      fs.rmSync(parent, { recursive: true, force: true });
    }
  });
});
