// `node --import ./test/support/module-log.mjs ...` appends the URL of every module the process
// imports to the file named by GXGC_MODULE_LOG, so a test can tell what a command loaded (the
// bulk commands must not load the Prisma client). The hook runs on Node's loader thread.
import { register } from 'node:module';

if (process.env.GXGC_MODULE_LOG) {
  register(new URL('./module-log-hooks.mjs', import.meta.url), { data: { file: process.env.GXGC_MODULE_LOG } });
}
