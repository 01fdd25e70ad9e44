// The web page of `logq serve` (docs/ui.md): a client of /v1/query and /v1/tail, hand-written,
// no dependencies. Answers are asked for with format=ui (one JSON object per line: a columns
// line, then rows carrying the CLI's cells, the normalized fields and the original event).
'use strict';

/** Rows kept in the table at most: older ones leave the DOM as new ones arrive. */
const ROW_WINDOW = 2000;
/** Bars the histogram aims for. */
const TARGET_BARS = 60;
/** Queries remembered in localStorage. */
const HISTORY_SIZE = 25;
/** Bucket widths the histogram may use, in seconds, with the query language's spelling. */
const BUCKETS = [[1, '1s'], [5, '5s'], [10, '10s'], [30, '30s'], [60, '1m'], [300, '5m'], [600, '10m'], [900, '15m'],
  [1800, '30m'], [3600, '1h'], [10800, '3h'], [21600, '6h'], [43200, '12h'], [86400, '1d'], [604800, '7d']];
const PRESETS = { '15m': 900, '1h': 3600, '24h': 86400, '7d': 604800 };
const SOURCE_COLOURS = ['#2b6cb0', '#dd6b20', '#38a169', '#805ad5', '#d53f8c', '#319795', '#b7791f', '#718096'];

const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------- token and fetch

let pendingToken = null;

/** The read token of this tab, or ''. */
function token() { return sessionStorage.getItem('logq-token') || ''; }

/** Asks for a token once, however many requests got a 401 at the same time. */
function askToken(message) {
  if (!pendingToken) {
    pendingToken = new Promise((resolve) => {
      const dialog = $('token-dialog');
      $('token-why').textContent = message;
      $('token-input').value = '';
      dialog.addEventListener('close', function onClose() {
        dialog.removeEventListener('close', onClose);
        const value = $('token-input').value.trim();
        if (value) sessionStorage.setItem('logq-token', value);
        pendingToken = null;
        showAuth();
        resolve(!!value);
      });
      dialog.showModal();
      $('token-input').focus();
    });
  }
  return pendingToken;
}

function showAuth() {
  const el = $('auth');
  el.hidden = !token();
  el.textContent = token() ? 'token set (this tab)' : '';
}

/** `fetch` of an API path with the token; asks for a token on 401 and tries again. */
async function api(path, params, { signal, headers = {} } = {}) {
  const url = path + '?' + new URLSearchParams(params).toString();
  for (let attempt = 0; ; attempt++) {
    const h = Object.assign({}, headers);
    if (token()) h['Authorization'] = 'Bearer ' + token();
    const response = await fetch(url, { headers: h, signal, cache: 'no-store' });
    if (response.status !== 401 || attempt >= 5) return response;
    let reason = 'This server needs a read token (the --token-file of logq serve). It is kept in this tab only.';
    if (token()) reason = 'The server did not accept that token: enter a read token.';
    sessionStorage.removeItem('logq-token');
    if (!(await askToken(reason))) return response;
  }
}

/** An error answer's `{"error","column"}`, or its text. */
async function errorOf(response) {
  const text = await response.text();
  try {
    const body = JSON.parse(text);
    return { message: body.error || text, column: body.column };
  } catch (_) {
    return { message: `HTTP ${response.status}: ${text}` };
  }
}

/** Reads an NDJSON body line by line as it arrives; `onLine` gets each parsed object. */
async function readLines(response, onLine) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let rest = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    rest += decoder.decode(value, { stream: true });
    let nl;
    while ((nl = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, nl);
      rest = rest.slice(nl + 1);
      if (line.trim()) onLine(JSON.parse(line));
    }
  }
  rest += decoder.decode();
  if (rest.trim()) onLine(JSON.parse(rest));
}

// ---------------------------------------------------------------- the query text

/** Splits a query at its first pipe outside quotes: [filter, '| pipes…' or '']. */
function splitPipes(text) {
  let quote = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '|') return [text.slice(0, i).trim(), text.slice(i).trim()];
  }
  return [text.trim(), ''];
}

/** `field=value`, the value quoted when the lexer would split it. */
function term(field, value) {
  if (/^[A-Za-z0-9_.:\/@+*-]+$/.test(value)) return `${field}=${value}`;
  return `${field}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Adds `field=value` to the filter of the query box and runs it. */
function addFilter(field, value) {
  const [filter, pipes] = splitPipes($('q').value);
  const t = term(field, String(value));
  $('q').value = [filter, t, pipes].filter((s) => s).join(' ');
  if (tail.active) startTail(); else runQuery();
}

function history() {
  try { return JSON.parse(localStorage.getItem('logq-history') || '[]'); } catch (_) { return []; }
}

function remember(text) {
  if (!text.trim()) return;
  const list = [text, ...history().filter((q) => q !== text)].slice(0, HISTORY_SIZE);
  localStorage.setItem('logq-history', JSON.stringify(list));
  showHistory();
}

function showHistory() {
  const list = $('history');
  list.replaceChildren(...history().map((q) => { const o = document.createElement('option'); o.value = q; return o; }));
}

/** Shows a bad query's message under the box, the caret at its column. */
function showError(message, column) {
  const box = $('error');
  if (!message) { box.hidden = true; box.textContent = ''; $('q').classList.remove('bad'); return; }
  box.hidden = false;
  const text = $('q').value;
  if (column) {
    // The server counts characters (grapheme clusters); JavaScript strings count UTF-16 units.
    const chars = typeof Intl.Segmenter === 'function'
      ? Array.from(new Intl.Segmenter().segment(text), (s) => s.segment) : Array.from(text);
    const last = message.trim().split('\n').pop();
    box.textContent = text + '\n' + ' '.repeat(Math.max(0, column - 1)) + '^\n' + last;
    box.dataset.column = column;
    const offset = chars.slice(0, column - 1).join('').length;
    $('q').classList.add('bad');
    $('q').setSelectionRange(offset, offset);
  } else {
    box.textContent = message;
    delete box.dataset.column;
  }
}

// ---------------------------------------------------------------- the time range

/** The window asked: {since, until} in ms since the epoch (null: open), from the picker. */
function currentRange() {
  const choice = $('range').value;
  if (choice in PRESETS) {
    const until = Math.ceil(Date.now() / 1000) * 1000;
    return { since: until - PRESETS[choice] * 1000, until };
  }
  if (choice === 'custom') {
    const parse = (v) => (v ? Date.parse(v + (v.length === 16 ? ':00' : '') + 'Z') : null);
    return { since: parse($('from').value), until: parse($('to').value) };
  }
  return { since: null, until: null };
}

const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const localValue = (ms) => new Date(ms).toISOString().slice(0, 19);

function rangeParams(range) {
  const p = {};
  if (range.since != null) p.since = iso(Math.floor(range.since / 1000) * 1000);
  if (range.until != null) p.until = iso(Math.ceil(range.until / 1000) * 1000);
  return p;
}

/** Sets the picker to an absolute window (a drag on the chart). */
function setCustomRange(since, until) {
  $('range').value = 'custom';
  $('from').value = localValue(Math.floor(since / 1000) * 1000);
  $('to').value = localValue(Math.ceil(until / 1000) * 1000);
  $('custom-range').hidden = false;
}

function bucketFor(spanSeconds) {
  for (const b of BUCKETS) if (spanSeconds / b[0] <= TARGET_BARS) return b;
  return BUCKETS[BUCKETS.length - 1];
}

// ---------------------------------------------------------------- results table

/** The rows on screen and the state of their incremental rendering. */
const table = {
  pending: [],
  scheduled: false,
  shown: 0,
  received: 0,
  columns: null,
};

function clearRows() {
  $('rows').tBodies[0].replaceChildren();
  table.pending = [];
  table.shown = 0;
  table.received = 0;
  table.columns = null;
}

function setColumns(columns) {
  table.columns = columns;
  const head = $('rows').tHead;
  // The CLI's own columns get fixed widths; a `| fields …` projection shares the width evenly.
  $('rows').classList.toggle('cli', columns.length === 7 && columns[6] === 'code');
  const names = columns.map((c) => (c === 'code' && columns.length === 7 ? 'outcome' : c));
  head.replaceChildren(row('th', names));
}

function row(kind, cells) {
  const tr = document.createElement('tr');
  for (const c of cells) {
    const cell = document.createElement(kind);
    cell.textContent = c;
    tr.append(cell);
  }
  return tr;
}

/** Which field a click on a cell of the CLI's columns filters on. */
function cellFilter(columnName, event) {
  const f = event.fields || {};
  switch (columnName) {
    case 'source': return ['source', event.source];
    case 'verb': return f.verb ? ['verb', f.verb] : null;
    case 'user': return f.user ? ['user', f.user] : null;
    case 'where': return f.ip ? ['ip', f.ip] : (f.region ? ['region', f.region] : null);
    case 'code': return f.error ? ['error', f.error] : (f.code ? ['code', f.code] : null);
    case 'what': return f.name ? ['name', f.name] : (f.event ? ['event', f.event] : null);
    case 'time': return null;
    default: return [columnName, null];
  }
}

/** Queues an event row; rows are drawn in batches, once per animation frame. */
function pushRow(event) {
  table.received++;
  table.pending.push(event);
  if (table.pending.length > ROW_WINDOW) table.pending.splice(0, table.pending.length - ROW_WINDOW);
  if (!table.scheduled) {
    table.scheduled = true;
    requestAnimationFrame(flushRows);
  }
}

function flushRows() {
  table.scheduled = false;
  const body = $('rows').tBodies[0];
  const wrap = $('rows-wrap');
  const atBottom = wrap.scrollTop + wrap.clientHeight >= wrap.scrollHeight - 4;
  const fragment = document.createDocumentFragment();
  const batch = table.pending.splice(0, table.pending.length);
  for (const event of batch) fragment.append(eventRow(event));
  body.append(fragment);
  // The window: drop the oldest rows (and their open details).
  let excess = body.querySelectorAll('tr.row').length - ROW_WINDOW;
  while (excess > 0 && body.firstElementChild) {
    const first = body.firstElementChild;
    if (first.classList.contains('row')) excess--;
    first.remove();
  }
  while (body.firstElementChild && !body.firstElementChild.classList.contains('row')) body.firstElementChild.remove();
  table.shown = body.querySelectorAll('tr.row').length;
  if (tail.active && atBottom) wrap.scrollTop = wrap.scrollHeight;
  updateStatus();
}

function eventRow(event) {
  const tr = document.createElement('tr');
  tr.className = 'row';
  if (event.fields && event.fields.id) tr.dataset.id = event.fields.id;
  const columns = table.columns || [];
  event.cells.forEach((value, i) => {
    const td = document.createElement('td');
    const name = columns[i] || '';
    td.className = 'c-' + name.replace(/[^a-z0-9]/gi, '_');
    const filter = value ? cellFilter(name, event) : null;
    if (filter) {
      const span = document.createElement('span');
      span.className = 'v';
      span.textContent = value;
      span.dataset.field = filter[0];
      span.dataset.value = filter[1] == null ? value : filter[1];
      span.title = `add ${term(span.dataset.field, span.dataset.value)} to the query`;
      td.append(span);
    } else {
      td.textContent = value || (name === 'time' ? '' : '-');
    }
    if (name === 'code' && /^[45]\d\d$|^[A-Z]/.test(value) && value !== 'ok') td.classList.add('fail');
    tr.append(td);
  });
  tr.logqEvent = event;
  return tr;
}

function toggleDetail(tr) {
  const next = tr.nextElementSibling;
  if (next && next.classList.contains('detail')) { next.remove(); tr.classList.remove('open'); return; }
  tr.classList.add('open');
  const event = tr.logqEvent;
  const detail = document.createElement('tr');
  detail.className = 'detail';
  const td = document.createElement('td');
  td.colSpan = tr.children.length;
  const chips = document.createElement('div');
  chips.className = 'chips';
  for (const [k, v] of Object.entries(event.fields || {})) {
    const chip = document.createElement('span');
    chip.className = 'v chip';
    chip.dataset.field = k;
    chip.dataset.value = v;
    chip.textContent = `${k}=${v}`;
    chips.append(chip);
  }
  td.append(chips);
  if (event.event !== undefined) {
    const pre = document.createElement('pre');
    pre.className = 'json';
    renderJSON(pre, event.event, '', 0);
    td.append(pre);
  }
  detail.append(td);
  tr.after(detail);
}

/** Pretty-prints a JSON value into `into`; leaves are clickable (`path=value` filters). */
function renderJSON(into, value, path, depth) {
  const pad = '  '.repeat(depth);
  const text = (t, cls) => { const s = document.createElement('span'); if (cls) s.className = cls; s.textContent = t; into.append(s); };
  if (Array.isArray(value)) {
    if (!value.length) return text('[]');
    text('[\n');
    value.forEach((v, i) => {
      text(pad + '  ');
      renderJSON(into, v, path, depth + 1); // arrays are searched element by element
      text(i < value.length - 1 ? ',\n' : '\n');
    });
    return text(pad + ']');
  }
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    if (!keys.length) return text('{}');
    text('{\n');
    keys.forEach((k, i) => {
      text(pad + '  ');
      text(JSON.stringify(k), 'k');
      text(': ');
      renderJSON(into, value[k], path ? path + '.' + k : k, depth + 1);
      text(i < keys.length - 1 ? ',\n' : '\n');
    });
    return text(pad + '}');
  }
  const s = document.createElement('span');
  s.textContent = JSON.stringify(value);
  s.className = 'j-' + (value === null ? 'null' : typeof value);
  if (path && value !== null && typeof value !== 'object') {
    s.classList.add('v');
    s.dataset.field = path;
    s.dataset.value = String(value);
    s.title = `add ${term(path, String(value))} to the query`;
  }
  into.append(s);
}

// ---------------------------------------------------------------- status line

const status = { matched: null, limited: false, state: '', started: 0, ms: null };

function updateStatus() {
  const parts = [];
  if (tail.active) parts.push(tail.paused ? 'tail paused' : 'live');
  if (status.state) parts.push(status.state);
  const n = table.received;
  if (table.columns) {
    let s = `${n.toLocaleString('en')} row${n === 1 ? '' : 's'}`;
    if (table.shown < n) s += ` (last ${table.shown.toLocaleString('en')} shown)`;
    if (status.limited) s += ' (the first ' + n.toLocaleString('en') + ': narrow the range or zoom for more)';
    parts.push(s);
  }
  if (status.matched != null && !tail.active) parts.push(`${status.matched.toLocaleString('en')} matching in range`);
  if (status.ms != null) parts.push(`${status.ms} ms`);
  $('status').textContent = parts.join(' · ');
}

// ---------------------------------------------------------------- histogram

const chart = { buckets: null, range: null, bucketMs: 0, sources: [] };

/** Draws stacked bars: `buckets` maps a bucket start (ms) to {source: count}. */
function drawHistogram(buckets, range, bucketMs) {
  const svg = $('hist');
  const width = svg.clientWidth || 800;
  const height = 140;
  const top = 8;
  const bottom = 20;
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.replaceChildren();
  chart.buckets = buckets;
  chart.range = range;
  chart.bucketMs = bucketMs;
  const sources = [...new Set([...buckets.values()].flatMap((m) => Object.keys(m)))].sort();
  chart.sources = sources;
  let max = 0;
  for (const m of buckets.values()) max = Math.max(max, Object.values(m).reduce((a, b) => a + b, 0));
  const span = range.until - range.since;
  const x = (t) => ((t - range.since) / span) * width;
  const ns = 'http://www.w3.org/2000/svg';
  const el = (name, attrs) => { const e = document.createElementNS(ns, name); for (const k in attrs) e.setAttribute(k, attrs[k]); return e; };
  const plot = height - top - bottom;
  let total = 0;
  for (const [start, counts] of [...buckets.entries()].sort((a, b) => a[0] - b[0])) {
    let y = height - bottom;
    const x0 = x(Math.max(start, range.since));
    const x1 = x(Math.min(start + bucketMs, range.until));
    const w = Math.max(1, x1 - x0 - 1);
    for (const source of sources) {
      const count = counts[source] || 0;
      if (!count) continue;
      total += count;
      const h = Math.max(1, (count / max) * plot);
      y -= h;
      const rect = el('rect', {
        x: x0.toFixed(1), y: y.toFixed(1), width: w.toFixed(1), height: h.toFixed(1),
        fill: colour(source), class: 'bar', 'data-source': source, 'data-count': count, 'data-start': iso(start),
      });
      const title = el('title', {});
      title.textContent = `${iso(start)}  ${source}: ${count}`;
      rect.append(title);
      svg.append(rect);
    }
  }
  svg.append(el('line', { x1: 0, x2: width, y1: height - bottom + 0.5, y2: height - bottom + 0.5, class: 'axis' }));
  for (let i = 0; i <= 4; i++) {
    const t = range.since + (span * i) / 4;
    const label = el('text', { x: Math.min(width - 4, Math.max(4, (i / 4) * width)), y: height - 5, class: 'tick',
      'text-anchor': i === 0 ? 'start' : i === 4 ? 'end' : 'middle' });
    label.textContent = iso(t).replace('T', ' ').replace('Z', '');
    svg.append(label);
  }
  const maxLabel = el('text', { x: 4, y: top + 10, class: 'tick' });
  maxLabel.textContent = `max ${max.toLocaleString('en')}`;
  svg.append(maxLabel);
  $('legend').replaceChildren(...sources.map((s) => {
    const item = document.createElement('span');
    item.className = 'v legend-item';
    item.dataset.field = 'source';
    item.dataset.value = s;
    const swatch = document.createElement('i');
    swatch.style.background = colour(s);
    item.append(swatch, s);
    return item;
  }));
  const bucketName = BUCKETS.find((b) => b[0] * 1000 === bucketMs);
  $('hist-info').textContent = `(${total.toLocaleString('en')} events, ${bucketName ? bucketName[1] : bucketMs / 1000 + 's'} bars, UTC)`;
  svg.dataset.total = total;
  svg.dataset.every = bucketName ? bucketName[1] : bucketMs / 1000 + 's';
  svg.dataset.since = iso(range.since);
  svg.dataset.until = iso(range.until);
  return total;
}

const colours = new Map();
function colour(source) {
  if (!colours.has(source)) colours.set(source, SOURCE_COLOURS[colours.size % SOURCE_COLOURS.length]);
  return colours.get(source);
}

/** Drag over the chart: a band follows the pointer; releasing zooms into its window. */
function setUpZoom() {
  const svg = $('hist');
  let start = null;
  let band = null;
  const timeAt = (clientX) => {
    const box = svg.getBoundingClientRect();
    const f = Math.min(1, Math.max(0, (clientX - box.left) / box.width));
    return chart.range.since + f * (chart.range.until - chart.range.since);
  };
  const xAt = (clientX) => {
    const box = svg.getBoundingClientRect();
    const vb = svg.viewBox.baseVal;
    return Math.min(vb.width, Math.max(0, ((clientX - box.left) / box.width) * vb.width));
  };
  svg.addEventListener('mousedown', (e) => {
    if (!chart.range) return;
    e.preventDefault();
    start = e.clientX;
    band = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
    band.setAttribute('class', 'band');
    band.setAttribute('y', 0);
    band.setAttribute('height', svg.viewBox.baseVal.height);
    band.setAttribute('x', xAt(start));
    band.setAttribute('width', 0);
    svg.append(band);
  });
  window.addEventListener('mousemove', (e) => {
    if (start == null) return;
    const a = xAt(start);
    const b = xAt(e.clientX);
    band.setAttribute('x', Math.min(a, b));
    band.setAttribute('width', Math.abs(b - a));
  });
  window.addEventListener('mouseup', (e) => {
    if (start == null) return;
    const a = timeAt(start);
    const b = timeAt(e.clientX);
    start = null;
    band.remove();
    if (Math.abs(b - a) < 1000) return; // a click, not a drag
    setCustomRange(Math.min(a, b), Math.max(a, b));
    runQuery();
  });
}

/** The histogram of the filter over `range`: `| count by source every B`. */
async function loadHistogram(filter, range, signal) {
  let window = range;
  if (range.since == null || range.until == null) {
    // All time: days first, to find where the events are; then hours, when the days are few,
    // so that the bars are as fine as the events' own span.
    const days = await countBySource(filter, range, '1d', signal);
    if (days === null) return null;
    if (!days.size) { drawHistogram(days, { since: Date.now() - 86400000, until: Date.now() }, 86400000); return 0; }
    const span = (buckets, width) => {
      const starts = [...buckets.keys()];
      return { since: range.since ?? Math.min(...starts), until: range.until ?? Math.max(...starts) + width };
    };
    window = span(days, 86400000);
    if ((window.until - window.since) / 86400000 > TARGET_BARS / 2) return drawHistogram(days, window, 86400000);
    if (window.until - window.since <= 7 * 86400000) {
      const hours = await countBySource(filter, window, '1h', signal);
      if (hours === null) return null;
      if (hours.size) window = span(hours, 3600000);
    }
  }
  const bucket = bucketFor((window.until - window.since) / 1000);
  const buckets = await countBySource(filter, window, bucket[1], signal);
  if (buckets === null) return null;
  return drawHistogram(buckets, window, bucket[0] * 1000);
}

/** Map of bucket start (ms) → {source: count}; null when the query failed. */
async function countBySource(filter, range, every, signal) {
  const response = await api('/v1/query', Object.assign({ q: `${filter} | count by source every ${every}`, format: 'ui' }, rangeParams(range)), { signal });
  if (!response.ok) return null;
  const buckets = new Map();
  let columns = [];
  await readLines(response, (line) => {
    if (line.columns) { columns = line.columns; return; }
    const c = Object.fromEntries(columns.map((name, i) => [name, line.cells[i]]));
    const start = Date.parse(c.time);
    if (!buckets.has(start)) buckets.set(start, {});
    buckets.get(start)[c.source || '-'] = Number(c.count);
  });
  return buckets;
}

// ---------------------------------------------------------------- top values and aggregates

async function loadTop(filter, range, signal) {
  const field = $('top-field').value;
  const list = $('top-list');
  const response = await api('/v1/query', Object.assign({ q: `${filter} | top 10 ${field}`, format: 'ui' }, rangeParams(range)), { signal });
  if (!response.ok) { list.replaceChildren(); return; }
  const rows = [];
  let columns = [];
  await readLines(response, (line) => { if (line.columns) columns = line.columns; else rows.push(line.cells); });
  const countAt = columns.indexOf('count');
  const valueAt = columns.findIndex((c, i) => i !== countAt);
  const max = Math.max(1, ...rows.map((r) => Number(r[countAt])));
  list.replaceChildren(...rows.map((r) => {
    const li = document.createElement('li');
    const label = document.createElement('span');
    label.className = 'v';
    label.dataset.field = field;
    label.dataset.value = r[valueAt];
    label.textContent = r[valueAt] || '(empty)';
    const n = document.createElement('span');
    n.className = 'n';
    n.textContent = Number(r[countAt]).toLocaleString('en');
    const bar = document.createElement('i');
    bar.style.width = (100 * Number(r[countAt]) / max).toFixed(1) + '%';
    li.append(bar, label, n);
    return li;
  }));
}

/** An aggregate's table and, for its first numeric column, a bar per row. */
function showAggregate(head, rows) {
  $('aggregate').hidden = false;
  $('rows-wrap').hidden = true;
  $('results-title').textContent = 'Result';
  const t = $('agg-table');
  t.tHead.replaceChildren(row('th', head.columns));
  t.tBodies[0].replaceChildren(...rows.map((cells) => {
    const tr = row('td', cells);
    head.numeric.forEach((isNumber, i) => { if (isNumber) tr.children[i].className = 'num'; });
    return tr;
  }));
  const measure = head.numeric.findIndex((n) => n);
  const labels = head.columns.map((_, i) => i).filter((i) => !head.numeric[i]);
  const chartBox = $('agg-chart');
  chartBox.replaceChildren();
  if (measure < 0) return;
  const values = rows.map((r) => Number(r[measure]) || 0);
  const max = Math.max(1, ...values);
  for (const [i, cells] of rows.slice(0, 50).entries()) {
    const line = document.createElement('div');
    line.className = 'agg-bar';
    const label = document.createElement('span');
    label.className = 'label';
    label.textContent = labels.map((j) => cells[j] || '-').join(' · ') || head.columns[measure];
    const bar = document.createElement('i');
    bar.style.width = (100 * values[i] / max).toFixed(1) + '%';
    const n = document.createElement('span');
    n.className = 'n';
    n.textContent = cells[measure];
    line.append(label, bar, n);
    chartBox.append(line);
  }
}

/** Empties the chart and the top values, so that nothing of the last query stays beside a new one. */
function clearSide() {
  chart.buckets = null;
  chart.range = null;
  $('hist').replaceChildren();
  $('legend').replaceChildren();
  $('hist-info').textContent = '';
  $('top-list').replaceChildren();
}

function hideAggregate() {
  $('aggregate').hidden = true;
  $('rows-wrap').hidden = false;
  $('results-title').textContent = tail.active ? 'Live tail' : 'Events';
}

// ---------------------------------------------------------------- running a query

let running = null;

async function runQuery() {
  stopTail();
  if (running) running.abort();
  const controller = new AbortController();
  running = controller;
  const signal = controller.signal;
  const text = $('q').value;
  remember(text);
  showError(null);
  clearRows();
  clearSide();
  hideAggregate();
  document.body.dataset.state = 'running';
  Object.assign(status, { matched: null, limited: false, state: 'running…', started: performance.now(), ms: null });
  updateStatus();
  const range = currentRange();
  const [filter, pipes] = splitPipes(text);
  try {
    const response = await api('/v1/query', Object.assign({ q: text, format: 'ui', limit: ROW_WINDOW }, rangeParams(range)), { signal });
    if (!response.ok) {
      const { message, column } = await errorOf(response);
      showError(message, column);
      status.state = '';
      updateStatus();
      document.body.dataset.state = 'error';
      return;
    }
    // The chart and top values of the filter run beside the rows.
    const side = Promise.all([
      loadHistogram(filter, range, signal).then((total) => { if (total != null && !pipes) { status.matched = total; updateStatus(); } }),
      loadTop(filter, range, signal),
    ]).catch((e) => { if (e.name !== 'AbortError') console.error(e); });
    let head = null;
    const tableRows = [];
    await readLines(response, (line) => {
      if (line.columns) {
        head = line;
        if (!line.table) setColumns(line.columns);
        return;
      }
      if (head && head.table) tableRows.push(line.cells);
      else pushRow(line);
    });
    if (head && head.table) showAggregate(head, tableRows);
    if (!head) setColumns(['time', 'source', 'verb', 'user', 'what', 'where', 'code']);
    status.limited = !(head && head.table) && table.received >= ROW_WINDOW;
    status.ms = Math.round(performance.now() - status.started);
    status.state = '';
    updateStatus();
    await side;
    document.body.dataset.state = 'done';
  } catch (e) {
    if (e.name === 'AbortError') return;
    showError('cannot run the query: ' + e.message);
    document.body.dataset.state = 'error';
    status.state = '';
    updateStatus();
  } finally {
    if (running === controller) running = null;
  }
}

// ---------------------------------------------------------------- live tail

/**
 * The live tail: server-sent events read with fetch() (EventSource cannot send a token).
 * Each SSE event is one commit record, delivered whole; its id is the cursor after it.
 * Pause disconnects and keeps the cursor; resume asks for everything after it, so nothing
 * is lost or shown twice. A dropped connection reconnects the same way.
 */
const tail = { active: false, paused: false, cursor: null, controller: null, retry: 0, filter: '' };

function startTail() {
  if (running) { running.abort(); running = null; }
  stopTail();
  const [filter, pipes] = splitPipes($('q').value);
  showError(null);
  remember($('q').value);
  clearRows();
  hideAggregate();
  setColumns(['time', 'source', 'verb', 'user', 'what', 'where', 'code']);
  Object.assign(tail, { active: true, paused: false, cursor: null, retry: 0, filter: [filter, pipes].filter((s) => s).join(' ') });
  Object.assign(status, { matched: null, limited: false, state: '', ms: null });
  $('results-title').textContent = 'Live tail';
  $('tail-toggle').textContent = 'Stop tail';
  $('tail-toggle').classList.add('on');
  $('tail-pause').hidden = false;
  $('tail-pause').textContent = 'Pause';
  document.body.dataset.tail = 'live';
  connectTail();
}

function stopTail() {
  if (!tail.active) return;
  tail.active = false;
  if (tail.controller) tail.controller.abort();
  tail.controller = null;
  $('tail-toggle').textContent = 'Live tail';
  $('tail-toggle').classList.remove('on');
  $('tail-pause').hidden = true;
  delete document.body.dataset.tail;
  updateStatus();
}

function pauseTail() {
  if (!tail.active) return;
  if (tail.paused) {
    tail.paused = false;
    $('tail-pause').textContent = 'Pause';
    document.body.dataset.tail = 'live';
    connectTail();
  } else {
    tail.paused = true;
    if (tail.controller) tail.controller.abort();
    tail.controller = null;
    $('tail-pause').textContent = 'Resume';
    document.body.dataset.tail = 'paused';
  }
  updateStatus();
}

async function connectTail() {
  const controller = new AbortController();
  tail.controller = controller;
  const params = { q: tail.filter, format: 'ui' };
  if (tail.cursor) params.cursor = tail.cursor; else params.n = 10;
  try {
    const response = await api('/v1/tail', params, { signal: controller.signal, headers: { Accept: 'text/event-stream' } });
    if (!response.ok) {
      const { message, column } = await errorOf(response);
      showError(message, column);
      stopTail();
      return;
    }
    tail.retry = 0;
    await readEvents(response, (event) => {
      if (tail.controller !== controller) return;
      if (event.event === 'warning') { status.state = 'warning: ' + event.data; updateStatus(); return; }
      if (event.event === 'end') { tail.cursor = event.data || tail.cursor; return; }
      if (event.event !== 'cursor') {
        for (const line of event.data.split('\n')) {
          if (!line.trim()) continue;
          const value = JSON.parse(line);
          if (value.columns) { if (!table.columns) setColumns(value.columns); continue; }
          pushRow(value);
        }
      }
      if (event.id) { tail.cursor = event.id; document.body.dataset.cursor = event.id; }
    });
  } catch (e) {
    if (e.name === 'AbortError') return;
    status.state = 'connection lost: ' + e.message;
  }
  // The stream ended without a pause or stop: come back at the cursor.
  if (tail.active && !tail.paused && tail.controller === controller) {
    tail.retry = Math.min(tail.retry + 1, 6);
    status.state = 'reconnecting…';
    updateStatus();
    setTimeout(() => { if (tail.active && !tail.paused && tail.controller === controller) connectTail(); }, 250 * 2 ** (tail.retry - 1));
  }
}

/** Reads server-sent events from a fetch() body; `onEvent` gets {id, event, data} per whole event. */
async function readEvents(response, onEvent) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let rest = '';
  let current = { id: null, event: 'message', data: [] };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    rest += decoder.decode(value, { stream: true });
    let nl;
    while ((nl = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, nl).replace(/\r$/, '');
      rest = rest.slice(nl + 1);
      if (line === '') {
        if (current.data.length || current.id != null) onEvent({ id: current.id, event: current.event, data: current.data.join('\n') });
        current = { id: null, event: 'message', data: [] };
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const v = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') current.data.push(v);
      else if (field === 'id') current.id = v;
      else if (field === 'event') current.event = v;
    }
  }
}

// ---------------------------------------------------------------- wiring

function init() {
  showHistory();
  showAuth();
  setUpZoom();
  const params = new URLSearchParams(location.search);
  $('q').value = params.get('q') ?? (history()[0] || '');
  if (params.get('range')) $('range').value = params.get('range');
  $('custom-range').hidden = $('range').value !== 'custom';
  $('query-form').addEventListener('submit', (e) => { e.preventDefault(); runQuery(); });
  $('range').addEventListener('change', () => {
    const custom = $('range').value === 'custom';
    $('custom-range').hidden = !custom;
    if (custom && !$('from').value) {
      const now = Date.now();
      setCustomRange(now - 3600000, now);
    }
    if (!custom) runQuery();
  });
  $('top-field').addEventListener('change', () => {
    const [filter] = splitPipes($('q').value);
    loadTop(filter, currentRange()).catch((e) => console.error(e));
  });
  $('tail-toggle').addEventListener('click', () => (tail.active ? stopTail() : startTail()));
  $('tail-pause').addEventListener('click', pauseTail);
  $('q').addEventListener('input', () => showError(null));
  document.body.addEventListener('click', (e) => {
    const v = e.target.closest('.v');
    if (v && v.dataset.field) { e.stopPropagation(); addFilter(v.dataset.field, v.dataset.value); return; }
    const tr = e.target.closest('#rows tr.row');
    if (tr && !window.getSelection().toString()) toggleDetail(tr);
  });
  window.addEventListener('resize', () => { if (chart.buckets) drawHistogram(chart.buckets, chart.range, chart.bucketMs); });
  runQuery();
}

document.addEventListener('DOMContentLoaded', init);
