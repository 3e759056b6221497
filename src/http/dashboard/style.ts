/** The dashboard's whole stylesheet, inlined into every page (no build step, no external assets). */
export const DASHBOARD_CSS = `
:root { --fg: #1d2330; --muted: #5d6677; --line: #dde1e8; --bg: #f6f7f9; --card: #fff; --accent: #2457c5;
  --ok: #1f7a44; --warn: #9a6300; --bad: #b42318; --info: #2457c5; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
header.top { display: flex; gap: 16px; align-items: center; padding: 10px 20px; background: #1d2330; color: #fff; }
header.top a { color: #fff; }
header.top .brand { font-weight: 600; margin-right: 8px; }
header.top form.search { margin-left: auto; display: flex; gap: 6px; }
header.top input[type=search] { width: 280px; padding: 5px 8px; border-radius: 4px; border: 1px solid #4a5468; }
main { padding: 16px 20px 40px; max-width: 1280px; margin: 0 auto; }
/* Long unbroken values (host-key messages, file names, ids) wrap inside their card, never widen the page. */
td, dd, .reason, .notice, h1, p { overflow-wrap: anywhere; }
.grid > * { min-width: 0; }
section.card { overflow-x: auto; }
h1 { font-size: 20px; margin: 4px 0 14px; }
h2 { font-size: 16px; margin: 0 0 10px; }
section.card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 14px 16px; margin-bottom: 16px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; }
.grid > section.card { margin-bottom: 0; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: var(--muted); }
.empty { color: var(--muted); font-style: italic; }
.counts { display: flex; flex-wrap: wrap; gap: 10px; }
.counts a { display: block; min-width: 110px; padding: 8px 12px; border: 1px solid var(--line); border-radius: 6px; color: var(--fg); }
.counts a strong { display: block; font-size: 22px; }
.badge { display: inline-block; padding: 1px 7px; border-radius: 10px; font-size: 12px; background: #eceff4; white-space: nowrap; }
.badge.good { background: #dcf3e5; color: var(--ok); }
.badge.warn { background: #fdf0d5; color: var(--warn); }
.badge.bad { background: #fde3e1; color: var(--bad); }
.badge.info { background: #e2eafb; color: var(--info); }
.reason { color: var(--bad); }
.notice { padding: 8px 12px; border-radius: 6px; margin-bottom: 14px; background: #e2eafb; }
.notice.bad { background: #fde3e1; }
button, .button { font: inherit; padding: 3px 10px; border-radius: 4px; border: 1px solid #9aa3b2; background: #fff; cursor: pointer; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
form.inline { display: inline; }
form.filters { display: flex; gap: 10px; align-items: end; flex-wrap: wrap; margin-bottom: 12px; }
form.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
select, input[type=text], input[type=password] { font: inherit; padding: 4px 6px; border: 1px solid #9aa3b2; border-radius: 4px; }
pre { background: #f2f4f7; border: 1px solid var(--line); border-radius: 4px; padding: 10px; overflow: auto; max-height: 480px; white-space: pre-wrap; word-break: break-all; font-size: 12px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
.login { max-width: 360px; margin: 12vh auto; }
.login input[type=password] { width: 100%; margin: 6px 0 12px; padding: 7px; }
svg.chart { width: 100%; height: auto; }
svg.chart .orders { fill: #7c9be0; }
svg.chart .shipments { fill: #3c9a62; }
svg.chart text { font-size: 10px; fill: var(--muted); }
svg.chart line.axis { stroke: var(--line); }
.legend span { margin-right: 14px; font-size: 12px; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: middle; }
`;
