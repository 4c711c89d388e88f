#!/usr/bin/env node
import { EXIT } from './exit-codes.js';
import { nodeIo } from './io.js';
import { run } from './run.js';

run(process.argv.slice(2), nodeIo()).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = EXIT.internal;
  },
);
