// sysdive monitor dashboard: hand-written SVG charts over the agent's read-only JSON API.
(function () {
  'use strict';
  const SVG = 'http://www.w3.org/2000/svg';
  const W = 960, H = 280, PAD = { l: 70, r: 12, t: 10, b: 26 };
  const COLORS = ['#3b82f6', '#ef4444', '#10b981', '#f59e0b', '#8b5cf6', '#ec4899',
                  '#14b8a6', '#f97316', '#6366f1', '#84cc16', '#06b6d4', '#a855f7'];
  const OUTSIDE = '#c4c9d4';
  const token = new URLSearchParams(location.search).get('token');
  let range = { seconds: 900 };      // or { from, to } in seconds since the epoch
  let selected = '';                 // container id whose processes are shown; '' = host
  let interval = 5;
  let timer = null;

  async function api(path, params) {
    const q = new URLSearchParams(params || {});
    const headers = token ? { Authorization: 'Bearer ' + token } : {};
    const resp = await fetch('api/' + path + '?' + q.toString(), { headers });
    if (!resp.ok) throw new Error(path + ': HTTP ' + resp.status);
    return resp.json();
  }

  function span() {
    if (range.seconds) {
      const to = Date.now() / 1000;
      return { from: to - range.seconds, to };
    }
    return { from: range.from, to: range.to };
  }

  function bytes(n) {
    if (n === null || n === undefined) return '-';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (Math.abs(n) >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i ? n.toFixed(n < 10 ? 1 : 0) : n.toFixed(0)) + ' ' + units[i];
  }

  function clock(ts, withDate) {
    const d = new Date(ts * 1000);
    const hm = d.toTimeString().slice(0, 8);
    return withDate ? d.toISOString().slice(5, 10) + ' ' + hm.slice(0, 5) : hm;
  }

  function el(name, attrs, parent) {
    const node = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (parent) parent.appendChild(node);
    return node;
  }

  function niceMax(v) {
    if (!(v > 0)) return 1024 * 1024;
    const mib = 1024 * 1024;
    const exp = Math.pow(2, Math.ceil(Math.log2(v / mib)));
    return Math.max(exp * mib, mib) * (v > exp * mib * 0.75 ? 1 : 1);
  }

  // Draws one chart. series: [{name, cid, color, values, kind: 'area'|'line'|'limit'|'total'}]
  function draw(svg, ts, series, markers, t0, t1, onPick) {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    const x = (t) => PAD.l + (W - PAD.l - PAD.r) * (t - t0) / Math.max(t1 - t0, 1e-9);
    const stackTop = new Array(ts.length).fill(0);
    let ymax = 0;
    for (const s of series) {
      if (s.kind === 'area') {
        s.base = stackTop.slice();
        s.values.forEach((v, i) => { stackTop[i] += v || 0; });
        s.top = stackTop.slice();
        ymax = Math.max(ymax, ...s.top);
      } else {
        for (const v of s.values) if (v !== null && v > ymax) ymax = v;
      }
    }
    ymax = niceMax(ymax * 1.05);
    const y = (v) => H - PAD.b - (H - PAD.t - PAD.b) * v / ymax;
    for (let i = 0; i <= 4; i++) {
      const v = ymax * i / 4;
      el('line', { x1: PAD.l, x2: W - PAD.r, y1: y(v), y2: y(v), class: 'grid' }, svg);
      el('text', { x: PAD.l - 6, y: y(v) + 4, 'text-anchor': 'end' }, svg).textContent = bytes(v);
    }
    const long = t1 - t0 > 86400;
    for (let i = 0; i <= 5; i++) {
      const t = t0 + (t1 - t0) * i / 5;
      el('text', { x: x(t), y: H - 8, 'text-anchor': i === 0 ? 'start' : i === 5 ? 'end' : 'middle' },
         svg).textContent = clock(t, long);
    }
    el('line', { x1: PAD.l, x2: PAD.l, y1: PAD.t, y2: H - PAD.b, class: 'axis' }, svg);
    el('line', { x1: PAD.l, x2: W - PAD.r, y1: H - PAD.b, y2: H - PAD.b, class: 'axis' }, svg);
    if (!ts.length) {
      el('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'empty' }, svg)
        .textContent = 'no samples in this range yet';
    }
    for (const s of series) {
      let d = '';
      if (s.kind === 'area') {
        const fwd = ts.map((t, i) => x(t).toFixed(1) + ',' + y(s.top[i]).toFixed(1));
        const back = ts.map((t, i) => x(t).toFixed(1) + ',' + y(s.base[i]).toFixed(1)).reverse();
        if (fwd.length) d = 'M' + fwd.join('L') + 'L' + back.join('L') + 'Z';
      } else {
        let pen = false;
        ts.forEach((t, i) => {
          const v = s.values[i];
          if (v === null || v === undefined) { pen = false; return; }
          d += (pen ? 'L' : 'M') + x(t).toFixed(1) + ',' + y(v).toFixed(1);
          pen = true;
        });
      }
      if (!d) continue;
      const attrs = { d, class: s.kind, 'data-series': s.name };
      if (s.cid !== undefined) attrs['data-cid'] = s.cid;
      if (s.kind === 'area') attrs.fill = s.color; else attrs.stroke = s.color;
      const path = el('path', attrs, svg);
      el('title', {}, path).textContent = s.name + (s.kind === 'limit' ? ' limit' : '');
      if (onPick && s.cid !== undefined) path.addEventListener('click', () => onPick(s.cid));
    }
    for (const m of markers) {
      if (m.ts < t0 || m.ts > t1) continue;
      const line = el('line', { x1: x(m.ts), x2: x(m.ts), y1: PAD.t, y2: H - PAD.b,
                                class: 'marker marker-' + m.kind, 'data-kind': m.kind,
                                'data-series': m.name }, svg);
      el('title', {}, line).textContent = clock(m.ts, true) + ' ' + m.message;
    }
  }

  function legend(div, items, onPick, current) {
    div.textContent = '';
    for (const it of items) {
      const span = document.createElement('span');
      span.dataset.series = it.name;
      if (it.cid !== undefined) span.dataset.cid = it.cid;
      if (it.cid !== undefined && it.cid === current) span.className = 'selected';
      const sw = document.createElement('i');
      sw.style.background = it.color;
      span.appendChild(sw);
      span.appendChild(document.createTextNode(it.name + (it.extra ? ' ' + it.extra : '')));
      if (onPick && it.cid !== undefined) span.addEventListener('click', () => onPick(it.cid));
      div.appendChild(span);
    }
  }

  function last(values) {
    for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null) return values[i];
    return null;
  }

  function pick(cid) {
    selected = cid;
    refresh();
    document.getElementById('processes-section').scrollIntoView({ behavior: 'smooth' });
  }

  async function refresh() {
    const { from, to } = span();
    const q = { from: from.toFixed(3), to: to.toFixed(3), points: 600 };
    const [ov, procs] = await Promise.all([api('overview', q),
                                           api('processes', Object.assign({ cid: selected }, q))]);
    const markers = ov.events;
    const colorOf = {};
    ov.containers.forEach((c, i) => { colorOf[c.cid] = COLORS[i % COLORS.length]; });

    // Host memory used, stacked: each container's working set, then the rest of the host.
    const hostUsed = ov.host.mem_used || [];
    const inside = new Array(ov.ts.length).fill(0);
    const areas = ov.containers.map((c) => {
      c.working_set.forEach((v, i) => { inside[i] += v || 0; });
      return { name: c.name, cid: c.cid, color: colorOf[c.cid], values: c.working_set,
               kind: 'area' };
    });
    const outside = hostUsed.map((v, i) => (v === null ? null : Math.max(v - inside[i], 0)));
    areas.push({ name: 'outside containers', cid: '', color: OUTSIDE, values: outside,
                 kind: 'area' });
    areas.push({ name: 'host used', color: '#1d2330', values: hostUsed, kind: 'total' });
    draw(document.getElementById('chart-host'), ov.ts, areas, markers, from, to, pick);
    legend(document.getElementById('legend-host'),
           areas.map((s) => ({ name: s.name, cid: s.cid, color: s.color,
                               extra: bytes(last(s.values)) })), pick, selected);
    const total = last(ov.host.mem_total || []);
    document.getElementById('host-total').textContent = total ? 'of ' + bytes(total) : '';

    // Containers: working set lines and their limits, dashed, in the same colour.
    const lines = [];
    for (const c of ov.containers) {
      lines.push({ name: c.name, cid: c.cid, color: colorOf[c.cid], values: c.working_set,
                   kind: 'line' });
      if (c.mem_limit.some((v) => v !== null)) {
        lines.push({ name: c.name, cid: c.cid, color: colorOf[c.cid], values: c.mem_limit,
                     kind: 'limit' });
      }
    }
    draw(document.getElementById('chart-containers'), ov.ts, lines, markers, from, to, pick);
    legend(document.getElementById('legend-containers'),
           ov.containers.map((c) => ({
             name: c.name, cid: c.cid, color: colorOf[c.cid],
             extra: bytes(last(c.working_set)) + (last(c.mem_limit) ? ' / ' +
                    bytes(last(c.mem_limit)) : '') + (c.stopped ? ' (stopped)' : '') })),
           pick, selected);

    // Processes of the selected container (or of the host), stacked RSS on the same axis.
    const idx = new Map(ov.ts.map((t, i) => [t, i]));
    const procSeries = procs.series.map((p, i) => {
      const values = new Array(ov.ts.length).fill(0);
      p.ts.forEach((t, j) => { const k = idx.get(t); if (k !== undefined) values[k] = p.rss[j]; });
      return { name: p.name, color: COLORS[i % COLORS.length], values, kind: 'area' };
    });
    // The largest processes by peak RSS each get a band; short-lived ones (a shell's
    // `sleep 1` children) would bury them, so the rest are summed as "other processes".
    const peak = (v) => v.reduce((m, x) => Math.max(m, x || 0), 0);
    procSeries.sort((a, b) => peak(b.values) - peak(a.values));
    if (procSeries.length > 10) {
      const rest = procSeries.splice(9);
      const values = new Array(ov.ts.length).fill(0);
      rest.forEach((s) => s.values.forEach((v, i) => { values[i] += v || 0; }));
      procSeries.push({ name: 'other processes (' + rest.length + ')', color: OUTSIDE,
                        values, kind: 'area' });
    }
    if (procs.limit) {
      procSeries.push({ name: procs.name, color: '#dc2626',
                        values: ov.ts.map(() => procs.limit), kind: 'limit' });
    }
    document.getElementById('proc-title').textContent =
      selected ? procs.name + ' (' + selected + ')' : 'the host (outside containers)';
    draw(document.getElementById('chart-processes'), ov.ts, procSeries,
         markers.filter((m) => !selected || m.cid === selected), from, to, null);
    legend(document.getElementById('legend-processes'),
           procSeries.filter((s) => s.kind === 'area').slice(0, 24)
             .map((s) => ({ name: s.name, color: s.color, extra: 'peak ' + bytes(peak(s.values)) })),
           null, null);

    const list = document.getElementById('events');
    list.textContent = '';
    for (const ev of markers.slice().reverse().slice(0, 200)) {
      const li = document.createElement('li');
      li.className = ev.severity;
      li.dataset.kind = ev.kind;
      li.dataset.cid = ev.cid;
      li.textContent = clock(ev.ts, true) + '  ' + ev.message;
      list.appendChild(li);
    }
    document.getElementById('status').textContent = 'updated ' + clock(Date.now() / 1000) +
      ' · every ' + interval + ' s';
    document.body.dataset.loaded = String(Date.now());
  }

  function schedule() {
    if (timer) clearInterval(timer);
    timer = range.seconds ? setInterval(() => refresh().catch(report), interval * 1000) : null;
  }

  function report(err) {
    document.getElementById('status').textContent = 'error: ' + err.message;
  }

  function toLocalInput(ts) {
    const d = new Date(ts * 1000 - new Date().getTimezoneOffset() * 60000);
    return d.toISOString().slice(0, 19);
  }

  document.querySelectorAll('#ranges button[data-seconds]').forEach((b) => {
    b.addEventListener('click', () => {
      document.querySelectorAll('#ranges button').forEach((o) => o.classList.remove('active'));
      b.classList.add('active');
      range = { seconds: Number(b.dataset.seconds) };
      const s = span();
      document.getElementById('from').value = toLocalInput(s.from);
      document.getElementById('to').value = toLocalInput(s.to);
      schedule();
      refresh().catch(report);
    });
  });
  document.getElementById('apply').addEventListener('click', () => {
    const from = new Date(document.getElementById('from').value).getTime() / 1000;
    const to = new Date(document.getElementById('to').value).getTime() / 1000;
    if (!(from < to)) { report(new Error('choose a start before the end')); return; }
    document.querySelectorAll('#ranges button').forEach((o) => o.classList.remove('active'));
    range = { from, to };
    schedule();
    refresh().catch(report);
  });

  api('status').then((st) => {
    interval = Math.max(1, st.interval);
    const s = span();
    document.getElementById('from').value = toLocalInput(s.from);
    document.getElementById('to').value = toLocalInput(s.to);
    schedule();
    return refresh();
  }).catch(report);
}());
