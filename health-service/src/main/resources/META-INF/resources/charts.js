'use strict';
/*
 * Small SVG charts for the health dashboard, no library: a sparkline of probe latencies with the
 * failed probes and restarts marked, and a bar chart of counts over time. Each chart is drawn from
 * exactly the series the API returns ({start, bucketMillis, maxMillis[], failures[]} or
 * {start, bucketMillis, counts[]}), with the geometry below, so a test can read the points back.
 */
window.HealthCharts = (function () {
  const NS = 'http://www.w3.org/2000/svg';
  const geometry = {
    sparkline: { width: 240, height: 40, pad: 3 },
    bars: { width: 240, height: 36, gap: 1 }
  };

  function svg(tag, attrs) {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      e.setAttribute(k, String(v));
    }
    return e;
  }

  function title(text) {
    const t = svg('title');
    t.textContent = text;
    return t;
  }

  function clock(ms) {
    return new Date(ms).toLocaleTimeString();
  }

  /** x of the middle of bucket i of n. */
  function bucketX(i, n, width) {
    return (i + 0.5) * width / n;
  }

  /**
   * Latency sparkline: a point per bucket that had a probe (its slowest one), a red dot where probes
   * failed, a vertical mark per restart.
   */
  function sparkline(series, restartMarks, label) {
    const g = geometry.sparkline;
    const n = series.maxMillis.length;
    const values = series.maxMillis.filter((v) => v !== null && v !== undefined);
    const top = Math.max(1, ...values);
    const failed = series.failures.reduce((a, b) => a + b, 0);
    const root = svg('svg', {
      class: 'sparkline', width: g.width, height: g.height, viewBox: '0 0 ' + g.width + ' ' + g.height,
      role: 'img', 'data-max': top, 'data-start': Date.parse(series.start), 'data-bucket-millis': series.bucketMillis,
      'aria-label': label + ': slowest probe ' + top + ' ms over the last ' + Math.round(n * series.bucketMillis / 60000)
        + ' min, ' + failed + ' failed probe(s), ' + restartMarks.length + ' restart(s)'
    });
    const y = (v) => g.pad + (g.height - 2 * g.pad) * (1 - v / top);
    const points = [];
    series.maxMillis.forEach((v, i) => {
      if (v !== null && v !== undefined) {
        points.push(bucketX(i, n, g.width).toFixed(2) + ',' + y(v).toFixed(2));
      }
    });
    root.append(svg('line', { class: 'axis', x1: 0, y1: g.height - g.pad, x2: g.width, y2: g.height - g.pad }));
    if (points.length > 0) {
      root.append(svg('polyline', { class: 'latency', points: points.join(' '), fill: 'none' }));
    }
    const start = Date.parse(series.start);
    series.failures.forEach((f, i) => {
      if (f > 0) {
        const dot = svg('circle', { class: 'failure', cx: bucketX(i, n, g.width).toFixed(2), cy: g.pad + 1, r: 2.5,
          'data-bucket': i });
        dot.append(title(f + ' failed probe(s) at ' + clock(start + i * series.bucketMillis)));
        root.append(dot);
      }
    });
    const span = n * series.bucketMillis;
    for (const mark of restartMarks) {
      const x = (Date.parse(mark) - start) / span * g.width;
      if (x >= 0 && x <= g.width) {
        const line = svg('line', { class: 'restart-mark', x1: x.toFixed(2), y1: 0, x2: x.toFixed(2), y2: g.height });
        line.append(title('restart at ' + clock(Date.parse(mark))));
        root.append(line);
      }
    }
    return root;
  }

  /** Bars of counts per bucket (restarts per minute), all on one scale. */
  function bars(series, label) {
    const g = geometry.bars;
    const n = series.counts.length;
    const top = Math.max(1, ...series.counts);
    const total = series.counts.reduce((a, b) => a + b, 0);
    const root = svg('svg', {
      class: 'bars', width: g.width, height: g.height, viewBox: '0 0 ' + g.width + ' ' + g.height, role: 'img',
      'data-max': top, 'data-start': Date.parse(series.start), 'data-bucket-millis': series.bucketMillis,
      'aria-label': label + ': ' + total + ' over the last ' + Math.round(n * series.bucketMillis / 60000) + ' min'
    });
    root.append(svg('line', { class: 'axis', x1: 0, y1: g.height - 0.5, x2: g.width, y2: g.height - 0.5 }));
    const w = g.width / n;
    const start = Date.parse(series.start);
    series.counts.forEach((c, i) => {
      if (c > 0) {
        const h = (g.height - 1) * c / top;
        const bar = svg('rect', { class: 'bar', x: (i * w + g.gap / 2).toFixed(2), width: Math.max(1, w - g.gap).toFixed(2),
          y: (g.height - 1 - h).toFixed(2), height: h.toFixed(2), 'data-bucket': i, 'data-count': c });
        bar.append(title(c + ' at ' + clock(start + i * series.bucketMillis)));
        root.append(bar);
      }
    });
    return root;
  }

  return { geometry, sparkline, bars };
}());
