import { Hono } from 'hono';
import type { Hub } from '../../hub.ts';
import { MAX_AS2_BODY_BYTES, receiveAs2 } from '../../transports/as2/inbound.ts';
import { limitBody, readBody, type AppEnv } from '../request.ts';

/**
 * `POST /v1/as2`: the hub's AS2 endpoint (RFC 4130). Partners post their AS2 messages and their
 * asynchronous MDNs here; they are authenticated by their AS2 ids and certificates, not by a token
 * (src/transports/as2/inbound.ts does all of it).
 */
export function as2Routes(hub: Hub) {
  const app = new Hono<AppEnv>();
  app.post('/', limitBody(MAX_AS2_BODY_BYTES), async (c) => {
    const body = await readBody(c, MAX_AS2_BODY_BYTES);
    const answer = await receiveAs2(hub, { header: (name) => c.req.header(name), body });
    return c.body(typeof answer.body === 'string' ? answer.body : new Uint8Array(answer.body), answer.status, answer.headers);
  });
  return app;
}
