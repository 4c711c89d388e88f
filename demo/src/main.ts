import { runDemo } from './run-demo.js';

// `pnpm demo`: exit code 0 only when every scenario ended as expected.
runDemo().then(
  (report) => {
    process.exitCode = report.ok ? 0 : 1;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
