'use strict';

(function () {
  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== undefined && v !== null) {
        e.setAttribute(k, v);
      }
    }
    for (const c of children) {
      if (c !== undefined && c !== null) {
        e.append(c instanceof Node ? c : document.createTextNode(String(c)));
      }
    }
    return e;
  }

  function time(iso) {
    return iso ? new Date(iso).toLocaleTimeString() : '';
  }

  function probeCell(p) {
    const probe = p.lastProbe;
    if (!probe) {
      return el('td', {}, p.probeUrl ? 'no probe yet' : 'no health check');
    }
    const status = probe.httpStatus !== undefined ? 'HTTP ' + probe.httpStatus : 'no answer';
    return el('td', {class: 'probe'},
      status + ', ' + probe.latencyMillis + ' ms at ' + time(probe.at),
      probe.error ? el('div', {class: 'reason'}, probe.error) : null,
      probe.bodyExcerpt && !probe.healthy ? el('div', {class: 'excerpt'}, probe.bodyExcerpt) : null);
  }

  function renderApps(apps) {
    const root = $('apps');
    root.replaceChildren();
    if (apps.length === 0) {
      root.append(el('p', {class: 'empty'}, 'No pods yet.'));
      return;
    }
    for (const app of apps) {
      const section = el('div', {class: 'app', 'data-app': app.namespace + '/' + app.app});
      section.append(el('h3', {}, app.namespace + '/' + app.app));
      const table = el('table', {},
        el('thead', {}, el('tr', {}, ...['Version', 'Pod', 'Health', 'Phase', 'Restarts', 'Node', 'Last probe']
          .map((h) => el('th', {}, h)))));
      const body = el('tbody');
      for (const v of app.versions) {
        for (const p of v.podList) {
          body.append(el('tr', {'data-pod': p.namespace + '/' + p.pod, 'data-health': p.health},
            el('td', {}, v.version + ' (' + v.serving + '/' + v.pods + ' serving)'),
            el('td', {}, p.pod),
            el('td', {class: 'health'}, el('span', {class: 'badge'}, p.health)),
            el('td', {}, p.phase || ''),
            el('td', {class: 'restarts'}, p.restarts,
              p.lastTerminationReason ? el('div', {class: 'reason'}, p.lastTerminationReason) : null),
            el('td', {}, p.node || ''),
            probeCell(p)));
        }
      }
      table.append(body);
      section.append(table);
      root.append(section);
    }
  }

  function renderRows(tableId, rows, empty, columns) {
    const body = document.querySelector('#' + tableId + ' tbody');
    body.replaceChildren();
    if (rows.length === 0) {
      body.append(el('tr', {}, el('td', {colspan: 6, class: 'empty'}, empty)));
      return;
    }
    for (const r of rows) {
      body.append(columns(r));
    }
  }

  function render(s) {
    const sum = s.summary;
    $('summary').replaceChildren(
      el('span', {}, sum.serving + '/' + sum.pods + ' pods serving'),
      el('span', {class: sum.unhealthy ? 'bad badge' : ''}, sum.unhealthy + ' unhealthy'),
      el('span', {}, sum.nodes - sum.nodesNotReady + '/' + sum.nodes + ' nodes ready'),
      el('span', {class: sum.dataStoresDown ? 'bad badge' : ''}, sum.dataStoresDown + ' data stores down'),
      el('span', {}, sum.alerts + ' alerts'),
      el('span', {class: sum.servingAlerts ? 'bad badge' : ''}, sum.servingAlerts + ' serving alerts'));
    renderRows('serving-alerts', s.servingAlerts, 'Every app serves.', (a) => el('tr',
      {'data-serving-alert': a.namespace + '/' + a.appName, 'data-condition': a.condition},
      el('td', {}, a.namespace + '/' + a.appName), el('td', {}, a.version),
      el('td', {}, el('span', {class: 'bad badge'}, a.condition === 'NO_SERVING_POD' ? 'no serving pod' : 'too few serving pods')),
      el('td', {}, a.servingPods + ' of ' + a.expectedPods), el('td', {}, time(a.since)),
      el('td', {class: 'reason'}, a.reason)));
    renderApps(s.apps);
    renderRows('alerts', s.alerts, 'No restart alerts.', (a) => el('tr', {'data-alert': a.namespace + '/' + a.pod},
      el('td', {}, time(a.raisedAt)), el('td', {}, a.namespace + '/' + a.pod + ' (' + a.app + ' ' + a.version + ')'),
      el('td', {}, a.restartsInWindow + ' (max ' + a.threshold + ')'), el('td', {}, a.windowSeconds + ' s'),
      el('td', {class: 'reason'}, a.reason || '')));
    renderRows('nodes', s.nodes, 'No cluster watched.', (n) => el('tr', {'data-node': n.name},
      el('td', {}, n.name), el('td', {}, el('span', {class: 'badge ' + (n.ready ? 'ok' : 'bad')}, n.ready ? 'ready' : 'not ready')),
      el('td', {}, (n.conditions || []).filter((c) => (c.type === 'Ready') !== (c.status === 'True'))
        .map((c) => c.type + (c.reason ? ' (' + c.reason + ')' : '')).join(', ') || 'ok'),
      el('td', {}, (n.capacity || {}).cpu || ''), el('td', {}, (n.capacity || {}).memory || ''),
      el('td', {}, (n.capacity || {}).pods || '')));
    renderRows('datastores', s.dataStores, 'No data stores configured.', (d) => el('tr', {'data-datastore': d.name},
      el('td', {}, d.name), el('td', {}, d.type + ' ' + d.target),
      el('td', {}, el('span', {class: 'badge ' + (d.up === undefined ? 'unknown' : d.up ? 'ok' : 'bad')},
        d.up === undefined ? 'not checked' : d.up ? 'up' : 'down')),
      el('td', {}, d.latencyMillis !== undefined ? d.latencyMillis + ' ms' : ''), el('td', {}, time(d.lastCheck)),
      el('td', {class: 'reason'}, d.lastError ? d.lastError + ' (' + time(d.lastErrorAt) + ')' : '')));
    document.body.setAttribute('data-revision', s.revision);
  }

  function connect() {
    const source = new EventSource('api/dashboard/stream');
    const status = $('connection');
    source.onopen = () => {
      status.dataset.state = 'live';
      status.textContent = 'live';
    };
    source.onmessage = (e) => render(JSON.parse(e.data));
    source.onerror = () => {
      status.dataset.state = 'lost';
      status.textContent = 'connection lost, retrying…';
    };
  }

  connect();
}());
