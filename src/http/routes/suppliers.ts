import { Hono } from 'hono';
import { NotFoundError, UnauthorizedError } from '../../errors.ts';
import type { Hub } from '../../hub.ts';
import { receiveInboundFile } from '../../pipeline/apply.ts';
import { limitBody, readBody, secretsEqual, type AppEnv } from '../request.ts';

/** Maximum size of one pushed supplier document. */
const MAX_PUSH_BYTES = 10 * 1024 * 1024;

/**
 * `POST /v1/suppliers/{supplierId}/documents`: a supplier on HTTP pushes what an SFTP supplier
 * would drop in its folder. Authenticated with the mapping's `transport.inboundToken`; processed
 * exactly like a polled file (same ledger, same duplicate detection, same quarantine).
 */
export function supplierRoutes(hub: Hub) {
  const app = new Hono<AppEnv>();
  app.post('/:supplierId/documents', limitBody(MAX_PUSH_BYTES), async (c) => {
    const loaded = hub.mappings.get(c.req.param('supplierId'));
    const expected = loaded?.mapping.transport.type === 'http' ? loaded.mapping.transport.inboundToken : undefined;
    const given = c.req.header('authorization')?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
    const ok = secretsEqual(given ?? '', expected ?? 'no-token-configured');
    if (!loaded || !expected || !given || !ok) throw new UnauthorizedError();
    const filename = (c.req.header('x-filename') ?? defaultName(c.req.header('content-type'))).slice(0, 255);
    const content = await readBody(c, MAX_PUSH_BYTES);
    const result = await receiveInboundFile(hub, loaded, { name: filename, content, via: 'http' });
    if (!result) throw new NotFoundError('supplier');
    return c.json(result, result.status === 'failed' ? 422 : 200);
  });
  return app;
}

function defaultName(contentType: string | undefined): string {
  if (/json/i.test(contentType ?? '')) return 'push.json';
  if (/csv/i.test(contentType ?? '')) return 'push.csv';
  if (/xml/i.test(contentType ?? '')) return 'push.xml';
  return 'push.edi';
}
