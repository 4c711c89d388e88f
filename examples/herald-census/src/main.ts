import { start } from './index.js';

// `pnpm start`: runs Herald and Census until Ctrl-C.
start()
  .then(({ urls, close }) => {
    console.log(`Herald ${urls.herald}, Census ${urls.census}`);
    console.log(
      `  accepted: curl -X POST -H 'content-type: application/json' -H 'x-user: ada' -d '{"name":"Ada"}' ${urls.herald}/register`,
    );
    console.log(`  refused:  curl -X POST ${urls.herald}/purge   (403 caller_not_allowed)`);
    process.once('SIGINT', () => {
      close().then(() => process.exit(0));
    });
  })
  .catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
