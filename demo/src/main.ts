import { runDemo } from './run-demo.js';

// `pnpm demo`: exit code 0 only when every scenario ended as expected. `pnpm demo --observe`
// also prints the services' log lines and the OpenTelemetry metrics they recorded.
runDemo(console.log, { observe: process.argv.includes('--observe') }).then(
  (report) => {
    process.exitCode = report.ok ? 0 : 1;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
