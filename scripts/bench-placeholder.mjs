console.log(
  'pnpm bench: the HTTP benchmark arrives with issue 9/9; `pnpm bench:verify` runs the verifier benchmark.',
);
