// End-to-end test of the pages of `fouledger serve` (docs/web.md) in Debian's headless chromium,
// driven by playwright-core, with an axe-core accessibility scan of every page. It builds the
// demo ledger, serves it on 127.0.0.1, signs in with `fouledger login`, and checks the pages
// against what the CLI prints for the same questions. Screenshots go to the directory given.
//
//   node pages.test.mjs BIN/fouledger SCREENSHOT_DIR
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const [bin, shots] = process.argv.slice(2);
assert.ok(bin && shots, 'usage: node pages.test.mjs BIN/fouledger SCREENSHOT_DIR');
mkdirSync(shots, { recursive: true });
const here = dirname(fileURLToPath(import.meta.url));
void here;

const work = mkdtempSync(join(tmpdir(), 'fouledger-web-'));
const ledger = join(work, 'ledger');
let server = null;
let browser = null;
let failures = 0;
const started = Date.now();

function step(name) { console.log(`[ RUN      ] ${name}`); }
function ok(name) { console.log(`[       OK ] ${name} (${Date.now() - started} ms since start)`); }

// The CLI, as a client of the same server (the server holds the ledger's lock); it prints
// exactly what it prints for a local ledger (docs/api.md).
function cli(...args) {
  return execFileSync(bin, ['--server', globalThis.base, '--signer', join(ledger, 'keys', 'auditor.key'), ...args],
                      { encoding: 'utf8', timeout: 20000 });
}
// The CLI's own figure, in the form the page shows it: "3 000 000 kr".
function money(decimal) {
  const [whole, frac] = decimal.replace('-', '').split('.');
  return (decimal.startsWith('-') ? '−' : '') + whole.replace(/\B(?=(\d{3})+(?!\d))/g, ' ') +
         (frac && /[1-9]/.test(frac) ? ',' + frac : '') + ' kr';
}

async function startServer() {
  const child = spawn(bin, ['serve', '--ledger', ledger, '--listen', '127.0.0.1:0', '--threads', '1'],
                      { stdio: ['ignore', 'ignore', 'pipe'] });
  const url = await new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error('server did not start: ' + text)), 10000);
    child.stderr.on('data', (d) => {
      text += d;
      const m = /serving .* on (http:\/\/[0-9.]+:\d+)/.exec(text);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${text}`)));
  });
  child.stderr.resume();
  return { child, url };
}

async function ready(page) {
  await page.waitForSelector('body[data-ready="true"]', { timeout: 10000 });
}

// axe-core, run inside the page (evaluated over the DevTools protocol, so the pages' CSP stays on).
async function axe(page, name) {
  const result = await page.evaluate(async (source) => {
    if (!window.axe) (0, eval)(source);
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                                      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  }, axeSource);
  const serious = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of result) console.log(`  axe ${name}: ${v.impact} ${v.id}: ${v.help} ${JSON.stringify(v.nodes)}`);
  assert.deepEqual(serious, [], `${name}: serious or critical accessibility violations`);
}

async function shot(page, name) {
  await page.screenshot({ path: join(shots, name + '.png'), fullPage: true });
}

async function main() {
  execFileSync(bin, ['demo', '--ledger', ledger], { stdio: 'ignore', timeout: 20000 });
  ({ child: server, url: globalThis.base } = await startServer());
  const base = globalThis.base;

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync',
           '--disable-dev-shm-usage'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'sv-SE' });
  // Nothing but the server: any other request is a defect (no CDN, no fonts).
  await context.route((url) => !url.href.startsWith(base), (route) => {
    failures++;
    console.log('  request outside the server: ' + route.request().url());
    return route.abort();
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => { failures++; console.log('  page error: ' + e.message); });

  step('WebPages.RefusedWithoutSession');
  {
    await page.goto(base + '/ui/year?year=2021');
    await ready(page);
    await page.waitForSelector('.error');
    assert.match(await page.textContent('.error'), /fouledger login/);
    ok('WebPages.RefusedWithoutSession');
  }

  step('WebPages.SignIn');
  {
    const link = execFileSync(bin, ['--server', base, '--signer', join(ledger, 'keys', 'auditor.key'), 'login'],
                              { encoding: 'utf8', timeout: 20000 }).trim();
    assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/ui\/login#[0-9a-f]{64}$/);
    await page.goto(link);
    await page.waitForURL(/\/ui\/year/);
    await ready(page);
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'fouledger_session');
    assert.ok(session, 'a session cookie was set');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    // The link is one-time: a second use is refused.
    const again = await page.request.post(base + '/v1/session/open',
      { data: { token: link.split('#')[1] }, headers: { Origin: base } });
    assert.equal(again.status(), 401);
    ok('WebPages.SignIn');
  }

  step('WebPages.YearShowsSeedTotals');
  {
    await page.goto(base + '/ui/year?year=2021');
    await ready(page);
    const cell = (f, p) => page.textContent(`td[data-field="${f}"][data-programme="${p}"]`);
    assert.equal(await cell('granted', 'LUM'), '3 000 000 kr');
    assert.equal(await cell('granted', 'MUL'), '110 000 kr');
    // Every figure is the CLI's, for the same question.
    const budget = JSON.parse(cli('budget', '--year', '2021', '--json'));
    for (const row of budget) {
      for (const f of ['appropriated', 'asked', 'granted', 'paid', 'spent', 'repaid', 'unallocated']) {
        assert.equal(await cell(f, row.programme), money(row[f]), `${row.programme} ${f}`);
      }
    }
    assert.ok(await page.isVisible('svg.chart'));
    await axe(page, 'year');
    await shot(page, 'year');
    ok('WebPages.YearShowsSeedTotals');
  }

  step('WebPages.AsOfChangesFiguresAsTheCliSays');
  {
    // A date inside 2021, before the year's decisions were all taken and paid.
    const now = JSON.parse(cli('budget', '--year', '2021', '--json'));
    let date = null; let then = null;
    for (const d of ['2021-03-01', '2021-04-01', '2021-05-01', '2021-06-01', '2021-09-01', '2021-12-01']) {
      then = JSON.parse(cli('budget', '--year', '2021', '--json', '--as-of', d));
      if (JSON.stringify(then) !== JSON.stringify(now)) { date = d; break; }
    }
    assert.ok(date, 'some date in 2021 has other figures than today');
    await page.fill('#f-as_of', date);
    await Promise.all([page.waitForURL(new RegExp('as_of=' + date)), page.click('form.query button[type=submit]')]);
    await ready(page);
    assert.match(page.url(), new RegExp(`year=2021.*as_of=${date}`));
    for (const row of then) {
      for (const f of ['granted', 'paid', 'spent', 'unallocated']) {
        const text = await page.textContent(`td[data-field="${f}"][data-programme="${row.programme}"]`);
        assert.equal(text, money(row[f]), `${row.programme} ${f} as of ${date}`);
      }
    }
    // The address alone reproduces the view.
    const copy = await context.newPage();
    await copy.goto(page.url());
    await ready(copy);
    assert.equal(await copy.textContent('td[data-field="granted"][data-programme="LUM"]'),
                 await page.textContent('td[data-field="granted"][data-programme="LUM"]'));
    await copy.close();
    ok('WebPages.AsOfChangesFiguresAsTheCliSays');
  }

  let trailUrl = null;
  let trailSeqs = [];
  step('WebPages.GrantsListFiltersAndLinksToTrails');
  {
    await page.goto(base + '/ui/grants?year=2021');
    await ready(page);
    const rows = await page.$$eval('table[data-table=grants] tbody tr', (t) => t.length);
    assert.ok(rows > 0, 'the 2021 applications are listed');
    await page.selectOption('#flt-programme', 'MUL');
    const programmes = await page.$$eval('table[data-table=grants] tbody td[data-col=programme]', (t) => t.map((x) => x.textContent));
    assert.ok(programmes.length > 0 && programmes.every((p) => p === 'MUL'), 'filtered to MUL');
    await page.selectOption('#flt-programme', '');
    await axe(page, 'grants');
    await shot(page, 'grants');
    // The grant with the longest trail.
    const apps = await page.$$eval('table[data-table=grants] tbody td[data-col=application] a', (a) => a.map((x) => x.getAttribute('href')));
    let best = 0;
    for (const href of apps) {
      const id = new URL(base + href).searchParams.get('app');
      const grant = JSON.parse(cli('grant', id, '--json'));
      if (grant.entries.length > best) { best = grant.entries.length; trailUrl = base + href; }
    }
    assert.ok(trailUrl);
    ok('WebPages.GrantsListFiltersAndLinksToTrails');
  }

  step('WebPages.TrailProofsCheckedInTheBrowser');
  {
    await page.goto(trailUrl);
    await ready(page);
    await page.waitForFunction(() => !document.querySelector('[data-proof="pending"]'), null, { timeout: 15000 });
    const proofs = await page.$$eval('[data-proof]', (s) => s.map((x) => [x.dataset.seq, x.dataset.proof]));
    assert.ok(proofs.length >= 2, 'a trail of several entries');
    for (const [seq, p] of proofs) assert.equal(p, 'checked', `entry ${seq}`);
    assert.equal(await page.getAttribute('#note-status', 'data-note'), 'checked', 'the checkpoint signature verifies');
    trailSeqs = proofs.map(([seq]) => seq);
    await axe(page, 'trail');
    await shot(page, 'trail');
    ok('WebPages.TrailProofsCheckedInTheBrowser');
  }

  step('WebPages.TamperedProofShowsFailed');
  {
    const victim = trailSeqs[1];
    await page.route(new RegExp(`/v1/proofs/inclusion\\?seq=${victim}&`), async (route) => {
      const response = await route.fetch();
      const doc = await response.json();
      const bytes = Buffer.from(doc.entry, 'base64');
      bytes[bytes.length - 1] ^= 0x01;  // one bit of the entry
      doc.entry = bytes.toString('base64');
      await route.fulfill({ response, json: doc });
    });
    await page.goto(trailUrl);
    await ready(page);
    await page.waitForFunction(() => !document.querySelector('[data-proof="pending"]'), null, { timeout: 15000 });
    const proofs = Object.fromEntries(await page.$$eval('[data-proof]', (s) => s.map((x) => [x.dataset.seq, x.dataset.proof])));
    assert.equal(proofs[victim], 'failed', `entry ${victim} was tampered with`);
    for (const seq of trailSeqs) if (seq !== victim) assert.equal(proofs[seq], 'checked', `entry ${seq}`);
    assert.match(await page.textContent('#proof-summary'), /1 misslyckades/);
    await shot(page, 'trail-tampered');
    await page.unrouteAll();
    ok('WebPages.TamperedProofShowsFailed');
  }

  step('WebPages.ForgedCheckpointFailsEveryEntry');
  {
    // A server that lies about the root cannot sign for it: the note fails, and every entry with it.
    await page.route(/\/v1\/checkpoint$/, async (route) => {
      const response = await route.fetch();
      const doc = await response.json();
      const root = Buffer.from(doc.root, 'base64');
      root[0] ^= 0x80;
      const forged = root.toString('base64');
      doc.note = doc.note.replace(doc.root, forged);
      doc.root = forged;
      await route.fulfill({ response, json: doc });
    });
    await page.goto(trailUrl);
    await ready(page);
    await page.waitForFunction(() => !document.querySelector('[data-proof="pending"]'), null, { timeout: 15000 });
    assert.equal(await page.getAttribute('#note-status', 'data-note'), 'failed');
    const proofs = await page.$$eval('[data-proof]', (s) => s.map((x) => x.dataset.proof));
    assert.ok(proofs.length > 0 && proofs.every((p) => p === 'failed'), 'every entry fails with the checkpoint');
    await page.unrouteAll();
    ok('WebPages.ForgedCheckpointFailsEveryEntry');
  }

  step('WebPages.OtherPagesAndCsv');
  {
    for (const [name, path] of [['eligibility', '/ui/eligibility?year=2021'], ['repayments', '/ui/repayments?year=2021'],
                                ['anomalies', '/ui/anomalies'], ['status', '/ui/status']]) {
      await page.goto(base + path);
      await ready(page);
      assert.equal(await page.locator('.error').count(), 0, `${name} shows no error`);
      if (name === 'status') {
        await page.waitForFunction(() => !/kontrolleras/.test(document.getElementById('last-verified').textContent));
        assert.match(await page.textContent('#last-verified'), /kontrollerat/);
      }
      await axe(page, name);
      await shot(page, name);
    }
    // The CSV link downloads what the CLI writes.
    await page.goto(base + '/ui/repayments?year=2021');
    await ready(page);
    const href = await page.getAttribute('a[download]', 'href');
    const csv = await page.request.get(base + href);
    assert.equal(csv.status(), 200);
    assert.equal(await csv.text(), cli('repayments', '--year', '2021', '--csv'));
    ok('WebPages.OtherPagesAndCsv');
  }

  step('WebPages.EnglishToggle');
  {
    await page.goto(base + '/ui/year?year=2021');
    await ready(page);
    assert.equal(await page.getAttribute('html', 'lang'), 'sv');
    await Promise.all([page.waitForURL(/lang=en/), page.click('#tools a')]);
    await ready(page);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.match(await page.textContent('h1'), /Budget per year/);
    assert.equal(await page.textContent('td[data-field="granted"][data-programme="LUM"]'), '3 000 000 kr');
    await axe(page, 'year-en');
    await shot(page, 'year-en');
    ok('WebPages.EnglishToggle');
  }

  step('WebPages.SignOutEndsSession');
  {
    await page.click('#tools button');
    await page.waitForURL(/\/ui\/year/);
    await ready(page);
    await page.waitForSelector('.error');
    const r = await page.request.get(base + '/v1/budget?year=2021');
    assert.equal(r.status(), 401);
    ok('WebPages.SignOutEndsSession');
  }
  assert.equal(failures, 0, 'page errors or requests outside the server');
}

let code = 0;
try {
  await main();
  console.log(`[  PASSED  ] web pages in ${Date.now() - started} ms`);
} catch (e) {
  console.error('[  FAILED  ] ' + (e && e.stack || e));
  code = 1;
} finally {
  if (browser) await browser.close().catch(() => {});
  if (server) { server.kill('SIGTERM'); }
  rmSync(work, { recursive: true, force: true });
}
process.exit(code);
