'use strict';
/*
 * The deployer's web UI: one page, routes in the location hash, data from the deployer's own REST
 * API (the same one CI uses) and live progress from /deployments/{id}/stream (Server-Sent Events,
 * read with fetch so that the bearer token goes in the Authorization header, never in a URL).
 */
(function () {
  const PHASES = ['PREPARING', 'CREATING_GREEN', 'WAITING_FOR_HEALTH', 'SWITCHING', 'DRAINING', 'REMOVING_BLUE'];
  const PHASE_LABELS = {
    PREPARING: 'Preparing', CREATING_GREEN: 'Creating green', WAITING_FOR_HEALTH: 'Waiting for health',
    SWITCHING: 'Switching', DRAINING: 'Draining blue', REMOVING_BLUE: 'Removing blue',
    ROLLING_BACK: 'Rolling back', UNDEPLOYING: 'Undeploying'
  };
  const FORM_FIELDS = ['appName', 'newVersion', 'replicas', 'frontend', 'useHealthCheck', 'healthCheckType',
    'healthCheckPath', 'healthCheckPort', 'ignoreHealthCheck', 'redirectWww', 'useCompression', 'useStickySessions',
    'environment', 'podspec'];
  const DEFAULT_PODSPEC = {
    containers: [{ name: 'web', image: 'nginx', ports: [{ name: 'http', containerPort: 80 }] }]
  };

  const state = {
    token: sessionStorage.getItem('bgdeploy.token') || '',
    who: sessionStorage.getItem('bgdeploy.who') || '',
    ns: sessionStorage.getItem('bgdeploy.namespace') || 'default',
    links: { healthDashboardUrl: 'http://127.0.0.1:8082/', publicUrl: 'http://127.0.0.1:8000/' },
    cleanup: []
  };

  const main = document.getElementById('main');
  const message = document.getElementById('message');

  /** Builds an element: h('a', {href: '#'}, 'text', child...). Text is never parsed as HTML. */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on')) el.addEventListener(k.substring(2), v);
      else if (k === 'class') el.className = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  function statusBadge(status, id) {
    return h('span', { class: 'status status-' + status, id }, status || '—');
  }

  function nsQuery() {
    return 'namespace=' + encodeURIComponent(state.ns);
  }

  /** A REST call; throws an Error with status, problems on any non-2xx answer. */
  async function api(method, path, body) {
    const headers = authorized({ Accept: 'application/json' });
    const init = { method, headers };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (e) {
      const err = new Error('The deployer does not answer (' + e.message + ')');
      err.status = 0;
      err.problems = [];
      throw err;
    }
    const text = await response.text();
    const data = parsed(text);
    if (!response.ok) throw refusal(response.status, data);
    return { status: response.status, data, location: response.headers.get('Location') };
  }

  function authorized(headers) {
    if (state.token) headers.Authorization = 'Bearer ' + state.token;
    return headers;
  }

  function parsed(text) {
    try {
      return text ? JSON.parse(text) : null;
    } catch (notJson) {
      return text;
    }
  }

  /** The Error of a non-2xx answer: its status, the server's message and problems. */
  function refusal(status, data) {
    const err = new Error((data && data.error) || ('HTTP ' + status));
    err.status = status;
    err.problems = (data && Array.isArray(data.problems)) ? data.problems : [];
    return err;
  }

  /**
   * Follows a Server-Sent Events stream with fetch(): EventSource cannot send the Authorization
   * header, and a token in the URL would end up in access logs and the browser's history. Reads
   * the event-stream format's data fields (the deployer sends no event names, ids or retry times);
   * after a network failure or an early end it connects again until closed; a refusal (4xx, 5xx)
   * ends it. Handlers: onOpen(), onMessage({data}), onProblem(err) with err null while reconnecting.
   */
  function followEvents(path, { onOpen, onMessage, onProblem }) {
    const controller = new AbortController();
    let closed = false;
    let retry = null;

    function reconnect() {
      if (closed) return;
      onProblem(null);
      retry = setTimeout(connect, 1000);
    }

    async function connect() {
      let response;
      try {
        response = await fetch(path, { headers: authorized({ Accept: 'text/event-stream' }), cache: 'no-store',
          signal: controller.signal });
      } catch (e) {
        reconnect();
        return;
      }
      if (!response.ok) {
        closed = true;
        onProblem(refusal(response.status, parsed(await response.text())));
        return;
      }
      onOpen();
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let pending = '';
      let data = [];
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          pending += value;
          // a chunk may end between the \r and the \n of one line break: keep a trailing \r for the next
          const cut = pending.endsWith('\r') ? pending.length - 1 : pending.length;
          const lines = pending.slice(0, cut).split(/\r\n|\r|\n/);
          pending = lines.pop() + pending.slice(cut);
          for (const line of lines) {
            if (line === '') {
              if (data.length) onMessage({ data: data.join('\n') });
              data = [];
            } else if (line.startsWith('data:')) {
              data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
            } else if (line === 'data') {
              data.push('');
            }
          }
          if (closed) return;
        }
      } catch (e) {
        if (closed) return;
      }
      reconnect();
    }

    connect();
    return {
      close() {
        closed = true;
        clearTimeout(retry);
        controller.abort();
      }
    };
  }

  function showMessage(text, kind) {
    message.replaceChildren();
    message.className = 'message ' + (kind || 'info');
    message.append(text instanceof Node ? text : document.createTextNode(text));
    message.hidden = false;
  }

  function clearMessage() {
    message.hidden = true;
    message.replaceChildren();
  }

  /** Explains an error: 401 and 403 say what to do about them. */
  function describeError(err, what) {
    if (err.status === 401) {
      return h('span', {}, h('strong', {}, 'Not authenticated (401): '), err.message + '. ',
        h('a', { href: '#/login' }, 'Sign in with a valid token'), '.');
    }
    if (err.status === 403) {
      return h('span', {}, h('strong', {}, 'Forbidden (403): '), err.message +
        '. Use a token of namespace ' + state.ns + ', or choose another namespace.');
    }
    const problems = err.problems && err.problems.length ? ' — ' + err.problems.join('; ') : '';
    return h('span', {}, h('strong', {}, (what ? what + ' failed' : 'Failed') +
      (err.status ? ' (' + err.status + ')' : '') + ': '), err.message + problems);
  }

  function showError(err, what) {
    showMessage(describeError(err, what), 'error');
  }

  /** A modal confirmation; resolves true when confirmed. */
  function confirmDialog(text, okLabel) {
    const dialog = document.getElementById('confirm');
    document.getElementById('confirm-text').textContent = text;
    document.getElementById('confirm-ok').textContent = okLabel || 'Confirm';
    const opener = document.activeElement;
    return new Promise(resolve => {
      dialog.addEventListener('close', () => {
        if (opener && opener.focus) opener.focus();
        resolve(dialog.returnValue === 'ok');
      }, { once: true });
      dialog.returnValue = '';
      dialog.showModal();
      document.getElementById('confirm-cancel').focus();
    });
  }

  function fmtTime(iso) {
    if (!iso) return '—';
    const d = new Date(iso);
    return isNaN(d) ? iso : d.toLocaleString();
  }

  function fmtDuration(ms) {
    if (ms === null || ms === undefined || isNaN(ms)) return '—';
    if (ms < 1000) return ms + ' ms';
    const s = ms / 1000;
    return s < 120 ? s.toFixed(1) + ' s' : Math.round(s / 60) + ' min';
  }

  /** The phase while a deployment runs; for a failure, the phase it failed in. */
  function phaseNote(d) {
    if (!d.phase) return '';
    if (d.status === 'DEPLOYING' || d.status === 'UNDEPLOYING') return PHASE_LABELS[d.phase] || d.phase;
    if (d.status === 'FAILURE') return 'in ' + (PHASE_LABELS[d.phase] || d.phase).toLowerCase();
    return '';
  }

  function durationOf(d) {
    const start = Date.parse(d.created);
    const end = (d.status === 'DEPLOYING' || d.status === 'UNDEPLOYING') ? Date.now() : Date.parse(d.lastModified);
    return end - start;
  }

  /** The app as HAProxy serves it: the public URL with the app's host name (HAProxy routes by Host). */
  function publicLink(frontend) {
    if (!frontend) return null;
    try {
      const url = new URL(state.links.publicUrl);
      url.hostname = frontend;
      return h('a', { href: url.toString(), rel: 'noopener', title: 'curl -H "Host: ' + frontend + '" ' + state.links.publicUrl },
        frontend);
    } catch (e) {
      return frontend;
    }
  }

  function heading(text) {
    document.title = text + ' — bgdeploy deployer';
    return h('h1', { id: 'page-title', tabindex: '-1' }, text);
  }

  function setPage(...children) {
    main.removeAttribute('aria-busy');
    main.replaceChildren(...children.filter(c => c !== null && c !== undefined && c !== false));
    const title = document.getElementById('page-title');
    if (title) title.focus({ preventScroll: true });
  }

  /** The page's heading while its content loads; assistive technology hears that it is busy. */
  function setLoadingPage(title) {
    setPage(title, h('p', {}, 'Loading…'));
    main.setAttribute('aria-busy', 'true');
  }

  function renderSession() {
    const session = document.getElementById('session');
    session.replaceChildren();
    if (state.token) {
      session.append(h('span', { id: 'signed-in' }, 'Signed in as ' + (state.who || 'token')),
        h('button', { type: 'button', id: 'sign-out', onclick: signOut }, 'Sign out'));
    } else {
      session.append(h('a', { href: '#/login' }, 'Sign in'));
    }
    document.getElementById('namespace-input').value = state.ns;
    document.getElementById('nav-health').href = state.links.healthDashboardUrl;
  }

  function signOut() {
    state.token = '';
    state.who = '';
    sessionStorage.removeItem('bgdeploy.token');
    sessionStorage.removeItem('bgdeploy.who');
    renderSession();
    location.hash = '#/login';
  }

  // ---------- Login ----------
  function renderLogin() {
    const error = h('div', { id: 'login-error', role: 'alert', class: 'field-error' });
    const form = h('form', { class: 'login', id: 'login-form', novalidate: true },
      h('div', { class: 'field' },
        h('label', { for: 'login-namespace' }, 'Namespace'),
        h('input', { id: 'login-namespace', name: 'namespace', value: state.ns, required: true, autocomplete: 'off' })),
      h('div', { class: 'field' },
        h('label', { for: 'login-token' }, 'Bearer token'),
        h('input', { id: 'login-token', name: 'token', type: 'password', required: true, autocomplete: 'current-password',
          'aria-describedby': 'login-token-hint login-error' }),
        h('span', { class: 'hint', id: 'login-token-hint' },
          'Kept in this browser tab only (session storage) and sent as "Authorization: Bearer …".')),
      error,
      h('button', { type: 'submit', class: 'primary', id: 'login-submit' }, 'Sign in'));
    form.addEventListener('submit', async ev => {
      ev.preventDefault();
      error.textContent = '';
      const ns = form.namespace.value.trim() || 'default';
      const token = form.token.value.trim();
      if (!token) {
        error.textContent = 'Enter a token.';
        form.token.focus();
        return;
      }
      const previous = state.token;
      state.token = token;
      try {
        const r = await api('GET', '/apps/access?namespace=' + encodeURIComponent(ns));
        state.who = r.data.name;
        state.ns = ns;
        sessionStorage.setItem('bgdeploy.token', token);
        sessionStorage.setItem('bgdeploy.who', state.who);
        sessionStorage.setItem('bgdeploy.namespace', ns);
        renderSession();
        location.hash = '#/apps';
      } catch (err) {
        state.token = previous;
        const prefix = err.status === 401 ? 'Not authenticated (401): ' : err.status === 403 ? 'Forbidden (403): ' : '';
        error.textContent = prefix + err.message;
        form.token.setAttribute('aria-invalid', 'true');
        form.token.focus();
      }
    });
    setPage(heading('Sign in'), h('p', {}, 'Sign in with a bearer token of the deployer. ' +
      'The local run writes one to a file and says where in its log.'), form);
  }

  // ---------- Apps ----------
  async function renderApps() {
    setLoadingPage(heading('Apps in ' + state.ns));
    const r = await api('GET', '/apps/?' + nsQuery());
    const apps = r.data || [];
    const body = apps.map(a => {
      const last = a.lastDeployment;
      const health = a.servingVersion
        ? (a.podsReady + ' of ' + a.replicas + ' pod(s) healthy')
        : '—';
      return h('tr', { 'data-app': a.appName },
        h('th', { scope: 'row' }, a.appName),
        h('td', { class: 'serving-version' }, a.servingVersion || 'none'),
        h('td', {}, publicLink(a.frontend) || '—'),
        h('td', {}, health),
        h('td', { class: 'last-deployment' }, last
          ? [statusBadge(last.status), ' version ' + last.version + (phaseNote(last) ? ' (' + phaseNote(last) + ')' : ''), ' ',
            h('a', { href: '#/deployments/' + last.id, 'aria-label': 'Show deployment of ' + a.appName + ' version ' + last.version }, 'show')]
          : 'never deployed'),
        h('td', { class: 'actions' },
          h('a', { class: 'button', href: '#/apps/' + encodeURIComponent(a.appName) + '/history',
            'aria-label': 'History of ' + a.appName }, 'History')));
    });
    const content = apps.length === 0
      ? h('p', { id: 'no-apps' }, 'No apps in this namespace yet. ', h('a', { href: '#/descriptors/new' }, 'Create a descriptor'), ' and deploy it.')
      : h('table', { id: 'apps-table' },
        h('caption', {}, apps.length + ' app(s)'),
        h('thead', {}, h('tr', {}, ['App', 'Serving version', 'Host name (through HAProxy)', 'Health', 'Last deployment', 'Actions']
          .map(t => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, body));
    setPage(heading('Apps in ' + state.ns),
      h('p', {}, 'Health of the nodes and pods: ', h('a', { href: state.links.healthDashboardUrl, id: 'health-link' }, 'health dashboard'),
        '. Apps are served through HAProxy at ', h('a', { href: state.links.publicUrl, id: 'public-link' }, state.links.publicUrl), '.'),
      content,
      h('p', {}, h('a', { class: 'button primary', href: '#/descriptors/new' }, 'New descriptor')));
  }

  // ---------- Descriptors ----------
  async function renderDescriptors() {
    setLoadingPage(heading('Descriptors in ' + state.ns));
    const r = await api('GET', '/descriptors/?' + nsQuery());
    const list = r.data || [];
    const rows = list.map(d => h('tr', { 'data-descriptor': d.id, 'data-app': d.appName },
      h('th', { scope: 'row' }, d.appName),
      h('td', {}, d.newVersion === '#' ? '# (next)' : d.newVersion),
      h('td', {}, d.frontend || '—'),
      h('td', {}, String(d.replicas)),
      h('td', {}, fmtTime(d.lastModified)),
      h('td', { class: 'actions' },
        h('button', { type: 'button', class: 'primary', 'data-action': 'deploy', 'aria-label': 'Deploy ' + d.appName,
          onclick: () => deploy(d) }, 'Deploy'),
        h('a', { class: 'button', href: '#/descriptors/' + d.id + '/edit', 'aria-label': 'Edit ' + d.appName }, 'Edit'),
        h('button', { type: 'button', 'data-action': 'delete', 'aria-label': 'Delete descriptor ' + d.appName,
          onclick: () => deleteDescriptor(d) }, 'Delete'))));
    setPage(heading('Descriptors in ' + state.ns),
      h('p', {}, h('a', { class: 'button primary', href: '#/descriptors/new', id: 'new-descriptor' }, 'New descriptor')),
      list.length === 0 ? h('p', {}, 'No descriptors in this namespace yet.')
        : h('table', { id: 'descriptors-table' },
          h('caption', {}, list.length + ' descriptor(s)'),
          h('thead', {}, h('tr', {}, ['App', 'Version', 'Host name', 'Replicas', 'Last modified', 'Actions']
            .map(t => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, rows)));
  }

  async function deploy(d) {
    clearMessage();
    try {
      const r = await api('POST', '/deployments/?' + nsQuery() + '&descriptorId=' + encodeURIComponent(d.id));
      location.hash = '#/deployments/' + r.data.id;
    } catch (err) {
      showError(err, 'Deploying ' + d.appName);
    }
  }

  async function deleteDescriptor(d) {
    if (!await confirmDialog('Delete the descriptor of ' + d.appName + '? Running deployments are not affected.', 'Delete')) {
      return;
    }
    try {
      await api('DELETE', '/descriptors/' + encodeURIComponent(d.id) + '/?' + nsQuery());
      showMessage('Descriptor of ' + d.appName + ' deleted.', 'info');
      await renderDescriptors();
    } catch (err) {
      showError(err, 'Deleting');
    }
  }

  function field(name, label, input, hint) {
    const errId = 'err-' + name;
    const hintId = hint ? 'hint-' + name : null;
    input.id = 'f-' + name;
    input.name = name;
    input.setAttribute('aria-describedby', [hintId, errId].filter(Boolean).join(' '));
    const isCheck = input.type === 'checkbox';
    return h('div', { class: 'field' + (isCheck ? ' check' : '') + (name === 'podspec' || name === 'environment' ? ' wide' : ''), 'data-field': name },
      isCheck ? [input, h('label', { for: input.id }, label)] : [h('label', { for: input.id }, label), input],
      hint ? h('span', { class: 'hint', id: hintId }, hint) : null,
      h('span', { class: 'field-error', id: errId, 'aria-live': 'polite' }));
  }

  async function renderEditor(id) {
    let base = { namespace: state.ns, newVersion: '#', replicas: 1, useHealthCheck: true, healthCheckPath: '/health',
      healthCheckType: 'simple', podspec: DEFAULT_PODSPEC };
    if (id) {
      base = (await api('GET', '/descriptors/' + encodeURIComponent(id) + '/?' + nsQuery())).data;
    }
    const title = id ? 'Edit descriptor of ' + base.appName : 'New descriptor';
    const text = (v) => h('input', { type: 'text', value: v === undefined || v === null ? '' : v, autocomplete: 'off', spellcheck: 'false' });
    const check = (v) => h('input', { type: 'checkbox', checked: !!v });
    const env = Object.entries(base.environment || {}).map(([k, v]) => k + '=' + v).join('\n');
    const form = h('form', { id: 'descriptor-form', novalidate: true },
      h('div', { id: 'problems', tabindex: '-1' }),
      h('fieldset', {}, h('legend', {}, 'App'),
        h('div', { class: 'form-grid' },
          field('appName', 'App name', text(base.appName), 'A DNS label: lower-case letters, digits and "-".'),
          field('newVersion', 'Version', text(base.newVersion), '"#" deploys the last version + 1.'),
          field('replicas', 'Replicas', h('input', { type: 'number', min: 1, value: base.replicas })),
          field('frontend', 'Host name', text(base.frontend), 'The host name HAProxy serves the app on, without "://".'))),
      h('fieldset', {}, h('legend', {}, 'Health check'),
        h('div', { class: 'form-grid' },
          field('useHealthCheck', 'Check the health of new pods', check(base.useHealthCheck)),
          field('ignoreHealthCheck', 'Ignore a failing health check', check(base.ignoreHealthCheck)),
          field('healthCheckType', 'Type', h('select', {},
            h('option', { value: 'simple', selected: base.healthCheckType !== 'probe' }, 'simple: any 2xx is healthy'),
            h('option', { value: 'probe', selected: base.healthCheckType === 'probe' }, 'probe: body {"healthy": true}'))),
          field('healthCheckPath', 'Path', text(base.healthCheckPath)),
          field('healthCheckPort', 'Port', h('input', { type: 'number', min: 1, max: 65535,
            value: base.healthCheckPort === null || base.healthCheckPort === undefined ? '' : base.healthCheckPort }),
          'Empty: the container port named "healthcheck", else its only port.'))),
      h('fieldset', {}, h('legend', {}, 'Load balancer'),
        h('div', { class: 'form-grid' },
          field('redirectWww', 'Redirect www.', check(base.redirectWww)),
          field('useCompression', 'Compression', check(base.useCompression)),
          field('useStickySessions', 'Sticky sessions', check(base.useStickySessions)))),
      h('fieldset', {}, h('legend', {}, 'Pods'),
        h('div', { class: 'form-grid' },
          field('environment', 'Environment', h('textarea', { rows: 3 }, env), 'One NAME=value per line.'),
          field('podspec', 'Pod spec (JSON)', h('textarea', { rows: 14 }, JSON.stringify(base.podspec || {}, null, 2)),
            'A Kubernetes PodSpec as JSON.'))),
      h('div', { class: 'actions' },
        h('button', { type: 'button', id: 'validate', onclick: () => validate(form, base, false) }, 'Validate'),
        h('button', { type: 'submit', class: 'primary', id: 'save' }, id ? 'Save' : 'Create'),
        h('a', { class: 'button', href: '#/descriptors' }, 'Cancel')));
    form.addEventListener('submit', ev => {
      ev.preventDefault();
      validate(form, base, true);
    });
    setPage(heading(title), form);
  }

  /** The descriptor the form describes; field errors for what cannot even be sent. */
  function readForm(form, base) {
    const local = {};
    const d = {};
    for (const k of Object.keys(base)) {
      if (!['id', 'created', 'lastModified'].includes(k)) d[k] = base[k];
    }
    d.namespace = state.ns;
    d.appName = form.appName.value.trim();
    d.newVersion = form.newVersion.value.trim();
    d.frontend = form.frontend.value.trim() || null;
    const replicas = form.replicas.value.trim();
    d.replicas = replicas === '' ? null : Number(replicas);
    if (replicas !== '' && !Number.isInteger(d.replicas)) local.replicas = 'must be a whole number';
    d.useHealthCheck = form.useHealthCheck.checked;
    d.ignoreHealthCheck = form.ignoreHealthCheck.checked;
    d.healthCheckType = form.healthCheckType.value;
    d.healthCheckPath = form.healthCheckPath.value.trim() || null;
    const port = form.healthCheckPort.value.trim();
    d.healthCheckPort = port === '' ? null : Number(port);
    if (port !== '' && !Number.isInteger(d.healthCheckPort)) local.healthCheckPort = 'must be a port number';
    d.redirectWww = form.redirectWww.checked;
    d.useCompression = form.useCompression.checked;
    d.useStickySessions = form.useStickySessions.checked;
    const env = {};
    form.environment.value.split('\n').map(l => l.trim()).filter(l => l).forEach(line => {
      const eq = line.indexOf('=');
      if (eq <= 0) local.environment = 'line "' + line + '" is not NAME=value';
      else env[line.substring(0, eq).trim()] = line.substring(eq + 1);
    });
    d.environment = env;
    try {
      const podspec = JSON.parse(form.podspec.value || '{}');
      if (podspec === null || typeof podspec !== 'object' || Array.isArray(podspec)) local.podspec = 'must be a JSON object';
      else d.podspec = podspec;
    } catch (e) {
      local.podspec = 'is not valid JSON: ' + e.message;
    }
    for (const k of Object.keys(d)) {
      if (d[k] === null) delete d[k];
    }
    return { descriptor: d, local };
  }

  /** Shows each problem beside its field; what belongs to no field of the form goes to the summary. */
  function showProblems(form, problems) {
    const box = document.getElementById('problems');
    box.replaceChildren();
    box.className = '';
    for (const name of FORM_FIELDS) {
      const input = form.elements[name];
      if (input) input.removeAttribute('aria-invalid');
      const err = document.getElementById('err-' + name);
      if (err) err.textContent = '';
    }
    if (problems.length === 0) return;
    const other = [];
    for (const p of problems) {
      const colon = p.indexOf(': ');
      const path = colon > 0 ? p.substring(0, colon) : '';
      const name = path.split(/[.[]/)[0];
      const err = FORM_FIELDS.includes(name) ? document.getElementById('err-' + name) : null;
      if (err) {
        const text = path === name ? p.substring(colon + 2) : path + ': ' + p.substring(colon + 2);
        err.textContent = err.textContent ? err.textContent + ' ' + text : text;
        form.elements[name].setAttribute('aria-invalid', 'true');
      } else {
        other.push(p);
      }
    }
    box.className = 'problems';
    box.setAttribute('role', 'alert');
    box.append(h('p', {}, h('strong', {}, 'The deployer found ' + problems.length + ' problem(s).'),
      other.length ? '' : ' See the fields marked below.'));
    if (other.length) box.append(h('ul', {}, other.map(p => h('li', {}, p))));
    const firstInvalid = form.querySelector('[aria-invalid="true"]');
    if (firstInvalid) firstInvalid.focus();
  }

  async function validate(form, base, save) {
    clearMessage();
    const { descriptor, local } = readForm(form, base);
    const localProblems = Object.entries(local).map(([k, v]) => k + ': ' + v);
    if (localProblems.length) {
      showProblems(form, localProblems);
      return;
    }
    try {
      await api('POST', '/descriptors/validate', descriptor);
    } catch (err) {
      if (err.status === 400) {
        showProblems(form, err.problems.length ? err.problems : [err.message]);
      } else {
        showProblems(form, []);
        showError(err, 'Validation');
      }
      return;
    }
    showProblems(form, []);
    if (!save) {
      const box = document.getElementById('problems');
      box.className = 'ok-box';
      box.setAttribute('role', 'status');
      box.replaceChildren(h('p', { id: 'valid' }, 'The descriptor is valid.'));
      return;
    }
    try {
      if (base.id) {
        await api('PUT', '/descriptors/' + encodeURIComponent(base.id) + '/?' + nsQuery(), descriptor);
      } else {
        await api('POST', '/descriptors/?' + nsQuery(), descriptor);
      }
      showMessage('Descriptor of ' + descriptor.appName + ' saved.', 'info');
      location.hash = '#/descriptors';
    } catch (err) {
      if (err.status === 400 && err.problems.length) showProblems(form, err.problems);
      else showError(err, 'Saving');
    }
  }

  // ---------- One deployment, live ----------
  async function renderDeployment(id) {
    const d = (await api('GET', '/deployments/' + encodeURIComponent(id) + '/?' + nsQuery())).data;
    const seen = new Set();
    let current = { status: d.status, phase: d.phase, version: d.version, blueVersion: d.blueVersion, reason: d.reason };
    const phaseList = h('ol', { class: 'phases', id: 'phases', 'aria-label': 'Phases' });
    const logLines = []; // {key, line}, in key order: the order the lines were written
    const timelineBox = h('figure', { class: 'chart', id: 'timeline-box' });
    const log = h('ol', { class: 'log', id: 'log', role: 'log', 'aria-label': 'Deployment log' });
    const podsBody = h('tbody', { id: 'pods' });
    const statusCell = h('span', { id: 'deployment-status-cell' }, statusBadge(d.status, 'deployment-status'));
    const reasonCell = h('span', { id: 'deployment-reason' }, d.reason || '');
    const live = h('p', { class: 'live', id: 'live', role: 'status' }, 'Connecting…');
    const rollback = h('button', { type: 'button', id: 'rollback', disabled: true,
      onclick: () => rollBack(id, current) }, 'Roll back');
    const undeploy = h('button', { type: 'button', id: 'undeploy', class: 'danger', disabled: true,
      onclick: () => undeployDeployment({ id, appName: d.appName, version: current.version, status: current.status }, () => {}) }, 'Undeploy');

    function drawPhases() {
      const order = PHASES.slice();
      for (const p of seen) if (!order.includes(p)) order.push(p);
      if (current.phase && !order.includes(current.phase)) order.push(current.phase);
      const running = current.status === 'DEPLOYING' || current.status === 'UNDEPLOYING';
      phaseList.replaceChildren(...order.map(p => {
        let cls = 'pending';
        if (seen.has(p)) cls = 'done';
        if (p === current.phase && running) cls = 'current';
        return h('li', { 'data-phase': p, class: cls, 'aria-current': cls === 'current' ? 'step' : null }, PHASE_LABELS[p] || p);
      }));
    }

    function drawTimeline() {
      timelineBox.replaceChildren(DeployerCharts.timeline(DeployerCharts.phases(logLines.map(l => l.line)), current, PHASE_LABELS, Date.now()),
        h('figcaption', {}, 'Each phase as a bar with its duration; the dashed line is the switch of traffic to this version.'));
    }

    function drawControls() {
      rollback.disabled = !(current.status === 'DEPLOYING' && current.phase === 'DRAINING');
      rollback.textContent = current.blueVersion ? 'Roll back to version ' + current.blueVersion : 'Roll back';
      undeploy.disabled = current.status !== 'DEPLOYED';
    }

    function onEvent(ev) {
      const e = JSON.parse(ev.data);
      if (e.kind === 'deployment') {
        if (current.phase && current.phase !== e.phase) seen.add(current.phase);
        current = e;
        statusCell.replaceChildren(statusBadge(e.status, 'deployment-status'));
        reasonCell.textContent = e.reason || '';
        drawPhases();
        drawControls();
        drawTimeline();
      } else if (e.kind === 'log') {
        const m = /phase ([A-Z_]+)( took|:|$)/.exec(e.line);
        if (m && m[2] === ' took') seen.add(m[1]);
        // a line confirmed late arrives after later ones: its key says where it belongs
        let at = logLines.length;
        while (at > 0 && logLines[at - 1].key > e.key) at--;
        logLines.splice(at, 0, { key: e.key, line: e.line });
        log.insertBefore(h('li', {}, e.line), log.children[at] || null);
        log.scrollTop = log.scrollHeight;
        drawTimeline();
      } else if (e.kind === 'health') {
        const probe = e.lastProbe || {};
        const row = h('tr', { 'data-pod': e.pod },
          h('th', { scope: 'row' }, e.pod), h('td', {}, statusBadge(e.state)),
          h('td', {}, probe.httpStatus === undefined || probe.httpStatus === null ? '—' : String(probe.httpStatus)),
          h('td', {}, fmtDuration(probe.latencyMillis)), h('td', {}, probe.error || ''), h('td', {}, fmtTime(e.updated)));
        const existing = podsBody.querySelector('tr[data-pod="' + CSS.escape(e.pod) + '"]');
        if (existing) existing.replaceWith(row); else podsBody.append(row);
      } else if (e.kind === 'end') {
        live.textContent = 'Finished: ' + (e.status || e.reason);
        drawPhases();
        stream.close();
      }
    }

    let opened = 0;
    const stream = followEvents('/deployments/' + encodeURIComponent(id) + '/stream?' + nsQuery(), {
      onOpen: () => {
        if (opened++ > 0) {
          logLines.length = 0;
          log.replaceChildren();
          podsBody.replaceChildren();
        }
        live.textContent = 'Live: following the deployment as it happens.';
      },
      onMessage: onEvent,
      onProblem: err => {
        if (!err) {
          live.textContent = 'Reconnecting…';
          return;
        }
        live.textContent = 'The live stream has stopped; reload to follow again.';
        showError(err, 'Following the deployment');
      }
    });
    state.cleanup.push(() => stream.close());
    // a running phase's bar grows with the clock between events
    const ticker = setInterval(() => {
      if (current.status === 'DEPLOYING' || current.status === 'UNDEPLOYING') drawTimeline();
    }, 1000);
    state.cleanup.push(() => clearInterval(ticker));

    drawPhases();
    drawControls();
    drawTimeline();
    setPage(heading(d.appName + ' version ' + d.version),
      h('dl', { class: 'summary' },
        h('div', {}, h('dt', {}, 'Status'), h('dd', {}, statusCell)),
        h('div', {}, h('dt', {}, 'Requested by'), h('dd', {}, d.requestedBy || '—')),
        h('div', {}, h('dt', {}, 'Started'), h('dd', {}, fmtTime(d.created))),
        h('div', {}, h('dt', {}, 'Host name'), h('dd', {}, publicLink(d.descriptor && d.descriptor.frontend) || '—')),
        h('div', {}, h('dt', {}, 'Reason'), h('dd', {}, reasonCell))),
      live,
      h('h2', {}, 'Phases'), phaseList,
      h('h2', { id: 'timeline-title' }, 'Timeline'), timelineBox,
      h('div', { class: 'actions' }, rollback, undeploy,
        h('a', { class: 'button', href: '#/apps/' + encodeURIComponent(d.appName) + '/history', id: 'history-link' }, 'History of ' + d.appName)),
      h('div', { class: 'columns' },
        h('section', { 'aria-labelledby': 'log-title' }, h('h2', { id: 'log-title' }, 'Log'), log),
        h('section', { 'aria-labelledby': 'pods-title' }, h('h2', { id: 'pods-title' }, 'Pod health'),
          h('table', {}, h('thead', {}, h('tr', {}, ['Pod', 'State', 'HTTP', 'Latency', 'Error', 'At']
            .map(t => h('th', { scope: 'col' }, t)))), podsBody))));
  }

  async function rollBack(id, current) {
    clearMessage();
    try {
      await api('POST', '/deployments/' + encodeURIComponent(id) + '/rollback?' + nsQuery());
      showMessage('Switching back to version ' + (current.blueVersion || 'before') + '.', 'info');
    } catch (err) {
      showError(err, 'Rollback');
    }
  }

  async function undeployDeployment(d, after) {
    const ok = await confirmDialog('Undeploy ' + d.appName + ' version ' + d.version +
      '? Its host name, backend and pods are removed: the app stops serving.', 'Undeploy');
    if (!ok) return;
    clearMessage();
    try {
      await api('DELETE', '/deployments/' + encodeURIComponent(d.id) + '/?' + nsQuery());
      showMessage('Undeploying ' + d.appName + ' version ' + d.version + '.', 'info');
      await after();
    } catch (err) {
      showError(err, 'Undeploy');
    }
  }

  // ---------- History of one app ----------
  async function renderHistory(app) {
    const r = await api('GET', '/deployments/?' + nsQuery() + '&appname=' + encodeURIComponent(app) + '&size=200');
    const list = r.data || [];
    const newest = list[0];
    const servingIdx = list.findIndex(d => d.status === 'DEPLOYED');
    const previous = servingIdx >= 0 ? list.slice(servingIdx + 1).find(d => d.status === 'UNDEPLOYED' && d.version !== list[servingIdx].version) : null;
    let rollbackControl = null;
    if (newest && newest.status === 'DEPLOYING' && newest.phase === 'DRAINING' && newest.blueVersion) {
      rollbackControl = h('button', { type: 'button', class: 'primary', id: 'history-rollback',
        onclick: async () => { await rollBack(newest.id, newest); await renderHistory(app); } },
      'Roll back to version ' + newest.blueVersion + ' (still running)');
    } else if (previous && !(newest && (newest.status === 'DEPLOYING' || newest.status === 'UNDEPLOYING'))) {
      rollbackControl = h('button', { type: 'button', id: 'history-rollback',
        onclick: () => redeploy(previous) }, 'Roll back: redeploy version ' + previous.version);
    }
    const rows = [];
    for (const d of list) {
      const healthRow = h('tr', { hidden: true, class: 'health-row' }, h('td', { colspan: 8 }));
      const healthButton = h('button', { type: 'button', 'aria-expanded': 'false', 'aria-label': 'Health checks of version ' + d.version,
        onclick: async () => {
          const open = healthButton.getAttribute('aria-expanded') === 'true';
          healthButton.setAttribute('aria-expanded', String(!open));
          healthRow.hidden = open;
          if (!open) {
            try {
              const data = (await api('GET', '/deployments/' + encodeURIComponent(d.id) + '/healthcheckdata?' + nsQuery())).data;
              healthRow.firstChild.replaceChildren(healthTable(data || {}, d.version));
            } catch (err) {
              healthRow.firstChild.replaceChildren(describeError(err, 'Loading health-check data'));
            }
          }
        } }, 'Health checks');
      rows.push(h('tr', { 'data-deployment': d.id, 'data-version': d.version, 'data-status': d.status },
        h('th', { scope: 'row' }, d.version),
        h('td', {}, statusBadge(d.status), phaseNote(d) ? ' ' + phaseNote(d) : ''),
        h('td', {}, d.requestedBy || '—'),
        h('td', {}, fmtTime(d.created)),
        h('td', {}, fmtDuration(durationOf(d))),
        h('td', {}, d.reason || ''),
        h('td', {}, healthButton),
        h('td', { class: 'actions' },
          h('a', { class: 'button', href: '#/deployments/' + d.id, 'aria-label': 'Show version ' + d.version }, 'Show'),
          h('button', { type: 'button', 'aria-label': 'Redeploy version ' + d.version, onclick: () => redeploy(d) }, 'Redeploy'),
          d.status === 'DEPLOYED' ? h('button', { type: 'button', class: 'danger', 'aria-label': 'Undeploy version ' + d.version,
            onclick: () => undeployDeployment(d, () => renderHistory(app)) }, 'Undeploy') : null)));
      rows.push(healthRow);
    }
    setPage(heading('History of ' + app),
      h('p', {}, 'Newest first. ', list.some(d => d.status === 'DEPLOYING' || d.status === 'UNDEPLOYING')
        ? 'A deployment is running: this page refreshes itself.' : ''),
      rollbackControl ? h('p', {}, rollbackControl) : null,
      list.length === 0 ? null : h('figure', { class: 'chart', id: 'history-chart-box' },
        DeployerCharts.history(list, durationOf),
        h('figcaption', {}, 'The last ' + Math.min(list.length, DeployerCharts.geometry.history.maxBars)
          + ' deployment(s), oldest left: height is the duration, colour the outcome (green deployed, red failure, '
          + 'grey undeployed, amber running). A bar opens its deployment.')),
      list.length === 0 ? h('p', {}, 'No deployments of ' + app + '.')
        : h('table', { id: 'history-table' },
          h('caption', {}, list.length + ' deployment(s) of ' + app),
          h('thead', {}, h('tr', {}, ['Version', 'Status', 'Requested by', 'Started', 'Duration', 'Reason', 'Health checks', 'Actions']
            .map(t => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, rows)));
    if (list.some(d => d.status === 'DEPLOYING' || d.status === 'UNDEPLOYING')) {
      const timer = setTimeout(() => {
        if (location.hash === '#/apps/' + encodeURIComponent(app) + '/history'
            && !document.querySelector('#history-table [aria-expanded="true"]')) {
          renderHistory(app).catch(err => showError(err));
        }
      }, 1500);
      state.cleanup.push(() => clearTimeout(timer));
    }
  }

  function healthTable(byPod, version) {
    const pods = Object.values(byPod);
    if (pods.length === 0) return h('p', {}, 'No health-check data.');
    return h('table', { class: 'health' },
      h('caption', {}, 'Last health check of each pod of version ' + version),
      h('thead', {}, h('tr', {}, ['Pod', 'State', 'Healthy', 'HTTP', 'Latency', 'Checked at', 'Error or body']
        .map(t => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, pods.map(p => {
        const probe = p.lastProbe || {};
        return h('tr', {},
          h('th', { scope: 'row' }, p.pod), h('td', {}, statusBadge(p.state)),
          h('td', {}, probe.healthy === undefined ? '—' : (probe.healthy ? 'yes' : 'no')),
          h('td', {}, probe.httpStatus === undefined || probe.httpStatus === null ? '—' : String(probe.httpStatus)),
          h('td', {}, fmtDuration(probe.latencyMillis)), h('td', {}, fmtTime(probe.at || p.updated)),
          h('td', {}, h('code', {}, probe.error || (probe.bodyExcerpt || '').trim())));
      })));
  }

  async function redeploy(d) {
    clearMessage();
    try {
      const r = await api('PUT', '/deployments/' + encodeURIComponent(d.id) + '/?' + nsQuery());
      location.hash = '#/deployments/' + r.data.id;
    } catch (err) {
      showError(err, 'Redeploy');
    }
  }

  // ---------- Routing ----------
  async function route() {
    state.cleanup.splice(0).forEach(f => f());
    const hash = location.hash || '#/apps';
    const parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
    for (const a of document.querySelectorAll('.top nav a')) a.removeAttribute('aria-current');
    if (!state.token && parts[0] !== 'login') {
      location.hash = '#/login';
      return;
    }
    const nav = { apps: 'nav-apps', descriptors: 'nav-descriptors' }[parts[0]];
    if (nav) document.getElementById(nav).setAttribute('aria-current', 'page');
    try {
      if (parts[0] === 'login') renderLogin();
      else if (parts[0] === 'descriptors' && parts[1] === 'new') await renderEditor(null);
      else if (parts[0] === 'descriptors' && parts[1] && parts[2] === 'edit') await renderEditor(parts[1]);
      else if (parts[0] === 'descriptors') await renderDescriptors();
      else if (parts[0] === 'deployments' && parts[1]) await renderDeployment(parts[1]);
      else if (parts[0] === 'apps' && parts[1] && parts[2] === 'history') await renderHistory(parts[1]);
      else await renderApps();
    } catch (err) {
      setPage(heading('Something went wrong'), h('p', {}, describeError(err)));
    }
  }

  document.getElementById('namespace-form').addEventListener('submit', ev => {
    ev.preventDefault();
    const input = document.getElementById('namespace-input');
    if (!input.checkValidity()) {
      showMessage('A namespace is a DNS label: lower-case letters, digits and "-".', 'error');
      input.focus();
      return;
    }
    state.ns = input.value.trim();
    sessionStorage.setItem('bgdeploy.namespace', state.ns);
    clearMessage();
    route();
  });

  window.addEventListener('hashchange', () => {
    if (!location.hash.startsWith('#/descriptors') || message.classList.contains('error')) clearMessage();
    route();
  });

  api('GET', '/apps/links').then(r => { state.links = r.data; }).catch(() => {}).finally(() => {
    renderSession();
    route();
  });
}());
