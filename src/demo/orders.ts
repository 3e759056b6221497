/**
 * The demo's sample orders: two arrive as Shopify webhooks (one paid, one pending and paid a moment
 * later), six as canonical orders posted to `POST /v1/orders`. Their SKUs are the ones the example
 * mappings in `mappings/` claim: `ACME-` prefixes, Globex's list, Initech's catalog, `UMB-`,
 * `WONKA-` and `HANSE-` prefixes.
 */

interface Person {
  first: string;
  last: string;
  email: string;
  phone: string;
  address1: string;
  address2: string | null;
  city: string;
  region: string;
  postalCode: string;
  company?: string;
}

const PEOPLE: Record<string, Person> = {
  ada: { first: 'Ada', last: 'Lovelace', email: 'ada@example.com', phone: '+1 555 0100', address1: '12 Main St', address2: 'Apt 4', city: 'Springfield', region: 'IL', postalCode: '62701' },
  grace: { first: 'Grace', last: 'Hopper', email: 'grace@example.com', phone: '+1 555 0101', address1: '1 Navy Yard Rd', address2: null, city: 'Arlington', region: 'VA', postalCode: '22202', company: 'COBOL Consulting' },
  alan: { first: 'Alan', last: 'Turing', email: 'alan@example.com', phone: '+1 555 0102', address1: '54 Bletchley Ave', address2: 'Suite 3', city: 'Princeton', region: 'NJ', postalCode: '08540' },
  katherine: { first: 'Katherine', last: 'Johnson', email: 'kj@example.com', phone: '+1 555 0103', address1: '300 Langley Blvd', address2: null, city: 'Hampton', region: 'VA', postalCode: '23666' },
  edsger: { first: 'Edsger', last: 'Dijkstra', email: 'ewd@example.com', phone: '+1 555 0104', address1: '7 Shortest Path', address2: null, city: 'Austin', region: 'TX', postalCode: '78712' },
  dennis: { first: 'Dennis', last: 'Ritchie', email: 'dmr@example.com', phone: '+1 555 0106', address1: '600 Mountain Ave', address2: null, city: 'Murray Hill', region: 'NJ', postalCode: '07974' },
  emmy: { first: 'Emmy', last: 'Noether', email: 'emmy@example.com', phone: '+1 555 0107', address1: '25 Bryn Mawr Ave', address2: null, city: 'Bryn Mawr', region: 'PA', postalCode: '19010' },
  barbara: { first: 'Barbara', last: 'Liskov', email: 'liskov@example.com', phone: '+1 555 0105', address1: '32 Vassar St', address2: 'Room 9', city: 'Cambridge', region: 'MA', postalCode: '02139' },
};

export interface DemoLine {
  sku: string;
  title: string;
  quantity: number;
  unitPrice: string;
}

/** How an order reaches the hub. */
export type DemoOrder =
  | { via: 'canonical'; orderNumber: string; story: string; body: Record<string, unknown> }
  | { via: 'shopify'; orderNumber: string; story: string; body: ShopifyOrder; payLaterMs?: number };

export interface ShopifyOrder {
  id: number;
  admin_graphql_api_id: string;
  name: string;
  order_number: number;
  created_at: string;
  currency: string;
  financial_status: string;
  confirmation_number: string;
  email: string;
  phone: string | null;
  note: string | null;
  customer: { first_name: string; last_name: string; email: string; phone: string };
  shipping_address: Record<string, string | null>;
  billing_address: Record<string, string | null>;
  shipping_lines: { title: string; code: string; price: string; carrier_identifier: string | null }[];
  line_items: { id: number; admin_graphql_api_id: string; sku: string; name: string; title: string; quantity: number; price: string; requires_shipping: boolean }[];
  total_price: string;
}

function canonical(n: number, who: Person, lines: DemoLine[], story: string, extra: Record<string, unknown> = {}): DemoOrder {
  const orderNumber = `#${n}`;
  return {
    via: 'canonical',
    orderNumber,
    story,
    body: {
      externalId: `demo-${n}`,
      orderNumber,
      placedAt: new Date().toISOString(),
      currency: 'USD',
      payment: { status: 'paid', reference: `ch_demo_${n}` },
      customer: { name: `${who.first} ${who.last}`, email: who.email, phone: who.phone },
      shipTo: {
        name: `${who.first} ${who.last}`,
        company: who.company ?? null,
        address1: who.address1,
        address2: who.address2,
        city: who.city,
        region: who.region,
        postalCode: who.postalCode,
        country: 'US',
        phone: who.phone,
      },
      shipping: { method: 'Standard', carrier: null, serviceLevel: 'GROUND' },
      lines: lines.map((l, i) => ({ lineId: String(i + 1), ...l })),
      notes: null,
      ...extra,
    },
  };
}

function shopify(n: number, who: Person, lines: DemoLine[], financialStatus: 'paid' | 'pending'): ShopifyOrder {
  const id = 5_843_391_620_000 + n;
  const address = {
    first_name: who.first,
    last_name: who.last,
    name: `${who.first} ${who.last}`,
    company: who.company ?? null,
    address1: who.address1,
    address2: who.address2,
    city: who.city,
    province_code: who.region,
    zip: who.postalCode,
    country_code: 'US',
    phone: who.phone,
  };
  const total = lines.reduce((sum, l) => sum + Math.round(Number(l.unitPrice) * 100) * l.quantity, 499);
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#${n}`,
    order_number: n,
    created_at: new Date().toISOString(),
    currency: 'USD',
    financial_status: financialStatus,
    confirmation_number: `DEMO${n}`,
    email: who.email,
    phone: null,
    note: n % 2 ? 'Please gift wrap' : null,
    customer: { first_name: who.first, last_name: who.last, email: who.email, phone: who.phone },
    shipping_address: address,
    billing_address: address,
    shipping_lines: [{ title: 'Standard Shipping', code: 'GROUND', price: '4.99', carrier_identifier: null }],
    line_items: lines.map((l, i) => {
      const lineId = 13_700_000_000 + n * 10 + i;
      return {
        id: lineId,
        admin_graphql_api_id: `gid://shopify/LineItem/${lineId}`,
        sku: l.sku,
        name: l.title,
        title: l.title,
        quantity: l.quantity,
        price: l.unitPrice,
        requires_shipping: true,
      };
    }),
    total_price: (total / 100).toFixed(2),
  };
}

/** The eight sample orders, in the order they are placed. */
export function demoOrders(): DemoOrder[] {
  return [
    {
      via: 'shopify',
      orderNumber: '#1001',
      story: 'Shopify orders/create, paid → ACME (X12 850 4010 over SFTP)',
      body: shopify(1001, PEOPLE.ada!, [{ sku: 'ACME-TRUCK-01', title: 'Wooden toy truck', quantity: 2, unitPrice: '19.99' }], 'paid'),
    },
    canonical(
      1002,
      PEOPLE.grace!,
      [
        { sku: 'GLX-300-BLK', title: 'Globex clock radio, black', quantity: 1, unitPrice: '49.50' },
        { sku: 'INI-STAPLER-RED', title: 'Red Swingline stapler', quantity: 2, unitPrice: '12.00' },
      ],
      'split across two suppliers → Globex (X12 850 5010) + Initech (CSV)',
    ),
    {
      via: 'shopify',
      orderNumber: '#1003',
      story: 'Shopify order placed unpaid (held), then orders/paid → Initech (CSV over SFTP)',
      body: shopify(
        1003,
        PEOPLE.alan!,
        [
          { sku: 'INI-TPS-COVER-100', title: 'TPS report covers (100)', quantity: 1, unitPrice: '9.99' },
          { sku: 'INI-MUG-01', title: 'Initech mug', quantity: 2, unitPrice: '7.50' },
        ],
        'pending',
      ),
      payLaterMs: 1500,
    },
    canonical(
      1004,
      PEOPLE.katherine!,
      [{ sku: 'UMB-KIT-FIRSTAID', title: 'First-aid kit', quantity: 2, unitPrice: '24.99' }],
      'Umbrella (JSON over HTTP; tracking pushed back to the hub)',
    ),
    canonical(
      1005,
      PEOPLE.edsger!,
      [
        { sku: 'ACME-TRUCK-01', title: 'Wooden toy truck', quantity: 1, unitPrice: '19.99' },
        { sku: 'ACME-BLOCKS-100', title: 'Building blocks, 100 pieces', quantity: 2, unitPrice: '34.95' },
      ],
      'ACME backorders a line: two 856s, partially shipped then shipped',
    ),
    canonical(
      1006,
      PEOPLE.barbara!,
      [
        { sku: 'GLX-100', title: 'Globex toaster', quantity: 1, unitPrice: '29.00' },
        { sku: 'GLX-200', title: 'Globex kettle', quantity: 1, unitPrice: '39.00' },
      ],
      'Globex (X12 850 5010 over SFTP, password login)',
    ),
    canonical(
      1007,
      PEOPLE.dennis!,
      [{ sku: 'WONKA-BAR-01', title: 'Chocolate bar, golden ticket edition', quantity: 3, unitPrice: '4.50' }],
      "Wonka (no server of its own: picks its 850 up from the hub's SFTP mailbox, drops its 997 and 856 there)",
    ),
    canonical(
      1008,
      PEOPLE.emmy!,
      [
        { sku: 'HANSE-ZUG-01', title: 'Holzeisenbahn „Nordexpress“', quantity: 1, unitPrice: '59.00' },
        { sku: 'HANSE-KREISEL', title: 'Kreisel aus Buche', quantity: 3, unitPrice: '6.50' },
      ],
      'Hanse Spielwaren (UN/EDIFACT ORDERS D.96A over SFTP; ORDRSP answered with a CONTRL, DESADV with DHL tracking)',
      { currency: 'EUR' },
    ),
  ];
}
