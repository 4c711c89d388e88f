console.log(
  'pnpm demo: not built yet (issue 9/9). It will start real services on 127.0.0.1 and play',
);
console.log(
  'the scenarios of design.md: static identity token, user token refused (source_mismatch),',
);
console.log(
  'wrong audience, expired token, tampered body, replay, revoked caller, key rotation, gateway signing.',
);
