/**
 * A crash must not lose an asynchronous MDN: a real `hub serve` process is SIGKILLed right after it
 * committed a partner's message and the MDN it owes (before answering); the next process sends
 * that MDN, and the partner's resend of the same message is answered as a duplicate, not applied
 * again.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPENSSL, makeAs2Certificates, startAs2Peer, type As2Certificates, type As2Peer } from '../../helpers/as2-peer.ts';
import { processDatabaseEnv, startHubProcess, type HubProcess } from '../../helpers/hub-process.ts';
import { writeMappingDir } from '../../helpers/mappings.ts';
import { shipNotice } from '../../helpers/supplier-files.ts';

const HAS_OPENSSL = existsSync(OPENSSL);
const ADMIN = 'as2-crash-admin-token-0123456789';

let certs: As2Certificates;
let peer: As2Peer;
let database: ReturnType<typeof processDatabaseEnv>;
let env: Record<string, string>;
const hubs: HubProcess[] = [];

beforeAll(async () => {
  if (!HAS_OPENSSL) return;
  certs = await makeAs2Certificates();
  peer = await startAs2Peer({ certs, as2Id: 'ACME', hubId: 'DROPHUB' });
  const mappings = writeMappingDir({
    supplier: 'acme',
    name: 'ACME over AS2',
    skus: { prefixes: ['ACME-'] },
    transport: { type: 'as2', url: '${ACME_AS2_URL}', as2From: 'DROPHUB', as2To: 'ACME', partnerCertificate: '${ACME_AS2_CERT}', certificate: '${HUB_AS2_CERT}', privateKey: '${HUB_AS2_KEY}' },
    outbound: { format: 'json', filename: 'PO_{poNumber}.json', template: '$' },
    inbound: { files: [{ match: '*.856', format: 'x12' }] },
  });
  database = processDatabaseEnv(mkdtempSync(path.join(tmpdir(), 'hub-as2-crash-')));
  env = {
    ...database.env,
    HUB_MAPPINGS_DIR: mappings,
    HUB_ADMIN_TOKEN: ADMIN,
    HUB_POLL_INTERVAL_MS: '200',
    // The first process may claim the queued MDN for delivery in the moment before it dies: the next
    // one sends it once that claim's lease runs out (a delivery in flight extends it, so no resend).
    HUB_LEASE_MS: '3000',
    ACME_AS2_URL: peer.url,
    ACME_AS2_CERT: certs.partner.cert,
    HUB_AS2_CERT: certs.hub.cert,
    HUB_AS2_KEY: certs.hub.key,
  };
});
afterAll(async () => {
  await Promise.all(hubs.map((h) => h.kill()));
  await peer?.close();
  await database?.drop();
  certs?.remove();
});

describe.skipIf(!HAS_OPENSSL)('AS2 asynchronous MDN across a crash', () => {
  it('is sent by the next process when the first dies between its commit and its answer; a resend is a duplicate', async () => {
    const content = Buffer.from(shipNotice({ senderId: 'ACME', receiverId: 'DROPHUB', controlNumber: 9001 }, 'SHP-9001', [{ poNumber: 'NO-SUCH-PO', items: [{ supplierSku: 'ACME-TRUCK-01', quantity: 1 }], tracking: ['1Z9001'] }]));
    const first = await startHubProcess({ ...env, HUB_CRASH_AT: 'after-as2-commit' });
    hubs.push(first);
    const messageId = '<crash-9001@openssl-peer>';
    const lost = await peer.send({ url: `${first.url}/v1/as2`, content, filename: 'ASN_9001.856', messageId, mdn: 'async' }).then(
      () => 'answered',
      () => 'connection lost',
    );
    expect(lost).toBe('connection lost');
    expect(await first.exited).toBe('SIGKILL');
    expect(peer.mdns).toHaveLength(0);

    const second = await startHubProcess(env);
    hubs.push(second);
    await peer.waitFor('mdns', 1, 60_000);
    expect(peer.mdns[0]).toMatchObject({ verified: true, disposition: 'processed', originalMessageId: messageId });

    const again = await peer.send({ url: `${second.url}/v1/as2`, content, filename: 'ASN_9001.856', messageId });
    expect(again.mdn).toMatchObject({ verified: true, disposition: 'processed/warning: duplicate-document' });
    const documents = await (await fetch(`${second.url}/v1/admin/documents?direction=in`, { headers: { authorization: `Bearer ${ADMIN}` } })).json();
    const list = (documents.documents ?? documents) as { filename: string }[];
    expect(list.filter((d) => d.filename === 'ASN_9001.856')).toHaveLength(1);
  }, 120_000); // two hub processes, like the other process tests (test/process/)
});
