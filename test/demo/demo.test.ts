/**
 * `hub demo --no-wait` end to end, as a user runs it: a child process with the repository's
 * example mappings, sandbox suppliers and an in-memory database. It must exit 0 with every sample
 * order shipped with tracking in its summary. DATABASE_URL is set on purpose: the demo is
 * self-contained and must not touch a configured database.
 */
import { describe, expect, it } from 'vitest';
import { runHub } from '../helpers/hub-process.ts';

const ORDERS = ['#1001', '#1002', '#1003', '#1004', '#1005', '#1006', '#1007', '#1008'];

describe('hub demo --no-wait', () => {
  it('runs the whole flow and ends with every order shipped with tracking', { timeout: 90_000 }, async () => {
    const { code, stdout, stderr } = await runHub(['demo', '--no-wait'], {
      PORT: '0',
      NO_COLOR: '1',
      DATABASE_URL: 'postgres://nobody:nothing@127.0.0.1:1/not-used-by-the-demo',
      HUB_WORKERS: '0',
    });
    expect(code, `stdout:\n${stdout}\nstderr:\n${stderr}`).toBe(0);
    expect(stdout).toMatch(new RegExp(`✔ all ${ORDERS.length} orders shipped with tracking in [\\d.]+ s`));

    // The summary: one row per order, shipped, with at least one tracking number.
    const summary = stdout.slice(stdout.indexOf('\nsummary\n'));
    for (const order of ORDERS) {
      const row = summary.split('\n').find((line) => line.trimStart().startsWith(`${order} `));
      expect(row, `${order} in the summary`).toBeDefined();
      expect(row).toMatch(new RegExp(`^\\s*${order}\\s+shipped\\s+\\S`));
      expect(row).toMatch(/(1Z[0-9A-Z]{16}|\b\d{10,22}\b|\bD\d{14}\b)/); // UPS, FedEx/USPS/DHL, OnTrac
    }
    // The split order has one PO per supplier; the backordered ACME order shipped in two parcels.
    expect(summary).toMatch(/#1002\s+shipped\s+.*\(initech\).*\(globex\)|#1002\s+shipped\s+.*\(globex\).*\(initech\)/);
    expect(summary).toMatch(/#1005\s+shipped\s+.*1Z\w+, 1Z\w+/);

    // The timeline shows the flow: held until paid, 997/855/856 back, partial shipment, webhooks, Shopify.
    expect(stdout).toMatch(/#1003\s+awaiting_payment\s+order_received/);
    expect(stdout).toMatch(/#1003\s+\S+\s+payment_captured/);
    expect(stdout).toMatch(/functional_ack_received\s+997 from supplier/);
    expect(stdout).toMatch(/855 for 1005: accepted_with_changes, 1 line backordered/);
    expect(stdout).toMatch(/#1005\s+partially_shipped\s+status/);
    expect(stdout).toMatch(/retailer webhook\s+order\.shipped .*\(signature ok\)/);
    expect(stdout).toMatch(/#1001\s+·\s+shopify \(sandbox\)\s+fulfillment created: UPS 1Z\w+/);
    expect(stdout).toMatch(/admin\s+HUB_ADMIN_TOKEN=\S+/);
    expect(stdout).toMatch(/dashboard\s+http:\/\/127\.0\.0\.1:\d+\//);
    // The supplier without a server of its own, through the hub's SFTP mailbox.
    expect(stdout).toMatch(/#1007\s+\S+\s+document_downloaded\s+PO_1007\.edi downloaded by wonka from the hub's mailbox/);
    expect(summary).toMatch(/#1007\s+shipped\s+.*\(wonka\)/);
    // The EDIFACT supplier: ORDERS D.96A out, its ORDRSP answered with a CONTRL, DESADV with tracking.
    expect(stdout).toMatch(/hanse\s+EDIFACT ORDERS D96A over SFTP/);
    expect(stdout).toMatch(/hanse\s+picked up ORDERS_1008\.edi \(ORDERS 1008, 2 lines\)/);
    expect(stdout).toMatch(/hanse\s+picked up CONTRL_\d{9}\.edi \(CONTRL: our interchange \d+ accepted\)/);
    expect(summary).toMatch(/#1008\s+shipped\s+.*\(hanse\)/);
    expect(stdout).not.toMatch(/\x1b\[/); // NO_COLOR / not a TTY: plain text
  });
});
