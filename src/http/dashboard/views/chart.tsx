import type { HourBucket } from '../data.ts';

const WIDTH = 720;
const HEIGHT = 170;
const LEFT = 34;
const RIGHT = 8;
const TOP = 10;
const BOTTOM = 22;

/** Orders (bars) and shipments (line) per hour, as inline SVG: no script, no external asset. */
export function ActivityChart(props: { buckets: HourBucket[] }) {
  const { buckets } = props;
  const n = Math.max(1, buckets.length);
  const max = Math.max(1, ...buckets.map((b) => Math.max(b.orders, b.shipments)));
  const plotW = WIDTH - LEFT - RIGHT;
  const plotH = HEIGHT - TOP - BOTTOM;
  const slot = plotW / n;
  const y = (value: number) => TOP + plotH - (value / max) * plotH;
  const x = (i: number) => LEFT + i * slot;
  const line = buckets.map((b, i) => `${(x(i) + slot / 2).toFixed(1)},${y(b.shipments).toFixed(1)}`).join(' ');
  const totalOrders = buckets.reduce((sum, b) => sum + b.orders, 0);
  const totalShipments = buckets.reduce((sum, b) => sum + b.shipments, 0);
  return (
    <figure style="margin:0">
      <svg
        class="chart"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`Orders and shipments per hour over the last ${buckets.length} hours: ${totalOrders} orders, ${totalShipments} shipments`}
        xmlns="http://www.w3.org/2000/svg"
      >
        <line class="axis" x1={LEFT} y1={TOP + plotH} x2={WIDTH - RIGHT} y2={TOP + plotH} />
        <line class="axis" x1={LEFT} y1={TOP} x2={WIDTH - RIGHT} y2={TOP} />
        <text x={LEFT - 4} y={TOP + 4} text-anchor="end">{max}</text>
        <text x={LEFT - 4} y={TOP + plotH} text-anchor="end">0</text>
        {buckets.map((b, i) => (
          <rect class="orders" x={(x(i) + 1).toFixed(1)} y={y(b.orders).toFixed(1)} width={Math.max(1, slot - 2).toFixed(1)} height={(TOP + plotH - y(b.orders)).toFixed(1)}>
            <title>{`${b.hour.toISOString().slice(0, 13).replace('T', ' ')}:00 UTC: ${b.orders} orders, ${b.shipments} shipments`}</title>
          </rect>
        ))}
        <polyline class="shipments" points={line} />
        {buckets.map((b, i) =>
          b.hour.getUTCHours() % 6 === 0 ? (
            <text x={(x(i) + slot / 2).toFixed(1)} y={HEIGHT - 6} text-anchor="middle">
              {`${String(b.hour.getUTCHours()).padStart(2, '0')}:00`}
            </text>
          ) : null,
        )}
      </svg>
      <figcaption class="legend">
        <span><i style="background:#7c9be0"></i>orders ({totalOrders})</span>
        <span><i style="background:#1f7a44"></i>shipments ({totalShipments})</span>
        <span class="muted">per hour, UTC, last {buckets.length} h</span>
      </figcaption>
    </figure>
  );
}
