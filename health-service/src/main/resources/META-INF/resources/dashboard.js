'use strict';
/*
 * The health dashboard: the overview (every app as tiles of its versions, coloured by state, with
 * counts) follows /api/dashboard/stream; choosing a version opens the app's pods, which follow
 * /api/dashboard/apps/{namespace}/{app}/stream. Text is never parsed as HTML.
 */
(function () {
  const $ = (id) => document.getElementById(id);
  const charts = window.HealthCharts;
  const state = { overview: null, detail: null, detailKey: null, detailSource: null };

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) {
        continue;
      }
      if (k.startsWith('on')) {
        e.addEventListener(k.substring(2), v);
      } else {
        e.setAttribute(k, v === true ? '' : v);
      }
    }
    for (const c of children.flat()) {
      if (c !== undefined && c !== null && c !== false) {
        e.append(c instanceof Node ? c : document.createTextNode(String(c)));
      }
    }
    return e;
  }

  function time(iso) {
    return iso ? new Date(iso).toLocaleTimeString() : '';
  }

  function ago(iso) {
    const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    return s < 90 ? s + ' s ago' : Math.round(s / 60) + ' min ago';
  }

  // ---------- header ----------
  function renderSummary(s) {
    const sum = s.summary;
    const parts = [
      el('span', {}, sum.apps + ' apps'),
      el('span', {}, sum.serving + '/' + sum.pods + ' pods serving'),
      el('span', { class: sum.unhealthy ? 'bad badge' : '' }, sum.unhealthy + ' unhealthy'),
      el('span', { class: sum.servingAlerts ? 'bad badge' : '' }, sum.servingAlerts + ' serving alerts'),
      el('span', {}, sum.alerts + ' restart alerts'),
      sum.dataStoresDown ? el('span', { class: 'bad badge' }, sum.dataStoresDown + ' data stores down') : null,
      sum.nodes ? el('span', { class: sum.nodesNotReady ? 'bad badge' : '' },
        (sum.nodes - sum.nodesNotReady) + '/' + sum.nodes + ' nodes ready') : null
    ];
    $('summary').replaceChildren(...parts.filter((p) => p));
    $('instance').textContent = 'answered by ' + s.instance;
  }

  // ---------- overview ----------
  function renderServingAlerts(alerts) {
    $('serving-alerts-section').hidden = alerts.length === 0;
    $('serving-alerts').replaceChildren(...alerts.map((a) => el('li',
      { 'data-serving-alert': a.namespace + '/' + a.appName, 'data-condition': a.condition },
      el('strong', {}, a.namespace + '/' + a.appName + ' version ' + a.version + ': '),
      a.condition === 'NO_SERVING_POD' ? 'no serving pod' : 'too few serving pods',
      ' (' + a.servingPods + ' of ' + a.expectedPods + ', since ' + time(a.since) + ') ',
      el('span', { class: 'reason' }, a.reason))));
  }

  function versionTile(app, v) {
    const key = app.namespace + '/' + app.app;
    const text = v.pods === 0 ? 'no pod' : v.serving + '/' + v.pods + ' serving';
    const extra = [v.unhealthy ? v.unhealthy + ' failing' : null, v.starting ? v.starting + ' starting' : null]
      .filter((x) => x).join(', ');
    return el('button', {
      type: 'button', class: 'tile', 'data-state': v.state, 'data-version': v.version,
      'data-should-serve': v.shouldServe ? 'true' : 'false', 'aria-pressed': state.detailKey === key ? 'true' : 'false',
      'aria-label': key + ' version ' + v.version + ': ' + v.state + ', ' + text + (extra ? ', ' + extra : '')
        + (v.shouldServe ? ', should serve' : ''),
      onclick: () => openDetail(app.namespace, app.app)
    },
    el('span', { class: 'tile-version' }, (v.shouldServe ? '★ ' : '') + 'v' + v.version),
    el('span', { class: 'tile-count' }, text),
    extra ? el('span', { class: 'tile-extra' }, extra) : null);
  }

  function renderApps(apps) {
    const root = $('apps');
    const focused = document.activeElement && document.activeElement.classList.contains('tile')
      ? [document.activeElement.closest('.app-card').dataset.app, document.activeElement.dataset.version] : null;
    if (apps.length === 0) {
      root.replaceChildren(el('p', { class: 'empty' }, 'No apps yet.'));
      return;
    }
    root.replaceChildren(...apps.map((a) => el('article', {
      class: 'app-card', 'data-app': a.namespace + '/' + a.app, 'data-stale': a.stale ? 'true' : 'false'
    },
    el('h3', {}, a.namespace + '/' + a.app),
    el('p', { class: 'meta' },
      a.servingVersion ? 'serving version ' + a.servingVersion : 'no version deployed to serve',
      ' · reported by ' + a.reporter + ' ' + ago(a.reportedAt),
      a.stale ? el('span', { class: 'bad badge' }, 'stale') : null),
    el('div', { class: 'tiles' }, a.versions.map((v) => versionTile(a, v))),
    a.restartsInWindow ? el('p', { class: 'meta' }, a.restartsInWindow + ' restart(s) in the last '
      + Math.round(a.restarts.counts.length * a.restarts.bucketMillis / 60000) + ' min') : null)));
    if (focused) {
      const again = root.querySelector('.app-card[data-app="' + CSS.escape(focused[0]) + '"] .tile[data-version="'
        + CSS.escape(focused[1]) + '"]');
      if (again) {
        again.focus();
      }
    }
  }

  function renderRestarts(apps) {
    const withRestarts = apps.filter((a) => a.restartsInWindow > 0);
    const root = $('restarts');
    if (withRestarts.length === 0) {
      const span = apps.length ? Math.round(apps[0].restarts.counts.length * apps[0].restarts.bucketMillis / 60000) : 30;
      root.replaceChildren(el('p', { class: 'empty' }, 'No restarts in the last ' + span + ' min.'));
      return;
    }
    root.replaceChildren(el('table', { class: 'restarts' },
      el('thead', {}, el('tr', {}, el('th', {}, 'App'), el('th', {}, 'Restarts'),
        el('th', {}, 'Per ' + Math.round(withRestarts[0].restarts.bucketMillis / 1000) + ' s, oldest left'))),
      el('tbody', {}, withRestarts.map((a) => el('tr', { 'data-restarts': a.namespace + '/' + a.app },
        el('td', {}, a.namespace + '/' + a.app), el('td', {}, a.restartsInWindow),
        el('td', {}, charts.bars(a.restarts, 'restarts of ' + a.app)))))));
  }

  function renderRows(tableId, rows, empty, columns) {
    const body = document.querySelector('#' + tableId + ' tbody');
    body.replaceChildren();
    if (rows.length === 0) {
      body.append(el('tr', {}, el('td', { colspan: 6, class: 'empty' }, empty)));
      return;
    }
    for (const r of rows) {
      body.append(columns(r));
    }
  }

  function renderOverview(s) {
    state.overview = s;
    renderSummary(s);
    renderServingAlerts(s.servingAlerts);
    renderApps(s.apps);
    renderRestarts(s.apps);
    renderRows('alerts', s.alerts, 'No restart alerts.', (a) => el('tr', { 'data-alert': a.namespace + '/' + a.pod },
      el('td', {}, time(a.raisedAt)), el('td', {}, a.namespace + '/' + a.pod + ' (' + a.app + ' ' + a.version + ')'),
      el('td', {}, a.restartsInWindow + ' (max ' + a.threshold + ')'), el('td', {}, a.windowSeconds + ' s'),
      el('td', { class: 'reason' }, a.reason || '')));
    $('nodes-section').hidden = s.nodes.length === 0;
    renderRows('nodes', s.nodes, '', (n) => el('tr', { 'data-node': n.name },
      el('td', {}, n.name), el('td', {}, el('span', { class: 'badge ' + (n.ready ? 'ok' : 'bad') }, n.ready ? 'ready' : 'not ready')),
      el('td', {}, (n.conditions || []).filter((c) => (c.type === 'Ready') !== (c.status === 'True'))
        .map((c) => c.type + (c.reason ? ' (' + c.reason + ')' : '')).join(', ') || 'ok'),
      el('td', {}, (n.capacity || {}).cpu || ''), el('td', {}, (n.capacity || {}).memory || ''),
      el('td', {}, (n.capacity || {}).pods || '')));
    renderRows('datastores', s.dataStores, 'No data stores configured.', (d) => el('tr', { 'data-datastore': d.name },
      el('td', {}, d.name), el('td', {}, d.type + ' ' + d.target),
      el('td', {}, el('span', { class: 'badge ' + (d.up === undefined ? 'unknown' : d.up ? 'ok' : 'bad') },
        d.up === undefined ? 'not checked' : d.up ? 'up' : 'down')),
      el('td', {}, d.latencyMillis !== undefined ? d.latencyMillis + ' ms' : ''), el('td', {}, time(d.lastCheck)),
      el('td', { class: 'reason' }, d.lastError ? d.lastError + ' (' + time(d.lastErrorAt) + ')' : '')));
    document.body.setAttribute('data-revision', s.revision);
  }

  // ---------- one app, on demand ----------
  function probeCell(p) {
    const probe = p.lastProbe;
    if (!probe) {
      return el('td', { class: 'probe' }, p.probeUrl ? 'no probe yet' : 'no health check: serves while it runs');
    }
    const status = probe.httpStatus !== undefined ? 'HTTP ' + probe.httpStatus : 'no answer';
    return el('td', { class: 'probe' },
      status + ', ' + probe.latencyMillis + ' ms at ' + time(probe.at),
      probe.error ? el('div', { class: 'reason' }, probe.error) : null,
      probe.bodyExcerpt && !probe.healthy ? el('div', { class: 'excerpt' }, probe.bodyExcerpt) : null);
  }

  function renderDetail(r) {
    state.detail = r;
    $('detail-meta').textContent = (r.servingVersion ? 'serving version ' + r.servingVersion + ' · ' : '')
      + 'probed by ' + r.reporter + ', reported ' + ago(r.reportedAt);
    const body = $('detail-body');
    body.replaceChildren(...r.versions.map((v) => el('div', { class: 'version', 'data-version': v.version },
      el('h3', {}, 'Version ' + v.version + (v.version === r.servingVersion ? ' (should serve)' : '') + ': '
        + v.serving + '/' + v.pods.length + ' serving'),
      v.pods.length === 0 ? el('p', { class: 'empty' }, 'No pod of this version runs.') : el('table', { class: 'pods' },
        el('thead', {}, el('tr', {}, ...['Pod', 'Health', 'Probe latency and restarts', 'Restarts', 'Phase', 'Node',
          'Last probe'].map((h) => el('th', {}, h)))),
        el('tbody', {}, v.pods.map((p) => el('tr', { 'data-pod': r.namespace + '/' + p.podName, 'data-health': p.health },
          el('td', {}, p.podName),
          el('td', { class: 'health' }, el('span', { class: 'badge' }, p.health)),
          el('td', { class: 'chart' }, p.latency ? charts.sparkline(p.latency, p.restartMarks, p.podName)
            : (p.restartMarks.length ? p.restartMarks.length + ' restart(s)' : '')),
          el('td', { class: 'restarts' }, p.restarts,
            p.lastTerminationReason ? el('div', { class: 'reason' }, p.lastTerminationReason) : null),
          el('td', {}, p.phase || ''),
          el('td', {}, p.node || ''),
          probeCell(p))))))));
    if (r.alerts.length) {
      body.prepend(el('ul', { class: 'alert-list' }, r.alerts.map((a) => el('li', {}, a.reason))));
    }
  }

  function openDetail(namespace, app) {
    const key = namespace + '/' + app;
    closeDetail();
    state.detailKey = key;
    $('detail').hidden = false;
    $('detail-title').textContent = key;
    $('detail-body').replaceChildren(el('p', {}, 'Loading…'));
    $('detail-title').focus();
    const source = new EventSource('api/dashboard/apps/' + encodeURIComponent(namespace) + '/'
      + encodeURIComponent(app) + '/stream');
    source.onmessage = (e) => renderDetail(JSON.parse(e.data));
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        $('detail-meta').textContent = 'The app is gone from the dashboard.';
      }
    };
    state.detailSource = source;
    if (state.overview) {
      renderApps(state.overview.apps);
    }
  }

  function closeDetail() {
    if (state.detailSource) {
      state.detailSource.close();
    }
    state.detailSource = null;
    state.detailKey = null;
    state.detail = null;
    $('detail').hidden = true;
  }

  $('detail-close').addEventListener('click', () => {
    closeDetail();
    if (state.overview) {
      renderApps(state.overview.apps);
    }
  });

  function connect() {
    const source = new EventSource('api/dashboard/stream');
    const status = $('connection');
    source.onopen = () => {
      status.dataset.state = 'live';
      status.textContent = 'live';
    };
    source.onmessage = (e) => renderOverview(JSON.parse(e.data));
    source.onerror = () => {
      status.dataset.state = 'lost';
      status.textContent = 'connection lost, retrying…';
    };
  }

  connect();
}());
