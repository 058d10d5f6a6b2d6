'use strict';
/*
 * Small SVG charts for the deployer's UI, no library: a timeline of one deployment's phases and a
 * bar chart of an app's recent deployments. Each chart is drawn from exactly what the API returns
 * and puts the figures it drew in data attributes (data-duration-millis, data-status), so a test
 * reads them back and compares them with the API.
 *
 * The phases come from the deployment's log (GET /deployments/{id}/logs, or its "log" events on the
 * live stream): every line starts with its time, "phase X" (or "phase X: message") opens a phase
 * and "phase X took N ms" closes it with the duration the deployer measured (the first phase is
 * never opened by a line: it starts with the deployment).
 */
window.DeployerCharts = (function () {
  const NS = 'http://www.w3.org/2000/svg';
  const geometry = {
    timeline: { width: 720, labelWidth: 150, row: 22, gap: 4, pad: 6, axis: 18 },
    history: { width: 720, height: 120, gap: 3, axis: 16, maxBars: 30 }
  };
  const LINE = /^(\S+) phase ([A-Z_]+)(?: took (\d+) ms$|: (.*)$|$)/;
  const SWITCHED = /^(\S+) frontend \S+ switched to /;

  function svg(tag, attrs) {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== null && v !== undefined) e.setAttribute(k, String(v));
    }
    return e;
  }

  function title(text) {
    const t = svg('title');
    t.textContent = text;
    return t;
  }

  function text(x, y, content, attrs) {
    const t = svg('text', Object.assign({ x: x.toFixed(1), y: y.toFixed(1) }, attrs || {}));
    t.textContent = content;
    return t;
  }

  function seconds(ms) {
    if (ms < 1000) return ms + ' ms';
    const s = ms / 1000;
    return s < 120 ? s.toFixed(1) + ' s' : Math.round(s / 60) + ' min';
  }

  /**
   * The phases a deployment's log lines describe, in order: {phase, start (epoch ms), durationMillis
   * (null while the phase runs), message}; and switchedAt, when the frontend moved to the new version.
   */
  function phases(lines) {
    const result = [];
    let switchedAt = null;
    for (const line of lines) {
      const s = SWITCHED.exec(line);
      if (s) {
        switchedAt = Date.parse(s[1]);
        continue;
      }
      const m = LINE.exec(line);
      if (!m) continue;
      const at = Date.parse(m[1]);
      const open = result.length ? result[result.length - 1] : null;
      if (m[3] !== undefined) {
        const took = Number(m[3]);
        if (open && open.phase === m[2] && open.durationMillis === null) open.durationMillis = took;
        // the first phase starts with the deployment, before any log line: its start is its end less its duration
        else result.push({ phase: m[2], start: at - took, durationMillis: took, message: null });
      } else if (open && open.phase === m[2] && open.durationMillis === null) {
        if (m[4] !== undefined) open.message = m[4];
      } else {
        result.push({ phase: m[2], start: at, durationMillis: null, message: m[4] === undefined ? null : m[4] });
      }
    }
    return { phases: result, switchedAt };
  }

  /**
   * One bar per phase on a common time axis, its duration written beside it; the switch as a
   * vertical mark; a deployment that ended in FAILURE has its last phase red, with the reason.
   */
  function timeline(parsed, deployment, labels, now) {
    const g = geometry.timeline;
    const list = parsed.phases;
    const failed = deployment.status === 'FAILURE';
    const rows = list.length + (failed ? 1 : 0);
    const height = g.pad * 2 + Math.max(1, rows) * (g.row + g.gap) + g.axis;
    const root = svg('svg', { class: 'timeline', id: 'timeline', width: g.width, height, viewBox: '0 0 ' + g.width + ' ' + height,
      role: 'img', 'data-status': deployment.status });
    if (list.length === 0) {
      root.setAttribute('aria-label', 'No phase has started yet');
      root.append(text(g.pad, g.pad + g.row / 2 + 4, 'No phase has started yet.', { class: 'note' }));
      return root;
    }
    const start = list[0].start;
    const endOf = (p) => p.durationMillis === null ? Math.max(now, p.start) : p.start + p.durationMillis;
    const span = Math.max(1, ...list.map(p => endOf(p) - start));
    const plot = g.width - g.labelWidth - g.pad - 70;
    const x = (t) => g.labelWidth + plot * (t - start) / span;
    const total = Math.max(...list.map(endOf)) - start;
    root.setAttribute('aria-label', 'Timeline of ' + list.length + ' phase(s) over ' + seconds(total)
      + (failed ? ', failed in ' + (labels[list[list.length - 1].phase] || list[list.length - 1].phase) : ''));
    const bottom = g.pad + rows * (g.row + g.gap);
    root.append(svg('line', { class: 'axis', x1: g.labelWidth, y1: bottom, x2: g.labelWidth + plot, y2: bottom }));
    root.append(text(g.labelWidth, bottom + g.axis - 4, '0 s', { class: 'tick' }));
    root.append(text(g.labelWidth + plot, bottom + g.axis - 4, seconds(span), { class: 'tick', 'text-anchor': 'end' }));
    list.forEach((p, i) => {
      const y = g.pad + i * (g.row + g.gap);
      const running = p.durationMillis === null;
      const lastFailed = failed && i === list.length - 1;
      const millis = endOf(p) - p.start;
      const cls = 'phase-bar' + (running ? ' running' : '') + (lastFailed ? ' failed' : '');
      root.append(text(g.labelWidth - 8, y + g.row / 2 + 4, labels[p.phase] || p.phase, { class: 'label', 'text-anchor': 'end' }));
      const bar = svg('rect', { class: cls, x: x(p.start).toFixed(1), y, height: g.row, rx: 3,
        width: Math.max(2, x(p.start + millis) - x(p.start)).toFixed(1), 'data-phase': p.phase,
        'data-duration-millis': running ? null : p.durationMillis });
      bar.append(title((labels[p.phase] || p.phase) + (running ? ': running for ' : ': ') + seconds(millis)
        + (p.message ? ' — ' + p.message : '')));
      root.append(bar);
      root.append(text(Math.max(x(p.start + millis), x(p.start) + 2) + 6, y + g.row / 2 + 4,
        (running ? '… ' : '') + seconds(millis), { class: 'duration' + (lastFailed ? ' failed' : '') }));
    });
    if (failed) {
      const y = g.pad + list.length * (g.row + g.gap);
      root.append(text(g.labelWidth, y + g.row / 2 + 4, 'FAILURE: ' + (deployment.reason || 'no reason given'),
        { class: 'failure-reason' }));
    }
    if (parsed.switchedAt !== null && !isNaN(parsed.switchedAt)) {
      const sx = x(parsed.switchedAt);
      const mark = svg('line', { class: 'switch-mark', x1: sx.toFixed(1), y1: g.pad / 2, x2: sx.toFixed(1), y2: bottom,
        'data-at': new Date(parsed.switchedAt).toISOString() });
      mark.append(title('traffic switched to this version at ' + new Date(parsed.switchedAt).toLocaleTimeString()));
      root.append(mark);
      root.append(text(sx + 3, bottom + g.axis - 4, 'switch', { class: 'switch-label' }));
    }
    return root;
  }

  /**
   * The app's recent deployments, oldest left: bar height is the duration (created to last change,
   * or to now while running), colour the outcome.
   */
  function history(list, durationOf) {
    const g = geometry.history;
    const recent = list.slice(0, g.maxBars).reverse();
    const millis = recent.map(durationOf);
    const top = Math.max(1, ...millis);
    const plotHeight = g.height - g.axis;
    const root = svg('svg', { class: 'history-chart', id: 'history-chart', width: g.width, height: g.height,
      viewBox: '0 0 ' + g.width + ' ' + g.height, role: 'img', 'data-max': top,
      'aria-label': 'Durations of the last ' + recent.length + ' deployment(s), longest ' + seconds(top) + '; '
        + ['DEPLOYED', 'FAILURE', 'UNDEPLOYED', 'DEPLOYING', 'UNDEPLOYING']
          .map(s => [s, recent.filter(d => d.status === s).length]).filter(([, n]) => n > 0)
          .map(([s, n]) => n + ' ' + s).join(', ') });
    root.append(svg('line', { class: 'axis', x1: 0, y1: plotHeight + 0.5, x2: g.width, y2: plotHeight + 0.5 }));
    root.append(text(g.width - 4, 12, 'longest ' + seconds(top), { class: 'tick', 'text-anchor': 'end' }));
    const w = g.width / g.maxBars;
    recent.forEach((d, i) => {
      const h = Math.max(1, (plotHeight - 2) * millis[i] / top);
      const bar = svg('rect', { class: 'deployment-bar outcome-' + d.status, x: (i * w + g.gap / 2).toFixed(1),
        y: (plotHeight - h).toFixed(1), width: (w - g.gap).toFixed(1), height: h.toFixed(1),
        'data-deployment': d.id, 'data-version': d.version, 'data-status': d.status, 'data-duration-millis': millis[i] });
      bar.append(title('version ' + d.version + ': ' + d.status + ' in ' + seconds(millis[i])
        + (d.reason ? ' — ' + d.reason : '')));
      const link = svg('a', { href: '#/deployments/' + encodeURIComponent(d.id) });
      link.append(bar);
      root.append(link);
      root.append(text(i * w + w / 2, g.height - 3, d.version, { class: 'tick', 'text-anchor': 'middle' }));
    });
    return root;
  }

  return { geometry, phases, timeline, history };
}());
