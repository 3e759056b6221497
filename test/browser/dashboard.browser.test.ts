import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type RunningHub } from '../../src/main.ts';
import { newId, sha256Hex } from '../../src/store/ids.ts';
import { setOrderStatus } from '../../src/store/orders.ts';
import { ADMIN_TOKEN, createTestHub, jsonRequest, sampleOrder, type TestHub } from '../helpers/hub.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`dashboard browser test skipped: ${CHROMIUM} not found (apt-get install chromium)`);

describe.skipIf(!hasChromium)('dashboard in a real browser (Chromium)', () => {
  let t: TestHub;
  let running: RunningHub;
  let browser: Browser;
  let seeded: { orderId: string; documentId: string };

  beforeAll(async () => {
    [t, browser] = await Promise.all([
      createTestHub({ env: { HUB_WORKERS: '0' } }),
      chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      }),
    ]);
    running = await startHub(t.hub, { port: 0, host: '127.0.0.1' });
    seeded = await seedException(t);
  });

  afterAll(async () => {
    await browser?.close();
    // stop() closes the HTTP server and the hub's store (the test hub's, so its schema goes too).
    if (running) await running.stop();
    else await t?.close();
  });

  it('signs in through the form, finds the exception, retries it and sees it resolved', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${running.url}/`);
      expect(new URL(page.url()).pathname).toBe('/login');

      await page.fill('input[name="token"]', 'wrong-token');
      await page.click('button[type="submit"]');
      await expect(page.locator('[role="alert"]').textContent()).resolves.toContain('Wrong token');

      await page.fill('input[name="token"]', ADMIN_TOKEN);
      await Promise.all([page.waitForURL(`${running.url}/`), page.click('button[type="submit"]')]);
      const cookies = await page.context().cookies();
      expect(cookies.find((c) => c.name === 'hub_admin')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });

      const exception = page.locator(`#exceptions tr[data-order="${seeded.orderId}"]`);
      await expect(exception.textContent()).resolves.toContain('connection refused');
      await expect(page.locator(`#failed tr[data-document="${seeded.documentId}"]`).count()).resolves.toBe(1);

      await Promise.all([page.waitForURL(/notice=retried/), exception.locator('button', { hasText: 'Retry' }).click()]);
      await expect(page.locator('[role="status"]').textContent()).resolves.toContain('Retry queued');
      await expect(page.locator(`#exceptions tr[data-order="${seeded.orderId}"]`).count()).resolves.toBe(0);
      await expect(page.locator(`#failed tr[data-document="${seeded.documentId}"]`).count()).resolves.toBe(0);

      await page.click(`a[href="/orders?state=routed"]`);
      await page.click(`tr[data-order="${seeded.orderId}"] a`);
      await expect(page.locator('h1').textContent()).resolves.toContain('routed');
      await expect(page.locator(`#documents tr[data-document="${seeded.documentId}"]`).textContent()).resolves.toContain('pending');
      await expect(page.locator('#timeline').textContent()).resolves.toContain('retry_requested');
    } finally {
      await page.close();
    }

    const db = t.hub.store.db;
    const doc = await db.selectFrom('documents').select('status').where('id', '=', seeded.documentId).executeTakeFirstOrThrow();
    expect(doc.status).toBe('pending');
    const order = await db.selectFrom('orders').select('status').where('id', '=', seeded.orderId).executeTakeFirstOrThrow();
    expect(order.status).toBe('routed');
  });

  it('at 1366 px, a long unbroken error stays inside its card on every page; Orders in the menu, Re-route on the order, an HTML 404', async () => {
    const fingerprint = `SHA256:${'Qx9'.repeat(120)}`;
    const long = await seedException(t, {
      externalId: 'BR-2',
      reason: `host key mismatch for sftp.acme.example:22: the server presented ${fingerprint}; update transport.hostKey`,
      lastError: `host key ${fingerprint} is not the pinned one`,
    });
    const page = await browser.newPage({ viewport: { width: 1366, height: 800 } });
    try {
      await page.goto(`${running.url}/login`);
      await page.fill('input[name="token"]', ADMIN_TOKEN);
      await Promise.all([page.waitForURL(`${running.url}/`), page.click('button[type="submit"]')]);
      const fits = () =>
        page.evaluate(() => {
          const width = document.documentElement.clientWidth;
          const outside = [...document.querySelectorAll('section.card button, section.card td, section.card dd, p.reason')]
            .filter((el) => {
              const card = el.closest('section.card, main')!.getBoundingClientRect();
              const box = el.getBoundingClientRect();
              return box.right > card.right + 1 || box.right > width + 1;
            })
            .map((el) => el.outerHTML.slice(0, 80));
          return { scroll: document.documentElement.scrollWidth, width, outside };
        });
      for (const path of ['/', '/documents', '/documents?status=failed', `/orders/${long.orderId}`, `/documents/${long.documentId}`]) {
        await page.goto(`${running.url}${path}`);
        await expect(page.content()).resolves.toContain(fingerprint.slice(0, 60));
        const { scroll, width, outside } = await fits();
        expect({ path, scroll, outside }).toEqual({ path, scroll: width, outside: [] });
      }

      await page.goto(`${running.url}/documents?status=failed`);
      await expect(page.locator('header.top a', { hasText: 'Orders' }).getAttribute('href')).resolves.toBe('/orders');
      await page.goto(`${running.url}/orders/${long.orderId}`);
      await expect(page.locator('#reroute button', { hasText: 'Re-route' }).count()).resolves.toBe(1);

      const missing = await page.goto(`${running.url}/no-such-page`);
      expect(missing?.status()).toBe(404);
      expect(missing?.headers()['content-type']).toMatch(/text\/html/);
      await expect(page.locator('h1').textContent()).resolves.toBe('Not found');
      await expect(page.locator('header.top a', { hasText: 'Orders' }).count()).resolves.toBe(1);
    } finally {
      await page.close();
    }
  });
});

/** An order whose purchase order could not be delivered: its PO document failed, the order is in exception. */
async function seedException(
  t: TestHub,
  options: { externalId?: string; reason?: string; lastError?: string } = {},
): Promise<{ orderId: string; documentId: string }> {
  const externalId = options.externalId ?? 'BR-1';
  const { apiKey } = await t.retailer({ id: `shop-browser-${externalId.toLowerCase()}` });
  const res = await t.app.request(
    '/v1/orders',
    jsonRequest(sampleOrder({ externalId, orderNumber: `#${externalId}` }), { authorization: `Bearer ${apiKey}` }),
  );
  expect(res.status).toBe(201);
  const orderId = ((await res.json()) as { id: string }).id;
  const poId = newId('po');
  const documentId = newId('doc');
  const content = Buffer.from('ISA*00*~');
  const reason = options.reason ?? 'delivery of PO_BR-1.edi to acme-toys failed after 8 attempt(s): connection refused';
  await t.hub.store.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('purchase_orders')
      .values({ id: poId, order_id: orderId, supplier_id: 'acme-toys', po_number: `${externalId}-ACME`, status: 'failed', status_reason: reason, data: JSON.stringify({ lines: [] }) })
      .execute();
    await trx
      .insertInto('documents')
      .values({
        id: documentId, direction: 'out', kind: 'po', format: 'x12-850', supplier_id: 'acme-toys', order_id: orderId, po_id: poId,
        filename: `PO_${externalId}.edi`, content, content_type: 'application/edi-x12', content_hash: sha256Hex(content), size: content.length,
        status: 'failed', attempts: 8, last_error: options.lastError ?? 'connect ECONNREFUSED 127.0.0.1:22', error_code: 'transport_failed',
      })
      .execute();
    await setOrderStatus(trx, orderId, 'routed', 'router');
    await setOrderStatus(trx, orderId, 'exception', 'outbox gave up', { reason });
  });
  return { orderId, documentId };
}
