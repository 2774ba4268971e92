// fouledger pages (docs/web.md). One script for every page: it reads the page's path and query,
// fetches the same /v1 reports the CLI prints (with the session cookie) and draws them. Inclusion
// proofs are checked here, in the browser, with Web Crypto: nothing the server says about an
// entry is taken on trust once its bytes hash to a leaf of the signed checkpoint's tree.
// Nothing is loaded from anywhere but this server.
'use strict';

const TEXT = {
  sv: {
    skip: 'Hoppa till innehållet', pages: 'Sidor', year: 'År', grants: 'Ansökningar',
    eligibility: 'Behörighet', repayments: 'Återbetalningar', anomalies: 'Avvikelser',
    status: 'Ledgerstatus', trail: 'Spår', signout: 'Logga ut', language: 'English',
    languageLabel: 'Byt språk till engelska', loading: 'Laddar …',
    yearTitle: 'Budget per år', grantsTitle: 'Ansökningar och bidrag', trailTitle: 'Spår för',
    eligibilityTitle: 'Behörighet', repaymentsTitle: 'Återbetalningar', anomaliesTitle: 'Avvikelser',
    statusTitle: 'Ledgerstatus', loginTitle: 'Inloggning',
    yearLabel: 'Budgetår', asOf: 'Per datum (affärsdatum)', knownAt: 'Känt per (registrerat)',
    show: 'Visa', csv: 'Ladda ner CSV (Excel)', print: 'Skriv ut',
    programme: 'Program', figure: 'Belopp', appropriated: 'Anslaget', asked: 'Sökt',
    granted: 'Beviljat', paid: 'Utbetalt', spent: 'Förbrukat', noticed: 'Återkrav',
    repaid: 'Återbetalt', unallocated: 'Ej fördelat', to_pay: 'Att betala ut',
    unspent: 'Ej förbrukat', repayment_outstanding: 'Återbetalning utestående',
    applications: 'Ansökningar', grantsCount: 'Bidrag', chartTitle: 'Beviljat, utbetalt, förbrukat, återbetalt och ej fördelat per program',
    application: 'Ansökan', units: 'Enheter', title: 'Titel', outcome: 'Beslut', state: 'Läge',
    applied_on: 'Ansökt', decided_on: 'Beslutad', all: 'Alla', unitFilter: 'Enhet',
    programmeFilter: 'Program', stateFilter: 'Läge', shown: 'visas', of: 'av',
    seq: 'Post', recordedAt: 'Registrerad', effectiveDate: 'Gäller', kind: 'Händelse',
    summary: 'Innehåll', signer: 'Signerad av', proof: 'Bevis', checked: 'kontrollerat',
    failed: 'misslyckades', pending: 'kontrolleras …', uncovered: 'ännu inte i en kontrollpunkt',
    reason: 'Motivering', override: 'Avsteg', checkpointLine: 'Kontrollpunkt',
    proofsSummary: 'Bevis kontrollerade i webbläsaren mot den signerade kontrollpunkten',
    unit: 'Enhet', name: 'Namn', eligible: 'Behörig', reasons: 'Skäl', yes: 'Ja', no: 'Nej',
    report: 'Redovisning', notice_date: 'Återkrav den', notice_late: 'Sent återkrav',
    outstanding: 'Utestående', overdue: 'Förfallet', why_overdue: 'Varför', flagged: 'Markerad',
    flaggedNote: 'Markerade rader: ej förbrukade medel, sena eller saknade återkrav.',
    anomaly: 'Avvikelse', none: 'Inga.', size: 'Antal poster', origin: 'Ursprung',
    checkpointSize: 'Kontrollpunktens storlek', root: 'Rothash', note: 'Signerad anteckning',
    serverTime: 'Serverns tid', lastVerified: 'Senast kontrollerad',
    verifiedHere: 'kontrollerad i denna webbläsare', signinNeeded: 'Du är inte inloggad, eller sessionen har gått ut. Kör `fouledger login --server URL --signer NYCKEL` och öppna länken.',
    loginWorking: 'Loggar in …', loginFailed: 'Inloggningen misslyckades',
    noToken: 'Länken saknar engångskod. Kör `fouledger login` igen.',
    noteSignature: 'Kontrollpunktens signatur (kontrollpunktsnyckeln i post 0)',
    unsupported: 'kan inte kontrolleras i denna webbläsare (Ed25519 saknas)',
    signedIn: 'Inloggad', error: 'Fel', sortBy: 'Sortera efter',
  },
  en: {
    skip: 'Skip to content', pages: 'Pages', year: 'Year', grants: 'Grants',
    eligibility: 'Eligibility', repayments: 'Repayments', anomalies: 'Anomalies',
    status: 'Ledger status', trail: 'Trail', signout: 'Sign out', language: 'Svenska',
    languageLabel: 'Switch language to Swedish', loading: 'Loading …',
    yearTitle: 'Budget per year', grantsTitle: 'Applications and grants', trailTitle: 'Trail of',
    eligibilityTitle: 'Eligibility', repaymentsTitle: 'Repayments', anomaliesTitle: 'Anomalies',
    statusTitle: 'Ledger status', loginTitle: 'Sign-in',
    yearLabel: 'Funding year', asOf: 'As of (business date)', knownAt: 'Known at (recorded)',
    show: 'Show', csv: 'Download CSV (Excel)', print: 'Print',
    programme: 'Programme', figure: 'Figure', appropriated: 'Appropriated', asked: 'Asked',
    granted: 'Granted', paid: 'Paid', spent: 'Spent', noticed: 'Noticed',
    repaid: 'Repaid', unallocated: 'Unallocated', to_pay: 'To pay',
    unspent: 'Unspent', repayment_outstanding: 'Repayment outstanding',
    applications: 'Applications', grantsCount: 'Grants', chartTitle: 'Granted, paid, spent, repaid and unallocated per programme',
    application: 'Application', units: 'Units', title: 'Title', outcome: 'Outcome', state: 'State',
    applied_on: 'Applied', decided_on: 'Decided', all: 'All', unitFilter: 'Unit',
    programmeFilter: 'Programme', stateFilter: 'State', shown: 'shown', of: 'of',
    seq: 'Entry', recordedAt: 'Recorded', effectiveDate: 'Effective', kind: 'Event',
    summary: 'Summary', signer: 'Signed by', proof: 'Proof', checked: 'checked',
    failed: 'failed', pending: 'checking …', uncovered: 'not yet in a checkpoint',
    reason: 'Reason', override: 'Override', checkpointLine: 'Checkpoint',
    proofsSummary: 'Proofs checked in the browser against the signed checkpoint',
    unit: 'Unit', name: 'Name', eligible: 'Eligible', reasons: 'Reasons', yes: 'Yes', no: 'No',
    report: 'Report', notice_date: 'Notice date', notice_late: 'Noticed late',
    outstanding: 'Outstanding', overdue: 'Overdue', why_overdue: 'Why', flagged: 'Flagged',
    flaggedNote: 'Flagged rows: unspent funds, late or missing repayment notices.',
    anomaly: 'Anomaly', none: 'None.', size: 'Entries', origin: 'Origin',
    checkpointSize: 'Checkpoint size', root: 'Root hash', note: 'Signed note',
    serverTime: 'Server time', lastVerified: 'Last verified',
    verifiedHere: 'verified in this browser', signinNeeded: 'You are not signed in, or the session has ended. Run `fouledger login --server URL --signer KEY` and open the link.',
    loginWorking: 'Signing in …', loginFailed: 'Sign-in failed',
    noToken: 'The link has no one-time code. Run `fouledger login` again.',
    noteSignature: 'Checkpoint signature (the checkpoint key of entry 0)',
    unsupported: 'cannot be checked in this browser (no Ed25519)',
    signedIn: 'Signed in', error: 'Error', sortBy: 'Sort by',
  },
};

// The projections' state, outcome and report names (projections/state.h), in Swedish. The data
// and the CSV keep the projections' own names; only what is shown is translated.
const VALUES_SV = {
  undecided: 'ej beslutad', granted: 'beviljad', 'partly granted': 'delvis beviljad',
  rejected: 'avslagen', none: 'ingen', submitted: 'inlämnad', approved: 'godkänd',
  returned: 'återsänd', paid: 'utbetald', reported: 'redovisad',
  'repayment noticed': 'återkrav skickat', repaid: 'återbetald', closed: 'avslutad',
};
const ENUM_COLUMNS = ['state', 'outcome', 'report'];

const query = new URLSearchParams(location.search);
const lang = query.get('lang') === 'en' ? 'en' : 'sv';
const t = (k) => TEXT[lang][k] ?? k;
const value = (v) => (lang === 'sv' && VALUES_SV[v]) || v;
const collator = new Intl.Collator('sv', { numeric: true, sensitivity: 'base' });

// --- Small helpers -------------------------------------------------------------------------------

function el(tag, attrs, ...children) {
  const svg = ['svg', 'rect', 'text', 'g', 'title', 'desc', 'line'].includes(tag);
  const e = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag)
                : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c !== undefined && c !== null) e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

// "3705000.00" -> "3 705 000 kr"; öre only when there are some, with a decimal comma.
function money(decimal) {
  if (decimal === undefined || decimal === null || decimal === '') return '';
  const s = String(decimal);
  const negative = s.startsWith('-');
  const [whole, frac] = s.replace('-', '').split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return (negative ? '−' : '') + grouped + (frac && /[1-9]/.test(frac) ? ',' + frac : '') + ' kr';
}
const isMoney = (v) => typeof v === 'string' && /^-?\d+\.\d\d$/.test(v);
const amount = (v) => Number(v || 0);

// The page's own query, without empty values: the address reproduces the view.
function currentQuery(extra) {
  const q = new URLSearchParams();
  for (const k of ['year', 'as_of', 'known_at', 'app', 'lang']) {
    const v = (extra && k in extra) ? extra[k] : query.get(k);
    if (v) q.set(k, v);
  }
  return q;
}
function pageUrl(page, extra) {
  const q = currentQuery(extra).toString();
  return '/ui/' + page + (q ? '?' + q : '');
}
// The API's query: the reports' own parameters (docs/api.md).
function apiQuery(names, extra) {
  const q = new URLSearchParams();
  for (const k of names) if (query.get(k)) q.set(k, query.get(k));
  for (const [k, v] of Object.entries(extra || {})) q.set(k, v);
  return q.toString();
}

class SignInNeeded extends Error {}

async function api(path) {
  const r = await fetch(path, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (r.status === 401 || r.status === 403) {
    let message = '';
    try { message = (await r.json()).message; } catch (e) { /* not JSON */ }
    throw new SignInNeeded(message);
  }
  if (!r.ok) {
    let message = r.status + ' ' + r.statusText;
    try { message = (await r.json()).message || message; } catch (e) { /* not JSON */ }
    throw new Error(message);
  }
  return r.json();
}

const content = () => document.getElementById('content');
function show(...nodes) { content().replaceChildren(...nodes); }
function showError(e) {
  show(el('p', { class: 'error', role: 'alert' },
          e instanceof SignInNeeded ? t('signinNeeded') + (e.message ? ' (' + e.message + ')' : '')
                                    : t('error') + ': ' + e.message));
}

// --- Frame: navigation, language, sign-out ---------------------------------------------------------

const PAGES = ['year', 'grants', 'eligibility', 'repayments', 'anomalies', 'status'];

function frame(page, title) {
  document.documentElement.lang = lang;
  document.title = title + ' – fouledger';
  document.getElementById('title').textContent = title;
  document.getElementById('skip').textContent = t('skip');
  const nav = document.getElementById('nav');
  nav.setAttribute('aria-label', t('pages'));
  nav.replaceChildren(el('ul', {}, PAGES.map((p) => el('li', {},
    el('a', { href: pageUrl(p, { app: '' }), 'aria-current': p === page ? 'page' : undefined, text: t(p) })))));
  const other = lang === 'en' ? '' : 'en';
  const q = new URLSearchParams(location.search);
  if (other) q.set('lang', other); else q.delete('lang');
  const tools = document.getElementById('tools');
  tools.replaceChildren(
    el('a', { href: location.pathname + (q.toString() ? '?' + q : '') + location.hash,
              lang: other || 'sv', title: t('languageLabel'), text: t('language') }),
    page === 'login' ? '' : el('button', { type: 'button', text: t('signout'), onclick: async () => {
      await fetch('/v1/session/close', { method: 'POST', credentials: 'same-origin' });
      location.assign(pageUrl('year'));
    } }));
}

// The year and date pickers: a GET form, so the address holds the chosen view.
function queryForm(withYear) {
  const today = new Date().toISOString().slice(0, 10);
  const year = query.get('year') || String(new Date().getFullYear());
  const field = (name, label, input) => el('label', { for: 'f-' + name }, label, input);
  return el('form', { class: 'query', method: 'get', action: location.pathname },
    withYear ? field('year', t('yearLabel'), el('input', { id: 'f-year', name: 'year', type: 'number',
      min: 1900, max: 2999, value: year, required: true })) : '',
    field('as_of', t('asOf'), el('input', { id: 'f-as_of', name: 'as_of', type: 'date', value: query.get('as_of') || today })),
    field('known_at', t('knownAt'), el('input', { id: 'f-known_at', name: 'known_at', type: 'date', value: query.get('known_at') || '' })),
    query.get('app') ? el('input', { type: 'hidden', name: 'app', value: query.get('app') }) : '',
    lang === 'en' ? el('input', { type: 'hidden', name: 'lang', value: 'en' }) : '',
    el('button', { type: 'submit', text: t('show') }));
}

function actions(csvPath, fileName) {
  return el('div', { class: 'actions' },
    csvPath ? el('a', { href: csvPath, download: fileName, text: t('csv') }) : '',
    el('button', { type: 'button', text: t('print'), onclick: () => window.print() }));
}

// A table from rows of objects; `columns` are [key, label, kind] with kind 'money', 'num' or ''.
// Sortable columns sort the Swedish way (å, ä, ö after z; numbers by value).
function dataTable(caption, columns, rows, options = {}) {
  const table = el('table', { 'data-table': options.name || '' });
  table.append(el('caption', { text: caption }));
  let sortKey = null; let sortUp = true;
  const head = el('tr');
  const body = el('tbody');
  const render = () => {
    let sorted = rows.slice();
    if (sortKey !== null) {
      const col = columns.find((c) => c[0] === sortKey);
      sorted.sort((a, b) => {
        const x = a[sortKey]; const y = b[sortKey];
        const d = col[2] === 'money' || col[2] === 'num' ? amount(x) - amount(y)
                                                       : collator.compare(String(x ?? ''), String(y ?? ''));
        return sortUp ? d : -d;
      });
    }
    body.replaceChildren(...sorted.map((r) => {
      const tr = el('tr', { class: options.flag && options.flag(r) ? 'flag' : undefined });
      for (const [key, , kind] of columns) {
        const v = r[key];
        const cell = el('td', { class: kind === 'money' || kind === 'num' ? 'num' : undefined, 'data-col': key });
        if (options.cell && options.cell(key, r, cell)) { tr.append(cell); continue; }
        if (kind === 'money') cell.textContent = money(v);
        else if (typeof v === 'boolean') cell.textContent = v ? t('yes') : t('no');
        else if (Array.isArray(v)) {
          if (v.length > 1) cell.append(el('ul', {}, v.map((x) => el('li', { text: x }))));
          else cell.textContent = v.join('');
        } else if (ENUM_COLUMNS.includes(key)) cell.textContent = value(v);
        else cell.textContent = v ?? '';
        if (options.strong && options.strong(key, r)) cell.classList.add('strong');
        tr.append(cell);
      }
      return tr;
    }));
    for (const th of head.children) {
      th.setAttribute('aria-sort', th.dataset.key === sortKey ? (sortUp ? 'ascending' : 'descending') : 'none');
    }
  };
  for (const [key, label, kind] of columns) {
    const th = el('th', { scope: 'col', class: kind === 'money' || kind === 'num' ? 'num' : undefined });
    th.dataset.key = key;
    if (options.sortable) {
      th.append(el('button', { type: 'button', text: label, title: t('sortBy') + ' ' + label, onclick: () => {
        sortUp = sortKey === key ? !sortUp : true; sortKey = key; render();
      } }));
    } else {
      th.textContent = label;
      th.removeAttribute('aria-sort');
    }
    head.append(th);
  }
  table.append(el('thead', {}, head), body);
  render();
  if (!options.sortable) for (const th of head.children) th.removeAttribute('aria-sort');
  table.rerender = (newRows) => { rows = newRows; render(); if (!options.sortable) for (const th of head.children) th.removeAttribute('aria-sort'); };
  return table;
}

// --- Pages ---------------------------------------------------------------------------------------

const FIGURES = ['appropriated', 'asked', 'granted', 'paid', 'spent', 'noticed', 'repaid',
                 'unallocated', 'to_pay', 'unspent', 'repayment_outstanding'];
const CHART = ['granted', 'paid', 'spent', 'repaid', 'unallocated'];

function chart(byProgramme) {
  const width = 640; const rowH = 44; const left = 150; const height = CHART.length * rowH + 40;
  const max = Math.max(1, ...CHART.flatMap((f) => ['LUM', 'MUL'].map((p) => amount(byProgramme[p]?.[f]))));
  const scale = (v) => Math.max(0, (amount(v) / max) * (width - left - 130));
  const svg = el('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img',
                          'aria-labelledby': 'chart-title', width: '100%' },
    el('title', { id: 'chart-title', text: t('chartTitle') }));
  CHART.forEach((f, i) => {
    const y = 10 + i * rowH;
    svg.append(el('text', { x: 0, y: y + 20, text: t(f) }));
    ['LUM', 'MUL'].forEach((p, j) => {
      const v = byProgramme[p]?.[f];
      const w = scale(v);
      svg.append(el('rect', { x: left, y: y + j * 18, width: w, height: 15, class: p.toLowerCase() }));
      svg.append(el('text', { x: left + w + 6, y: y + j * 18 + 12, text: p + ' ' + money(v || '0.00') }));
    });
  });
  svg.append(el('rect', { x: left, y: height - 19, width: 12, height: 12, class: 'lum' }),
             el('text', { x: left + 16, y: height - 8, text: 'LUM' }),
             el('rect', { x: left + 80, y: height - 19, width: 12, height: 12, class: 'mul' }),
             el('text', { x: left + 96, y: height - 8, text: 'MUL' }));
  return svg;
}

async function yearPage() {
  frame('year', t('yearTitle'));
  if (!query.get('year')) { query.set('year', String(new Date().getFullYear())); }
  const year = query.get('year');
  const rows = await api('/v1/budget?' + apiQuery(['year', 'as_of', 'known_at']));
  const byProgramme = Object.fromEntries(rows.map((r) => [r.programme, r]));
  const table = el('table', { 'data-table': 'budget' },
    el('caption', { text: t('yearTitle') + ' ' + year }),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: t('figure') }),
      ...rows.map((r) => el('th', { scope: 'col', class: 'num', text: r.programme })))),
    el('tbody', {}, [...FIGURES, 'applications', 'grants'].map((f) => el('tr', {},
      el('th', { scope: 'row', text: t(f === 'grants' ? 'grantsCount' : f) }),
      ...rows.map((r) => el('td', { class: 'num', 'data-field': f, 'data-programme': r.programme,
                                   text: isMoney(r[f]) ? money(r[f]) : String(r[f]) }))))));
  show(queryForm(true),
       actions('/v1/budget?' + apiQuery(['year', 'as_of', 'known_at'], { format: 'csv' }), `budget-${year}.csv`),
       table, el('h2', { text: t('chartTitle') }), chart(byProgramme));
}

async function grantsPage() {
  frame('grants', t('grantsTitle'));
  if (!query.get('year')) { query.set('year', String(new Date().getFullYear())); }
  const year = query.get('year');
  const all = await api('/v1/grants?' + apiQuery(['year', 'as_of', 'known_at']));
  const units = [...new Set(all.flatMap((g) => g.units.split(', ').filter(Boolean)))].sort(collator.compare);
  const states = [...new Set(all.map((g) => g.state))].sort(collator.compare);
  const filter = { unit: '', programme: '', state: '' };
  const select = (name, label, values) => el('label', { for: 'flt-' + name }, label,
    el('select', { id: 'flt-' + name, onchange: (e) => { filter[name] = e.target.value; apply(); } },
      el('option', { value: '', text: t('all') }), values.map((v) => el('option', { value: v, text: value(v) }))));
  const count = el('p', { class: 'muted', 'aria-live': 'polite' });
  const columns = [['application', t('application')], ['programme', t('programme')],
    ['units', t('units')], ['title', t('title')], ['asked', t('asked'), 'money'],
    ['granted', t('granted'), 'money'], ['paid', t('paid'), 'money'], ['outcome', t('outcome')],
    ['state', t('state')], ['applied_on', t('applied_on')], ['decided_on', t('decided_on')]];
  const table = dataTable(t('grantsTitle') + ' ' + year, columns, all, {
    name: 'grants', sortable: true,
    cell: (key, r, cell) => {
      if (key !== 'application') return false;
      cell.append(el('a', { href: pageUrl('trail', { app: r.application }), text: r.application }));
      return true;
    },
  });
  const apply = () => {
    const rows = all.filter((g) => (!filter.unit || g.units.split(', ').includes(filter.unit)) &&
      (!filter.programme || g.programme === filter.programme) && (!filter.state || g.state === filter.state));
    table.rerender(rows);
    count.textContent = `${rows.length} ${t('shown')} ${t('of')} ${all.length}`;
  };
  show(queryForm(true),
       el('div', { class: 'query' , role: 'group', 'aria-label': t('all') },
          select('unit', t('unitFilter'), units), select('programme', t('programmeFilter'), ['LUM', 'MUL']),
          select('state', t('stateFilter'), states)),
       actions('/v1/grants?' + apiQuery(['year', 'as_of', 'known_at'], { format: 'csv' }), `grants-${year}.csv`),
       count, table);
  apply();
}

// --- Proofs (RFC 9162) ---------------------------------------------------------------------------

const b64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
const hex = (a) => Array.from(a, (b) => b.toString(16).padStart(2, '0')).join('');
async function sha256(...parts) {
  const n = parts.reduce((s, p) => s + p.length, 0);
  const buf = new Uint8Array(n); let o = 0;
  for (const p of parts) { buf.set(p, o); o += p.length; }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
}
const leafHash = (entry) => sha256(Uint8Array.of(0), entry);
const nodeHash = (l, r) => sha256(Uint8Array.of(1), l, r);
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

// RFC 9162 section 2.1.3.2: the root the path leads to from `leaf` at `index` in a tree of `size`.
async function rootFromInclusion(index, size, leaf, path) {
  let fn = BigInt(index); let sn = BigInt(size) - 1n;
  if (fn > sn) return null;
  let r = leaf;
  for (const p of path) {
    if (sn === 0n) return null;
    if ((fn & 1n) === 1n || fn === sn) {
      r = await nodeHash(p, r);
      if ((fn & 1n) === 0n) { while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; } }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n; sn >>= 1n;
  }
  return sn === 0n ? r : null;
}

// Checks one entry: its bytes hash to the leaf, and the path from that leaf leads to the root of
// the signed checkpoint. Returns 'checked', 'failed' or 'uncovered' (newer than the checkpoint).
async function checkEntry(seq, checkpoint) {
  if (BigInt(seq) >= BigInt(checkpoint.size)) return 'uncovered';
  try {
    const r = await fetch(`/v1/proofs/inclusion?seq=${seq}&size=${checkpoint.size}`, { credentials: 'same-origin' });
    if (!r.ok) return 'failed';
    const p = await r.json();
    const entry = b64(p.entry);
    const leaf = await leafHash(entry);
    if (!same(leaf, b64(p.leafHash))) return 'failed';
    if (String(p.leafIdx) !== String(seq) || String(p.treeSize) !== String(checkpoint.size)) return 'failed';
    const root = await rootFromInclusion(seq, checkpoint.size, leaf, (p.proof || []).map(b64));
    return root && same(root, b64(checkpoint.root)) ? 'checked' : 'failed';
  } catch (e) {
    return 'failed';
  }
}

// The checkpoint's C2SP signed note (docs/storage.md): its three lines must name this checkpoint
// and its Ed25519 signature must verify with the checkpoint key named in the genesis entry.
// 'checked', 'failed', or 'unsupported' when this browser's Web Crypto has no Ed25519.
async function checkNote(checkpoint) {
  try {
    const genesis = (await api('/v1/entries?from=0&limit=1')).entries[0].event.body.genesis;
    const name = genesis.ledgerName;
    const pub = Uint8Array.from(genesis.checkpointPublicKey.match(/../g), (h) => parseInt(h, 16));
    const note = checkpoint.note;
    const split = note.indexOf('\n\n');
    if (split < 0) return 'failed';
    const text = note.slice(0, split + 1);
    const [origin, size, root] = text.split('\n');
    if (origin !== name || size !== String(checkpoint.size) || root !== checkpoint.root) return 'failed';
    const keyHash = (await sha256(new TextEncoder().encode(name + '\n'), Uint8Array.of(1), pub)).slice(0, 4);
    let key;
    try {
      key = await crypto.subtle.importKey('raw', pub, { name: 'Ed25519' }, false, ['verify']);
    } catch (e) {
      return 'unsupported';
    }
    for (const line of note.slice(split + 2).split('\n')) {
      const m = /^\u2014 (\S+) (\S+)$/.exec(line);
      if (!m || m[1] !== name) continue;
      const raw = b64(m[2]);
      if (raw.length !== 68 || !same(raw.slice(0, 4), keyHash)) continue;
      if (await crypto.subtle.verify({ name: 'Ed25519' }, key, raw.slice(4), new TextEncoder().encode(text))) {
        return 'checked';
      }
    }
    return 'failed';
  } catch (e) {
    return 'failed';
  }
}

async function trailPage() {
  const app = query.get('app') || '';
  frame('grants', t('trailTitle') + ' ' + app);
  const [trail, checkpoint] = await Promise.all([
    api('/v1/trail/' + encodeURIComponent(app) + '?' + apiQuery(['as_of', 'known_at'])),
    api('/v1/checkpoint')]);
  const facts = el('dl', { class: 'facts' },
    el('dt', { text: t('title') }), el('dd', { text: trail.title }),
    el('dt', { text: t('units') }), el('dd', { text: trail.units }),
    el('dt', { text: t('state') }), el('dd', { text: value(trail.state) }),
    el('dt', { text: t('reason') }), el('dd', { text: trail.reason || '–' }),
    el('dt', { text: t('override') }), el('dd', { text: trail.override || '–' }),
    el('dt', { text: t('checkpointLine') }),
    el('dd', { class: 'mono', text: `${checkpoint.origin} · ${checkpoint.size} · ${hex(b64(checkpoint.root))}` }));
  const noteLine = el('p', { id: 'note-line', text: t('noteSignature') + ': ' + t('pending') });
  const summary = el('p', { id: 'proof-summary', 'aria-live': 'polite', text: t('proofsSummary') + ': …' });
  const rows = trail.entries.map((e) => ({ ...e, signer: `${e.holder || e.author} (${e.role})`, proof: 'pending' }));
  const columns = [['seq', t('seq'), 'num'], ['effectiveDate', t('effectiveDate')], ['recordedAt', t('recordedAt')],
    ['kind', t('kind')], ['summary', t('summary')], ['signer', t('signer')], ['proof', t('proof')]];
  const table = dataTable(t('trailTitle') + ' ' + app, columns, rows, {
    name: 'trail',
    cell: (key, r, cell) => {
      if (key !== 'proof') return false;
      cell.append(el('span', { class: 'status-' + r.proof, 'data-proof': r.proof, 'data-seq': r.seq, text: t(r.proof) }));
      return true;
    },
  });
  show(queryForm(false), el('p', {}, el('a', { href: pageUrl('grants', { app: '' }), text: '← ' + t('grants') })),
       facts, actions('/v1/grants/' + encodeURIComponent(app) + '?' + apiQuery(['as_of', 'known_at'], { format: 'csv' }),
                      `grant-${app}.csv`), noteLine, summary, table);
  const note = await checkNote(checkpoint);
  noteLine.replaceChildren(t('noteSignature') + ': ',
    el('span', { class: 'status-' + (note === 'unsupported' ? 'pending' : note), id: 'note-status', 'data-note': note, text: t(note) }));
  // A checkpoint whose signature fails vouches for nothing: every entry fails with it.
  const results = await Promise.all(rows.map((r) => note === 'failed' ? 'failed' : checkEntry(r.seq, checkpoint)));
  rows.forEach((r, i) => { r.proof = results[i]; });
  table.rerender(rows);
  const n = (s) => results.filter((x) => x === s).length;
  summary.textContent = `${t('proofsSummary')}: ${n('checked')} ${t('checked')}, ${n('failed')} ${t('failed')}` +
    (n('uncovered') ? `, ${n('uncovered')} ${t('uncovered')}` : '');
}

async function eligibilityPage() {
  frame('eligibility', t('eligibilityTitle'));
  if (!query.get('year')) { query.set('year', String(new Date().getFullYear())); }
  const year = query.get('year');
  const rows = await api('/v1/eligibility?' + apiQuery(['year', 'as_of', 'known_at']));
  show(queryForm(true),
       actions('/v1/eligibility?' + apiQuery(['year', 'as_of', 'known_at'], { format: 'csv' }), `eligibility-${year}.csv`),
       dataTable(t('eligibilityTitle') + ' ' + year, [['unit', t('unit')], ['name', t('name')],
         ['eligible', t('eligible')], ['reasons', t('reasons')]], rows, { name: 'eligibility', sortable: true }));
}

async function repaymentsPage() {
  frame('repayments', t('repaymentsTitle'));
  if (!query.get('year')) { query.set('year', String(new Date().getFullYear())); }
  const year = query.get('year');
  const rows = await api('/v1/repayments?' + apiQuery(['year', 'as_of', 'known_at']));
  // Unspent funds not fully noticed, a late notice, or an overdue repayment: an auditor looks.
  const flagged = (r) => r.overdue === true || amount(r.notice_late) > 0 || r.notice_late === true ||
                         amount(r.unspent) > amount(r.noticed);
  for (const r of rows) r.flagged = flagged(r) ? t('flagged') : '';
  const columns = [['flagged', t('flagged')], ['application', t('application')], ['programme', t('programme')],
    ['units', t('units')], ['granted', t('granted'), 'money'], ['paid', t('paid'), 'money'],
    ['report', t('report')], ['spent', t('spent'), 'money'], ['unspent', t('unspent'), 'money'],
    ['noticed', t('noticed'), 'money'], ['notice_date', t('notice_date')],
    ['notice_late', t('notice_late'), isMoney(rows[0]?.notice_late) ? 'money' : ''],
    ['repaid', t('repaid'), 'money'], ['outstanding', t('outstanding'), 'money'],
    ['overdue', t('overdue')], ['why_overdue', t('why_overdue')]];
  show(queryForm(true), el('p', { class: 'muted', text: t('flaggedNote') }),
       actions('/v1/repayments?' + apiQuery(['year', 'as_of', 'known_at'], { format: 'csv' }), `repayments-${year}.csv`),
       dataTable(t('repaymentsTitle') + ' ' + year, columns, rows, {
         name: 'repayments', sortable: true, flag: flagged,
         strong: (key, r) => key === 'unspent' && amount(r.unspent) > 0,
         cell: (key, r, cell) => {
           if (key !== 'flagged' || !r.flagged) return false;
           cell.append(el('span', { class: 'flag-text', text: '⚠ ' + r.flagged }));
           return true;
         },
       }));
}

async function anomaliesPage() {
  frame('anomalies', t('anomaliesTitle'));
  const rows = await api('/v1/anomalies?' + apiQuery(['as_of', 'known_at']));
  show(queryForm(false),
       actions('/v1/anomalies?' + apiQuery(['as_of', 'known_at'], { format: 'csv' }), 'anomalies.csv'),
       rows.length ? dataTable(t('anomaliesTitle'), [['seq', t('seq'), 'num'], ['message', t('anomaly')]], rows,
                               { name: 'anomalies', sortable: true })
                   : el('p', { text: t('none') }));
}

async function statusPage() {
  frame('status', t('statusTitle'));
  const s = await api('/v1/status');
  const cp = s.checkpoint;
  const verified = el('dd', { id: 'last-verified', text: t('pending') });
  show(el('dl', { class: 'facts' },
    el('dt', { text: t('size') }), el('dd', { text: String(s.size) }),
    el('dt', { text: t('serverTime') }), el('dd', { text: s.serverTime }),
    el('dt', { text: t('origin') }), el('dd', { text: cp ? cp.origin : '–' }),
    el('dt', { text: t('checkpointSize') }), el('dd', { text: cp ? String(cp.size) : '–' }),
    el('dt', { text: t('root') }), el('dd', { class: 'mono', text: cp ? hex(b64(cp.root)) : '–' }),
    el('dt', { text: t('lastVerified') }), verified,
    el('dt', { text: t('note') }), el('dd', {}, el('pre', { class: 'mono', text: cp ? cp.note : '–' }))),
    actions(null));
  // The newest entry the checkpoint covers, checked here: the tree's right edge holds.
  if (cp && Number(cp.size) > 0) {
    const note = await checkNote(cp);
    const result = note === 'failed' ? 'failed' : await checkEntry(Number(cp.size) - 1, cp);
    verified.textContent = `${new Date().toISOString()} (${t('verifiedHere')}: ${t(result)}; ${t('noteSignature')}: ${t(note)})`;
  } else {
    verified.textContent = '–';
  }
}

async function loginPage() {
  frame('login', t('loginTitle'));
  const token = location.hash.slice(1);
  // The token leaves the address at once: it is spent, and must not linger in history.
  history.replaceState(null, '', location.pathname + location.search);
  if (!/^[0-9a-f]{64}$/.test(token)) { show(el('p', { class: 'error', role: 'alert', text: t('noToken') })); return; }
  show(el('p', { text: t('loginWorking') }));
  const r = await fetch('/v1/session/open', { method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token }) });
  if (!r.ok) {
    let message = String(r.status);
    try { message = (await r.json()).message; } catch (e) { /* not JSON */ }
    show(el('p', { class: 'error', role: 'alert', text: `${t('loginFailed')}: ${message}` }));
    return;
  }
  location.replace(pageUrl('year'));
}

const ROUTES = { year: yearPage, grants: grantsPage, trail: trailPage, eligibility: eligibilityPage,
                 repayments: repaymentsPage, anomalies: anomaliesPage, status: statusPage, login: loginPage };

document.addEventListener('DOMContentLoaded', async () => {
  const page = location.pathname.replace(/^\/ui\/?/, '').split('/')[0] || 'year';
  const run = ROUTES[page] || yearPage;
  try {
    await run();
  } catch (e) {
    showError(e);
  } finally {
    document.body.dataset.ready = 'true';
  }
});
