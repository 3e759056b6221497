// Module hooks for tests (test/cli-start.test.ts): append the URL of every module the process
// resolves, one a line, to the file named by HUB_TEST_MODULE_LOG. A process gets them with
//   node --import "data:text/javascript,import{register}from'node:module';register('<this file's URL>')" …
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  appendFileSync(process.env.HUB_TEST_MODULE_LOG, `${resolved.url}\n`);
  return resolved;
}
