export { CliError, type CliErrorDetails, ERROR_CODES, EXIT } from './exit-codes.js';
export { describeChecks, explainChecks, type InspectCheck } from './explain-checks.js';
export { type CliIo, nodeIo, type StdioStreams, type WriteFileOptions } from './io.js';
export { run } from './run.js';
export { VERSION } from './version.js';
