import type { HourBucket } from '../data.ts';

const WIDTH = 720;
const HEIGHT = 170;
const LEFT = 34;
const RIGHT = 8;
const TOP = 10;
const BOTTOM = 22;

/** Orders and shipments per hour as paired bars, in inline SVG: no script, no external asset. */
export function ActivityChart(props: { buckets: HourBucket[] }) {
  const { buckets } = props;
  const n = Math.max(1, buckets.length);
  const max = Math.max(1, ...buckets.map((b) => Math.max(b.orders, b.shipments)));
  const plotW = WIDTH - LEFT - RIGHT;
  const plotH = HEIGHT - TOP - BOTTOM;
  const slot = plotW / n;
  const y = (value: number) => TOP + plotH - (value / max) * plotH;
  const x = (i: number) => LEFT + i * slot;
  const barW = Math.max(1, slot / 2 - 1).toFixed(1);
  const bar = (cls: string, left: number, value: number, label: string) =>
    value === 0 ? null : (
      <rect class={cls} x={left.toFixed(1)} y={y(value).toFixed(1)} width={barW} height={(TOP + plotH - y(value)).toFixed(1)}>
        <title>{label}</title>
      </rect>
    );
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
        {buckets.map((b, i) => {
          const label = `${b.hour.toISOString().slice(0, 13).replace('T', ' ')}:00 UTC: ${b.orders} orders, ${b.shipments} shipments`;
          return (
            <g>
              {bar('orders', x(i) + 0.5, b.orders, label)}
              {bar('shipments', x(i) + slot / 2, b.shipments, label)}
            </g>
          );
        })}
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
        <span><i style="background:#3c9a62"></i>shipments ({totalShipments})</span>
        <span class="muted">per hour, UTC, last {buckets.length} h</span>
      </figcaption>
    </figure>
  );
}
