import * as vm from 'vm';
const transform = require('../../projenrc/jest-esbuild.js') as {
  process(source: string, filename: string): { code: string };
  getCacheKey(source: string, filename: string): string;
};

describe('jest transform (projenrc/jest-esbuild.js)', () => {
  const source = "import * as path from 'path';\nconst n: number = 2;\nexport const joined: string = path.join('a', String(n));\n";

  test('TypeScript becomes CommonJS that runs, with an inline source map', () => {
    const { code } = transform.process(source, '/x/y.test.ts');
    expect(code).toContain('require("path")');
    expect(code).toMatch(/\/\/# sourceMappingURL=data:application\/json;base64,/);
    const module = { exports: {} as Record<string, unknown> };
    vm.runInNewContext(code, { module, exports: module.exports, require });
    expect(module.exports.joined).toBe('a/2');
  });

  test('the cache key changes with the source and the file name, not between calls', () => {
    const key = transform.getCacheKey(source, '/x/y.test.ts');
    expect(transform.getCacheKey(source, '/x/y.test.ts')).toBe(key);
    expect(transform.getCacheKey(`${source}\n`, '/x/y.test.ts')).not.toBe(key);
    expect(transform.getCacheKey(source, '/x/z.test.ts')).not.toBe(key);
  });
});
