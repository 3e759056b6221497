import { describe, expect, it } from 'vitest';
import { knownCarriers, resolveCarrier, trackingUrls } from '../../src/notify/carriers.ts';

describe('carriers', () => {
  it.each([
    ['UPSN', 'UPSN', 'UPS', 'UPS'],
    ['ups', 'UPSN', 'UPS', 'UPS'],
    ['FDEG', 'FDEG', 'FedEx', 'FedEx'],
    ['FDE', 'FDEG', 'FedEx', 'FedEx'],
    ['FDX', 'FDEG', 'FedEx', 'FedEx'],
    ['FedEx Ground', 'FDEG', 'FedEx', 'FedEx'],
    ['USPS', 'USPS', 'USPS', 'USPS'],
    ['USPN', 'USPS', 'USPS', 'USPS'],
    ['DHL', 'DHL', 'DHL Express', 'DHL Express'],
    ['DHLC', 'DHL', 'DHL Express', 'DHL Express'],
    ['DHLG', 'DHLG', 'DHL eCommerce', 'DHL eCommerce'],
    ['OnTrac', 'OTRC', 'OnTrac', 'OnTrac'],
    ['OTRC', 'OTRC', 'OnTrac', 'OnTrac'],
    ['LSO', 'LSO', 'Lone Star Overnight', 'Lone Star Overnight'],
    ['AMZL', 'AMZL', 'Amazon Logistics', 'Amazon Logistics US'],
    ['CDL', 'CDL', 'CDL Last Mile', 'CDL Last Mile'],
    ['LASERSHIP', 'LSHP', 'LaserShip', 'Lasership'],
    ['LSHP', 'LSHP', 'LaserShip', 'Lasership'],
  ])('%s → %s (%s; Shopify "%s")', (sent, code, name, shopifyCompany) => {
    const carrier = resolveCarrier(sent);
    expect({ code: carrier.code, name: carrier.name, shopifyCompany: carrier.shopifyCompany, known: carrier.known }).toEqual({
      code,
      name,
      shopifyCompany,
      known: true,
    });
    expect(carrier.trackingUrl('1Z 999')).toMatch(/^https:\/\/.*1Z%20999/);
  });

  it('passes unknown carriers through unchanged, without a URL', () => {
    const carrier = resolveCarrier('ZZZZ');
    expect(carrier).toMatchObject({ code: 'ZZZZ', name: 'ZZZZ', shopifyCompany: 'ZZZZ', known: false });
    expect(carrier.trackingUrl('123')).toBeNull();
    expect(trackingUrls(carrier, ['1', '2'])).toEqual([]);
  });

  it('builds one URL per tracking number', () => {
    expect(trackingUrls(resolveCarrier('USPS'), ['9400100000000000000000', '9400100000000000000001'])).toEqual([
      'https://tools.usps.com/go/TrackConfirmAction?tLabels=9400100000000000000000',
      'https://tools.usps.com/go/TrackConfirmAction?tLabels=9400100000000000000001',
    ]);
  });

  it('has no alias claimed by two carriers', () => {
    const aliases = knownCarriers().flatMap((c) => c.aliases.map((a) => a.toUpperCase().replace(/[^A-Z0-9]/g, '')));
    expect(new Set(aliases).size).toBe(aliases.length);
  });
});
