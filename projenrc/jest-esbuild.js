// @ts-check
/**
 * jest transform: TypeScript to CommonJS with esbuild (no type-checking: `npm test` type-checks first).
 *
 * esbuild hoists imports above everything, so top-level `jest.mock(...)` calls are moved above the
 * generated `require` calls here, as babel-jest and @swc/jest do.
 */
const crypto = require('crypto');
const esbuild = require('esbuild');

const OPTIONS = { loader: /** @type {const} */ ('ts'), format: /** @type {const} */ ('cjs'), target: 'es2022', sourcemap: /** @type {const} */ ('inline') };

/** Top-level `jest.mock(...);` statements of the output, with their [start, end) offsets. */
function mockStatements(code) {
  const found = [];
  const re = /^jest\.(mock|doMock|unmock)\(/gm;
  let m;
  while ((m = re.exec(code)) !== null) {
    let depth = 0;
    let i = m.index + m[0].length - 1;
    let quote = null;
    for (; i < code.length; i++) {
      const c = code[i];
      if (quote) {
        if (c === '\\') i++;
        else if (c === quote) quote = null;
      } else if (c === '"' || c === "'" || c === '`') {
        quote = c;
      } else if (c === '(' || c === '{' || c === '[') {
        depth++;
      } else if (c === ')' || c === '}' || c === ']') {
        depth--;
        if (depth === 0) break;
      }
    }
    let end = i + 1;
    if (code[end] === ';') end++;
    found.push([m.index, end]);
    re.lastIndex = end;
  }
  return found;
}

function hoistMocks(code) {
  const mocks = mockStatements(code);
  if (mocks.length === 0) return code;
  const texts = mocks.map(([s, e]) => code.slice(s, e));
  let rest = code;
  for (const [s, e] of [...mocks].reverse()) rest = rest.slice(0, s) + rest.slice(e);
  const firstRequire = rest.search(/^(var|const|let) [\w$]+ = (__toESM\()?require\(/m);
  const at = firstRequire >= 0 ? firstRequire : 0;
  return `${rest.slice(0, at)}${texts.join('\n')}\n${rest.slice(at)}`;
}

module.exports = {
  process(source, filename) {
    const { code } = esbuild.transformSync(source, { ...OPTIONS, sourcefile: filename });
    return { code: hoistMocks(code) };
  },
  getCacheKey(source, filename) {
    return crypto.createHash('sha256')
      .update(`${esbuild.version}\0${JSON.stringify(OPTIONS)}\0${filename}\0${source}\0${module.exports.process.toString()}\0${hoistMocks.toString()}`)
      .digest('hex');
  },
};
