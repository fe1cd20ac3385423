// The page, shipped inside the package (no CDN, no framework): a shell, a stylesheet and a script
// that applies each Server-Sent Event to the DOM by id — elements are created, moved, changed or
// removed one by one, never redrawn whole.
export const PAGE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kdp dashboard</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<link rel="stylesheet" href="/style.css"></head>
<body><header><h1>kdp</h1><span id="status">connecting…</span></header>
<main id="namespaces"></main>
<script src="/app.js"></script></body></html>
`;

export const PAGE_CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1c2330}
header{display:flex;gap:1em;align-items:baseline;padding:.6em 1.2em;background:#1c2330;color:#fff}
h1{font-size:1.2em;margin:0}#status{opacity:.8}
main{padding:1em 1.2em;display:grid;gap:1em}
section.ns{background:#fff;border:1px solid #d9dde3;border-radius:6px;padding:.6em 1em}
section.ns>h2{font-size:1em;margin:.2em 0 .6em;color:#4a5568}
.svc{border-left:3px solid #3b82f6;padding:.3em .8em;margin:.5em 0}
.svc .head{font-weight:600}.svc .meta{font-weight:400;color:#667;margin-left:.6em}
.routes{margin:.2em 0;padding-left:1.2em;color:#7c3aed}
table.eps{border-collapse:collapse;margin:.3em 0;min-width:36em}
table.eps td{padding:.1em .6em;border-bottom:1px solid #eef}
.bar{display:inline-block;height:.7em;background:#3b82f6;border-radius:2px;vertical-align:middle}
.ready{color:#15803d}.notready{color:#b91c1c}
ul.pods{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.4em}
ul.pods li{border:1px solid #d9dde3;border-radius:4px;padding:.1em .5em}
`;

export const PAGE_JS = `'use strict';
const $ns = document.getElementById('namespaces');
const $status = document.getElementById('status');
function el(tag, cls, html) { const e = document.createElement(tag); if (cls) e.className = cls; if (html) e.innerHTML = html; return e; }
function text(e, t) { t = String(t); if (e.textContent !== t) e.textContent = t; }
function attr(e, k, v) { if (e.getAttribute(k) !== v) e.setAttribute(k, v); }
// Keyed reconcile: parent's children follow items (by id); only what differs is touched.
function sync(parent, items, make, update) {
  const have = new Map();
  for (const c of parent.children) have.set(c.dataset.id, c);
  let prev = null;
  for (const it of items) {
    let e = have.get(it.id);
    if (e) have.delete(it.id); else { e = make(it); e.dataset.id = it.id; }
    update(e, it);
    const want = prev ? prev.nextSibling : parent.firstChild;
    if (want !== e) parent.insertBefore(e, want);
    prev = e;
  }
  for (const e of have.values()) e.remove();
}
function readyText(r) { return r ? 'ready' : 'not ready'; }
function makeNs() { const s = el('section', 'ns', '<h2></h2><div class="svcs"></div><ul class="pods"></ul>'); return s; }
function updateNs(s, ns) {
  text(s.querySelector('h2'), 'namespace ' + ns.name);
  sync(s.querySelector('.svcs'), ns.services, makeSvc, updateSvc);
  sync(s.querySelector('.pods'), ns.pods, () => el('li', 'pod', '<span class="name"></span> <span class="phase"></span> <span class="rd"></span>'), (li, p) => {
    attr(li, 'data-name', p.name);
    text(li.querySelector('.name'), p.name);
    text(li.querySelector('.phase'), p.phase + (p.podIP ? ' ' + p.podIP : '') + (p.node ? ' on ' + p.node : ''));
    const rd = li.querySelector('.rd'); text(rd, readyText(p.ready)); attr(rd, 'class', 'rd ' + (p.ready ? 'ready' : 'notready'));
  });
}
function makeSvc() { return el('div', 'svc', '<div class="head"><span class="name"></span><span class="meta"></span></div><ul class="routes"></ul><table class="eps"><tbody></tbody></table>'); }
function updateSvc(d, s) {
  attr(d, 'data-name', s.name);
  text(d.querySelector('.name'), 'Service ' + s.name);
  text(d.querySelector('.meta'), s.type + ' ' + s.clusterIP + ' ' + s.ports + ' · ' + s.connections + ' connections');
  sync(d.querySelector('.routes'), s.routes.map((r) => ({ id: r, r })), () => el('li', 'route'), (li, x) => text(li, '← ' + x.r));
  sync(d.querySelector('tbody'), s.endpoints, () => el('tr', 'ep', '<td class="addr"></td><td class="pod"></td><td class="rd"></td><td class="count"></td><td><span class="bar"></span> <span class="pct"></span></td>'), (tr, e) => {
    attr(tr, 'data-pod', e.pod || '');
    text(tr.querySelector('.addr'), e.address);
    text(tr.querySelector('.pod'), e.pod ? 'pod ' + e.pod : '');
    const rd = tr.querySelector('.rd'); text(rd, readyText(e.ready)); attr(rd, 'class', 'rd ' + (e.ready ? 'ready' : 'notready'));
    text(tr.querySelector('.count'), e.connections);
    const pct = s.connections ? Math.round((100 * e.connections) / s.connections) : 0;
    const w = (pct * 2) + 'px'; const bar = tr.querySelector('.bar'); if (bar.style.width !== w) bar.style.width = w;
    text(tr.querySelector('.pct'), s.connections ? pct + '%' : '');
  });
}
const es = new EventSource('/events');
es.onopen = () => text($status, 'live');
es.onerror = () => text($status, 'disconnected, retrying…');
es.onmessage = (ev) => { const t = JSON.parse(ev.data); sync($ns, t.namespaces, makeNs, updateNs); text($status, 'live · ' + new Date().toLocaleTimeString()); };
`;
