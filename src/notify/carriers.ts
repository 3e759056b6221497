/**
 * Carriers as suppliers write them (an X12 SCAC in TD503, or a name in a tracking CSV) → one
 * carrier the retailer can show: a stable code, a display name, the tracking-company name Shopify
 * recognises (Shopify then builds its own tracking links and shipment-status updates), and a public
 * tracking URL.
 *
 * An unknown carrier passes through unchanged: code and name are what the supplier sent, there is
 * no tracking URL, and Shopify gets the name as its tracking company (it accepts any text).
 *
 * @example
 *   const ups = resolveCarrier('UPSN');
 *   ups.name;                      // "UPS"
 *   ups.trackingUrl('1Z999AA10123456784'); // "https://www.ups.com/track?tracknum=1Z999AA10123456784"
 */
export interface Carrier {
  /** The hub's code: the carrier's main SCAC where it has one (UPSN, FDEG, USPS…), else as sent. */
  code: string;
  /** Display name. */
  name: string;
  /** The name in Shopify's list of supported tracking companies. */
  shopifyCompany: string;
  /** The public tracking page for one tracking number; null where unknown. */
  trackingUrl(trackingNumber: string): string | null;
  /** true when the carrier was recognised. */
  known: boolean;
}

interface CarrierEntry {
  code: string;
  name: string;
  shopifyCompany: string;
  url: string;
  /** SCACs and names it goes by, compared without case, spaces or punctuation. */
  aliases: string[];
}

const CARRIERS: readonly CarrierEntry[] = [
  {
    code: 'UPSN',
    name: 'UPS',
    shopifyCompany: 'UPS',
    url: 'https://www.ups.com/track?tracknum={n}',
    aliases: ['UPSN', 'UPS', 'UPSS', 'UPSG', 'UPGN', 'UNITED PARCEL SERVICE', 'UPS GROUND', 'UPS GROUND SAVER'],
  },
  {
    code: 'FDEG',
    name: 'FedEx',
    shopifyCompany: 'FedEx',
    url: 'https://www.fedex.com/fedextrack/?trknbr={n}',
    aliases: ['FDEG', 'FDE', 'FDX', 'FDXG', 'FXFE', 'FEDEX', 'FEDEX GROUND', 'FEDEX EXPRESS', 'FEDEX HOME DELIVERY', 'FEDERAL EXPRESS'],
  },
  {
    code: 'USPS',
    name: 'USPS',
    shopifyCompany: 'USPS',
    url: 'https://tools.usps.com/go/TrackConfirmAction?tLabels={n}',
    aliases: ['USPS', 'USPN', 'USPO', 'US POSTAL SERVICE', 'UNITED STATES POSTAL SERVICE', 'US MAIL'],
  },
  {
    code: 'DHL',
    name: 'DHL Express',
    shopifyCompany: 'DHL Express',
    url: 'https://www.dhl.com/global-en/home/tracking/tracking-express.html?tracking-id={n}',
    aliases: ['DHL', 'DHLC', 'DHLX', 'DHLE', 'DHL EXPRESS', 'DHL WORLDWIDE EXPRESS'],
  },
  {
    code: 'DHLG',
    name: 'DHL eCommerce',
    shopifyCompany: 'DHL eCommerce',
    url: 'https://webtrack.dhlecs.com/?trackingnumber={n}',
    aliases: ['DHLG', 'DHLGM', 'DHL ECOMMERCE', 'DHL GLOBAL MAIL', 'DHL ECOMMERCE SOLUTIONS'],
  },
  {
    code: 'OTRC',
    name: 'OnTrac',
    shopifyCompany: 'OnTrac',
    url: 'https://www.ontrac.com/tracking/?number={n}',
    aliases: ['OTRC', 'ONTRAC', 'EMSY'],
  },
  {
    code: 'LSHP',
    name: 'LaserShip',
    shopifyCompany: 'Lasership',
    // LaserShip merged into OnTrac (2024): its numbers are tracked on OnTrac's site.
    url: 'https://www.ontrac.com/tracking/?number={n}',
    aliases: ['LSHP', 'LASERSHIP', 'LS'],
  },
  {
    code: 'LSO',
    name: 'Lone Star Overnight',
    shopifyCompany: 'Lone Star Overnight',
    url: 'https://www.lso.com/tracking?tn={n}',
    aliases: ['LSO', 'LSOV', 'LONE STAR OVERNIGHT'],
  },
  {
    code: 'AMZL',
    name: 'Amazon Logistics',
    shopifyCompany: 'Amazon Logistics US',
    url: 'https://track.amazon.com/tracking/{n}',
    aliases: ['AMZL', 'AMZN', 'AMAZON', 'AMAZON LOGISTICS', 'AMAZON SHIPPING', 'AMAZON LOGISTICS US'],
  },
  {
    code: 'CDL',
    name: 'CDL Last Mile',
    shopifyCompany: 'CDL Last Mile',
    url: 'https://ship.cdldelivers.com/Xcelerator/Tracking/Tracking?packageitemrefno={n}',
    aliases: ['CDL', 'CDLL', 'CDL LAST MILE', 'CDL LAST MILE SOLUTIONS'],
  },
  {
    code: 'CNPR',
    name: 'Canpar',
    shopifyCompany: 'Canpar',
    url: 'https://www.canpar.com/en/tracking/delivery_options.htm?barcode={n}',
    aliases: ['CNPR', 'CANPAR'],
  },
  {
    code: 'CAPO',
    name: 'Canada Post',
    shopifyCompany: 'Canada Post',
    url: 'https://www.canadapost-postescanada.ca/track-reperage/en#/search?searchFor={n}',
    aliases: ['CAPO', 'CANADA POST', 'CPC'],
  },
  {
    code: 'PRLA',
    name: 'Purolator',
    shopifyCompany: 'Purolator',
    url: 'https://www.purolator.com/en/shipping/tracker?pin={n}',
    aliases: ['PRLA', 'PUROLATOR'],
  },
];

const normalise = (value: string) => value.toUpperCase().replace(/[^A-Z0-9]/g, '');

const BY_ALIAS = new Map<string, CarrierEntry>(
  CARRIERS.flatMap((carrier) => carrier.aliases.map((alias) => [normalise(alias), carrier] as const)),
);

function fromEntry(entry: CarrierEntry): Carrier {
  return {
    code: entry.code,
    name: entry.name,
    shopifyCompany: entry.shopifyCompany,
    known: true,
    trackingUrl: (trackingNumber) => entry.url.replace('{n}', encodeURIComponent(trackingNumber.trim())),
  };
}

/** The carrier for a SCAC or a carrier name as a supplier sent it; unknown ones pass through. */
export function resolveCarrier(sent: string): Carrier {
  const entry = BY_ALIAS.get(normalise(sent));
  if (entry) return fromEntry(entry);
  const code = sent.trim();
  return { code, name: code, shopifyCompany: code, known: false, trackingUrl: () => null };
}

/** Tracking URLs for the numbers of one shipment, in order; empty for an unknown carrier. */
export function trackingUrls(carrier: Carrier, trackingNumbers: readonly string[]): string[] {
  return trackingNumbers.flatMap((number) => {
    const url = carrier.trackingUrl(number);
    return url === null ? [] : [url];
  });
}

/** Every carrier the hub recognises, for the docs and the dashboard. */
export function knownCarriers(): { code: string; name: string; shopifyCompany: string; aliases: string[] }[] {
  return CARRIERS.map(({ code, name, shopifyCompany, aliases }) => ({ code, name, shopifyCompany, aliases }));
}
