/**
 * The version `service-jwt --version` prints. A literal, because the package's `package.json`
 * lies outside the compiled `src` and the same code runs as ESM (published) and CommonJS
 * (jest): a test keeps it equal to `package.json`'s `version`.
 */
export const VERSION = '0.1.0';
