import type { LoadReport } from './report.ts';

/** A named series of (x, y) points for a line chart. */
interface Line {
  name: string;
  points: { x: number; y: number }[];
}

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#4b5563'];
const WIDTH = 720;
const HEIGHT = 240;
const PAD = { left: 56, right: 16, top: 16, bottom: 36 };

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

/** Rounds an axis maximum up to 1, 2 or 5 times a power of ten. */
function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (value <= step * power) return step * power;
  return 10 * power;
}

/** An SVG line chart with axes, four grid lines and a legend. No script, no external assets. */
export function lineChart(lines: Line[], xLabel: string, yLabel: string): string {
  const all = lines.flatMap((line) => line.points);
  if (all.length === 0) return '<p class="empty">no samples</p>';
  const xMax = niceMax(Math.max(...all.map((p) => p.x)));
  const yMax = niceMax(Math.max(...all.map((p) => p.y)));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const sx = (x: number) => PAD.left + (x / xMax) * plotW;
  const sy = (y: number) => PAD.top + plotH - (y / yMax) * plotH;

  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const y = (yMax * i) / 4;
    const x = (xMax * i) / 4;
    parts.push(
      `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${sy(y)}" y2="${sy(y)}" class="grid"/>`,
      `<text x="${PAD.left - 6}" y="${sy(y) + 4}" text-anchor="end">${fmt(y)}</text>`,
      `<text x="${sx(x)}" y="${HEIGHT - PAD.bottom + 16}" text-anchor="middle">${fmt(x)}</text>`,
    );
  }
  const legendStep = Math.min(150, plotW / lines.length);
  lines.forEach((line, i) => {
    const d = line.points.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
    const color = COLORS[i % COLORS.length];
    parts.push(`<polyline points="${d}" fill="none" stroke="${color}" stroke-width="2"/>`);
    parts.push(
      `<rect x="${PAD.left + 8 + i * legendStep}" y="${PAD.top}" width="10" height="10" ` +
        `fill="${color}"/>`,
      `<text x="${PAD.left + 22 + i * legendStep}" y="${PAD.top + 9}">` +
        `${escapeHtml(line.name)}</text>`,
    );
  });
  parts.push(
    `<text x="${PAD.left + plotW / 2}" y="${HEIGHT - 4}" text-anchor="middle">` +
      `${escapeHtml(xLabel)}</text>`,
    `<text x="12" y="${PAD.top + plotH / 2}" transform="rotate(-90 12 ${PAD.top + plotH / 2})" ` +
      `text-anchor="middle">${escapeHtml(yLabel)}</text>`,
  );
  return svg(parts);
}

/** Groups of bars: one group per label, one bar per series. */
export function barChart(
  labels: string[],
  series: { name: string; values: (number | null)[] }[],
  yLabel: string,
): string {
  const values = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  if (values.length === 0) return '<p class="empty">no samples</p>';
  const yMax = niceMax(Math.max(...values));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const groupW = plotW / labels.length;
  const barW = Math.min(28, (groupW * 0.8) / series.length);
  const sy = (y: number) => PAD.top + plotH - (y / yMax) * plotH;

  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const y = (yMax * i) / 4;
    parts.push(
      `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${sy(y)}" y2="${sy(y)}" class="grid"/>`,
      `<text x="${PAD.left - 6}" y="${sy(y) + 4}" text-anchor="end">${fmt(y)}</text>`,
    );
  }
  labels.forEach((label, g) => {
    const x0 = PAD.left + g * groupW + (groupW - barW * series.length) / 2;
    series.forEach((s, i) => {
      const value = s.values[g];
      if (value === null || value === undefined) return;
      const color = COLORS[i % COLORS.length];
      const top = sy(value);
      parts.push(
        `<rect x="${x0 + i * barW}" y="${top}" width="${barW - 2}" height="${sy(0) - top}" ` +
          `fill="${color}"><title>${escapeHtml(`${label} ${s.name}: ${value}`)}</title></rect>`,
      );
    });
    parts.push(
      `<text x="${PAD.left + (g + 0.5) * groupW}" y="${HEIGHT - PAD.bottom + 16}" ` +
        `text-anchor="middle">${escapeHtml(label)}</text>`,
    );
  });
  series.forEach((s, i) => {
    parts.push(
      `<rect x="${WIDTH - PAD.right - 70 * (series.length - i)}" y="${PAD.top}" width="10" ` +
        `height="10" fill="${COLORS[i % COLORS.length]}"/>`,
      `<text x="${WIDTH - PAD.right - 70 * (series.length - i) + 14}" y="${PAD.top + 9}">` +
        `${escapeHtml(s.name)}</text>`,
    );
  });
  parts.push(
    `<text x="12" y="${PAD.top + plotH / 2}" transform="rotate(-90 12 ${PAD.top + plotH / 2})" ` +
      `text-anchor="middle">${escapeHtml(yLabel)}</text>`,
  );
  return svg(parts);
}

function svg(parts: string[]): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" ` +
    `width="${WIDTH}" height="${HEIGHT}" role="img">${parts.join('')}</svg>`
  );
}

function fmt(value: number): string {
  if (value >= 1000) return `${Math.round(value / 100) / 10}k`;
  return String(Math.round(value * 10) / 10);
}

function table(head: string[], rows: (string | number | null)[][]): string {
  const cell = (value: string | number | null) => `<td>${escapeHtml(String(value ?? '–'))}</td>`;
  return (
    `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>` +
    `<tbody>${rows.map((row) => `<tr>${row.map(cell).join('')}</tr>`).join('')}</tbody></table>`
  );
}

/** The report as one self-contained HTML page: inline CSS and SVG, no scripts, no CDN. */
export function renderHtml(report: LoadReport): string {
  const latencyNames = Object.keys(report.latency) as (keyof LoadReport['latency'])[];
  const latency = latencyNames.map((name) => ({ name, ...report.latency[name] }));
  const passed = report.honestRejected === 0 && report.cheatersAccepted === 0;

  const concurrency = lineChart(
    [
      {
        name: 'seated in a room',
        points: report.concurrency.map((s) => ({ x: s.t, y: s.seated })),
      },
      { name: 'in a run', points: report.concurrency.map((s) => ({ x: s.t, y: s.running })) },
    ],
    'seconds',
    'players',
  );
  const shown = latency.filter((row) => row.count > 0);
  const latencyChart = barChart(
    shown.map((row) => row.name),
    [
      { name: 'p50', values: shown.map((row) => row.p50) },
      { name: 'p90', values: shown.map((row) => row.p90) },
      { name: 'p99', values: shown.map((row) => row.p99) },
    ],
    'ms',
  );
  const verdictChart = barChart(
    Object.keys(report.verdicts),
    [{ name: 'runs', values: Object.values(report.verdicts) }],
    'runs',
  );
  const cpuChart = lineChart(
    report.servers.map((s) => ({
      name: s.name,
      points: s.samples.map((p) => ({ x: p.t, y: p.cpuPct })),
    })),
    'seconds',
    '% of one core',
  );
  const memoryChart = lineChart(
    report.servers.map((s) => ({
      name: s.name,
      points: s.samples.map((p) => ({ x: p.t, y: p.rssMiB })),
    })),
    'seconds',
    'resident MiB',
  );

  const detection = table(
    [
      'kind',
      'honest',
      'expected',
      'runs',
      'rejected',
      'accepted',
      'unranked',
      'abandoned',
      'no verdict',
      'reconnected',
      'reasons',
    ],
    report.detection.map((row) => [
      row.kind,
      row.honest ? 'yes' : 'no',
      row.expectedReason,
      row.runs,
      row.rejected,
      row.accepted,
      row.unranked,
      row.abandoned,
      row.noVerdict,
      row.reconnected,
      Object.entries(row.reasons)
        .map(([reason, n]) => `${reason} ×${n}`)
        .join(', '),
    ]),
  );
  const latencyTable = table(
    ['series', 'count', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'mean ms'],
    latency.map((row) => [row.name, row.count, row.p50, row.p90, row.p99, row.max, row.mean]),
  );
  const serverTable = table(
    ['process', 'pid', 'mean CPU %', 'max CPU %', 'max RSS MiB'],
    report.servers.map((s) => [s.name, s.pid, s.cpuPctMean, s.cpuPctMax, s.rssMiBMax]),
  );
  const failures = Object.entries(report.failures);
  const machineChart = lineChart(
    [
      {
        name: 'all cores busy %',
        points: report.machine.map((m) => ({ x: m.t, y: m.cpuBusyPct })),
      },
      {
        name: 'load average ×10',
        points: report.machine.map((m) => ({ x: m.t, y: m.loadAvg1 * 10 })),
      },
    ],
    'seconds',
    'percent / load ×10',
  );
  const lag = report.botEventLoopDelayMs;
  const targetNote =
    report.target.mode === 'started' ? 'system started for this run' : 'running system';
  const stoppedNote = report.hardStopped ? '. <b>Stopped at the hard time limit.</b>' : '';

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Truerun load test ${escapeHtml(report.startedAt)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px auto;max-width:960px;color:#111}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0}
td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}
th{background:#f3f4f6}svg{background:#fafafa;border:1px solid #e5e7eb}
svg text{font-size:11px;fill:#374151}.grid{stroke:#e5e7eb}
.pass{color:#15803d;font-weight:600}.fail{color:#b91c1c;font-weight:600}.empty{color:#6b7280}
code{background:#f3f4f6;padding:1px 4px}
</style></head><body>
<h1>Truerun load test</h1>
<p>${escapeHtml(report.startedAt)} → ${escapeHtml(report.finishedAt)}, target
<code>${escapeHtml(report.target.gatewayUrl)}</code> and
<code>${escapeHtml(report.target.gameServerUrl)}</code> (${targetNote}).
Options: <code>${escapeHtml(JSON.stringify(report.options))}</code>${stoppedNote}</p>
<p class="${passed ? 'pass' : 'fail'}">
${report.honestRejected} of ${report.honestRuns} honest runs rejected;
${report.cheatersAccepted} of ${report.cheaterRuns} cheating runs accepted.</p>
<h2>Detection</h2>${detection}
<h2>Verdicts</h2>${verdictChart}
<h2>Concurrent players</h2><p>Peak seated: ${report.peakSeated}.</p>${concurrency}
<h2>Latency</h2>
<p>Join: matchmaking and seat. Input ack: a batch leaving a bot on a good network until its ack.
Rank visible: the claim leaving the bot until the run shows on the season board
(${report.rankVisibility.seen} of ${report.rankVisibility.expected} new bests seen).</p>
${latencyChart}${latencyTable}
<h2>Server CPU</h2>${cpuChart}
<h2>Server memory</h2>${memoryChart}${serverTable}
<h2>Machine</h2>
<p>Everything running on the machine, including work that is not this system. The bots' own
event loop was late by p50 ${lag.p50} ms, p99 ${lag.p99} ms, max ${lag.max} ms; latencies above
include that delay.</p>${machineChart}
<h2>Failures</h2>${failures.length === 0 ? '<p>none</p>' : table(['what', 'count'], failures)}
</body></html>
`;
}
