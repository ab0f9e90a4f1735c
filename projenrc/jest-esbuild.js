// @ts-check
/**
 * jest transform: TypeScript to CommonJS with esbuild (no type-checking: `npm test` type-checks first).
 *
 * Plain transpilation, nothing else: esbuild hoists imports above every statement, so a `jest.mock` call would
 * run after the module it mocks had loaded. Tests therefore use no module mocks (an eslint rule in
 * .projenrc.ts forbids jest.mock, doMock and unmock): they inspect the construct tree or the template instead.
 */
const crypto = require('crypto');
const esbuild = require('esbuild');
const fs = require('fs');

/** This file's own text: editing the transform invalidates jest's cache. */
const SELF = fs.readFileSync(__filename, 'utf8');

const OPTIONS = { loader: /** @type {const} */ ('ts'), format: /** @type {const} */ ('cjs'), target: 'es2022', sourcemap: /** @type {const} */ ('inline') };

module.exports = {
  /** @param {string} source @param {string} filename */
  process(source, filename) {
    return { code: esbuild.transformSync(source, { ...OPTIONS, sourcefile: filename }).code };
  },
  /** @param {string} source @param {string} filename */
  getCacheKey(source, filename) {
    return crypto.createHash('sha256').update(`${esbuild.version}\0${SELF}\0${filename}\0${source}`).digest('hex');
  },
};
