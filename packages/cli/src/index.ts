export { explainChecks } from './commands/inspect.js';
export { CliError, EXIT } from './exit-codes.js';
export { type CliIo, nodeIo } from './io.js';
export { run } from './run.js';
