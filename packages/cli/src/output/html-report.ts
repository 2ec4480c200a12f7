import type { TimelinePoint } from '../metrics/fleet-metrics.js';
import { int, ms } from './format.js';
import { callErrorRows, optionsLine, type RunReport, versionRows } from './summary.js';

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const W = 720;
const H = 220;
const PAD = { left: 56, right: 16, top: 16, bottom: 36 };

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(v));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * magnitude >= v) return step * magnitude;
  }
  return 10 * magnitude;
}

function axes(xLabel: string, yMax: number, yLabel: string, xTicks: [number, string][]): string {
  const plotH = H - PAD.top - PAD.bottom;
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const y = PAD.top + plotH - (plotH * i) / 4;
    parts.push(
      `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y}" y2="${y}" class="grid"/>`,
      `<text x="${PAD.left - 6}" y="${y + 4}" text-anchor="end">${escapeHtml(int((yMax * i) / 4))}</text>`,
    );
  }
  for (const [x, label] of xTicks) {
    parts.push(
      `<text x="${x}" y="${H - PAD.bottom + 16}" text-anchor="middle">${escapeHtml(label)}</text>`,
    );
  }
  parts.push(
    `<text x="${(PAD.left + W - PAD.right) / 2}" y="${H - 4}" text-anchor="middle" class="label">${escapeHtml(xLabel)}</text>`,
    `<text x="12" y="${PAD.top + plotH / 2}" text-anchor="middle" class="label" transform="rotate(-90 12 ${PAD.top + plotH / 2})">${escapeHtml(yLabel)}</text>`,
  );
  return parts.join('');
}

/** A line chart of one value of the time line, as an inline SVG element. */
export function lineChart(
  points: readonly TimelinePoint[],
  value: (p: TimelinePoint) => number,
  title: string,
  yLabel: string,
): string {
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const tMax = Math.max(1, ...points.map((p) => p.t));
  const yMax = niceMax(Math.max(0, ...points.map(value)));
  const x = (t: number) => PAD.left + (plotW * t) / tMax;
  const y = (v: number) => PAD.top + plotH - (plotH * v) / yMax;
  const path = points
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.t).toFixed(1)},${y(value(p)).toFixed(1)}`)
    .join(' ');
  const ticks: [number, string][] = [];
  for (let i = 0; i <= 5; i++) {
    const t = (tMax * i) / 5;
    ticks.push([x(t), `${Math.round(t)} s`]);
  }
  const area =
    points.length > 0
      ? `<path d="${path} L${x(points[points.length - 1]!.t).toFixed(1)},${y(0)} L${x(points[0]!.t).toFixed(1)},${y(0)} Z" class="area"/>`
      : '';
  return (
    `<figure><figcaption>${escapeHtml(title)}</figcaption>` +
    `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(title)}">` +
    axes('time since start', yMax, yLabel, ticks) +
    area +
    (points.length > 0 ? `<path d="${path}" class="line"/>` : '') +
    (points.length === 0
      ? `<text x="${W / 2}" y="${H / 2}" text-anchor="middle">no data</text>`
      : '') +
    '</svg></figure>'
  );
}

/** A bar chart of the latency histogram (`[from, to, count]` in ms, logarithmic buckets). */
export function histogramChart(bars: readonly [number, number, number][], title: string): string {
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const yMax = niceMax(Math.max(0, ...bars.map((b) => b[2])));
  const barW = bars.length === 0 ? 0 : plotW / bars.length;
  const rects = bars
    .map(([from, to, n], i) => {
      const h = (plotH * n) / yMax;
      return `<rect x="${(PAD.left + i * barW + 1).toFixed(1)}" y="${(PAD.top + plotH - h).toFixed(1)}" width="${Math.max(1, barW - 2).toFixed(1)}" height="${h.toFixed(1)}" class="bar"><title>${escapeHtml(`${ms(from)} – ${ms(to)}: ${int(n)} calls`)}</title></rect>`;
    })
    .join('');
  const ticks: [number, string][] = [];
  const every = Math.max(1, Math.ceil(bars.length / 6));
  bars.forEach(([from], i) => {
    if (i % every === 0) ticks.push([PAD.left + i * barW + barW / 2, ms(from)]);
  });
  return (
    `<figure><figcaption>${escapeHtml(title)}</figcaption>` +
    `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(title)}">` +
    axes('latency (logarithmic buckets)', yMax, 'calls', ticks) +
    rects +
    (bars.length === 0
      ? `<text x="${W / 2}" y="${H / 2}" text-anchor="middle">no calls</text>`
      : '') +
    '</svg></figure>'
  );
}

function htmlTable(rows: readonly (readonly string[])[]): string {
  const [head, ...body] = rows;
  if (head === undefined) return '';
  return (
    '<table><thead><tr>' +
    head.map((c) => `<th>${escapeHtml(c)}</th>`).join('') +
    '</tr></thead><tbody>' +
    body.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('') +
    '</tbody></table>'
  );
}

/**
 * The `--report FILE.html` page: the summary tables and three charts (calls per second and
 * connected stations over time, the latency histogram), in one self-contained file with inline
 * CSS and SVG: no scripts, fonts or images are fetched.
 */
export function htmlReport(
  report: RunReport,
  latencyBars: readonly [number, number, number][],
): string {
  const { run, result: r } = report;
  const actions = [
    ...new Set([
      ...Object.keys(r.messages.sent),
      ...Object.keys(r.messages.received),
      ...Object.keys(r.latencyMs),
    ]),
  ].sort();
  const actionRows = [
    ['action', 'sent', 'received', 'p50', 'p95', 'p99', 'max'],
    ...actions.map((a) => {
      const l = r.latencyMs[a];
      const sent = r.messages.sent[a];
      const lat = (v: number | undefined) =>
        l === undefined || sent === undefined || v === undefined ? '–' : ms(v);
      return [
        a,
        int(sent ?? 0),
        int(r.messages.received[a] ?? 0),
        lat(l?.p50),
        lat(l?.p95),
        lat(l?.p99),
        lat(l?.max),
      ];
    }),
  ];
  const errors = callErrorRows(r);
  const versions = versionRows(r);
  const failures = Object.entries(r.stations.failures);
  const callFailures = Object.entries(r.callFailures);
  const overview = [
    ['figure', 'value'],
    ...(run.startedAt === undefined ? [] : [['started', run.startedAt]]),
    ...(run.tool === undefined ? [] : [['tool', run.tool]]),
    ...(run.options === undefined ? [] : [['options', optionsLine(run.options)]]),
    ['CSMS', run.url],
    ['versions', run.protocol],
    ['scenario', run.scenario],
    ['duration', `${r.elapsedSeconds.toFixed(1)} s`],
    ['stations requested', int(r.stations.requested)],
    ['stations connected', int(r.stations.connected)],
    ['stations failed', int(r.stations.failed)],
    ...(r.stations.disconnectedAtEnd > 0
      ? [['stations disconnected at the end', int(r.stations.disconnectedAtEnd)]]
      : []),
    ...Object.entries(r.stations.byProtocol).map(([p, n]) => [`  ${p}`, int(n)]),
    ['sessions completed', `${int(r.sessions.completed)} of ${int(r.sessions.started)} started`],
    ...(r.sessions.cutShort > 0
      ? [['sessions cut short by the end of the run', int(r.sessions.cutShort)]]
      : []),
    ['sessions failed', int(r.sessions.failed)],
    ...(r.sessions.stopsUndelivered > 0
      ? [['transaction stops not delivered', int(r.sessions.stopsUndelivered)]]
      : []),
    ['energy delivered', `${(r.sessions.energyWh / 1000).toFixed(1)} kWh`],
    [
      'calls per second',
      `${r.callsPerSecond.mean.toFixed(1)} mean, ${int(r.callsPerSecond.peak)} peak`,
    ],
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>ocpp simulate — ${escapeHtml(run.url)}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 780px; color: #1d2430; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { padding: 3px 10px; border-bottom: 1px solid #dde2ea; text-align: left; }
td:not(:first-child) { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 16px 0; } figcaption { font-weight: 600; margin-bottom: 4px; }
svg { max-width: 100%; height: auto; background: #fafbfd; border: 1px solid #e3e7ee; }
svg text { font: 11px system-ui, sans-serif; fill: #556; } svg .label { fill: #334; }
svg .grid { stroke: #e3e7ee; } svg .line { fill: none; stroke: #2563eb; stroke-width: 2; }
svg .area { fill: #2563eb22; } svg .bar { fill: #0d9488; }
.ok { color: #15803d; font-weight: 600; } .bad { color: #b91c1c; font-weight: 600; }
</style>
</head>
<body>
<h1>ocpp simulate report</h1>
<p class="${report.ok ? 'ok' : 'bad'}">${report.ok ? 'Result: OK' : `Result: FAILED — ${escapeHtml(report.problems.join('; '))}`}</p>
${htmlTable(overview)}
${lineChart(r.timeline, (p) => p.calls, 'Calls per second', 'calls/s')}
${lineChart(r.timeline, (p) => p.connected, 'Connected stations', 'stations')}
${histogramChart(latencyBars, 'Latency of the stations’ calls (all actions)')}
${versions.length > 2 ? `<h2>By version</h2>\n${htmlTable(versions)}\n` : ''}<h2>Messages and latency per action</h2>
${htmlTable(actionRows)}
<p>sent: CALLs from the stations, with the time until their answer; received: CALLs from the CSMS.</p>
<h2>CALLERRORs received</h2>
${errors.length === 0 ? '<p>none</p>' : htmlTable([['code', 'answer to', 'count'], ...errors])}
${failures.length === 0 ? '' : `<h2>Connection failures</h2>${htmlTable([['reason', 'count'], ...failures.map(([k, n]) => [k, int(n)])])}`}
${callFailures.length === 0 ? '' : `<h2>Calls without an answer</h2>${htmlTable([['reason', 'count'], ...callFailures.map(([k, n]) => [k, int(n)])])}`}
</body>
</html>
`;
}
