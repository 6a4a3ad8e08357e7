'use strict';
// The console's state and its calls to the API (the page's other scripts: console.explain.js, console.view.js).
const KEY = 'alertline.apiKey';
const RESENDABLE = ['FAILED', 'UNDELIVERED', 'EXPIRED'];
const $ = (id) => document.getElementById(id);
let role = null;
let openId = null;

function localInput(date) {
  return new Date(date.getTime() - date.getTimezoneOffset() * 60000).toISOString().slice(0, 19);
}

async function call(method, path) {
  const key = sessionStorage.getItem(KEY);
  if (!key) throw new Error('Paste your API key first.');
  const res = await fetch(path, {
    method,
    headers: { authorization: 'Bearer ' + key },
    cache: 'no-store',
  });
  const body = await res.json().catch(() => null);
  if (res.status === 401) {
    // A refused key is of no use for the next search either: forget it and say what to do.
    sessionStorage.removeItem(KEY);
    role = null;
    $('who').textContent = '';
    throw new Error(
      `This API key was not accepted (401: ${body?.message ?? 'unauthorised'}). Paste the whole key again.`,
    );
  }
  if (!res.ok) {
    const text = Array.isArray(body?.message) ? body.message.join('; ') : body?.message || res.statusText;
    // A 429's message already says when to try again (the Retry-After value).
    throw new Error(`${res.status}: ${text}`);
  }
  return body;
}

async function useKey(key) {
  if (key) sessionStorage.setItem(KEY, key);
  role = null;
  $('who').textContent = '';
  show($('keyMsg'), 'error', '');
  if (!sessionStorage.getItem(KEY)) return;
  try {
    const me = await call('GET', '/v1/session');
    role = me.role;
    $('who').textContent = `${me.principal} · ${me.role}`;
  } catch (err) {
    show($('keyMsg'), 'error', err.message);
  }
}

function syncMode() {
  const windowed = $('mode').value !== 'transactionId';
  for (const l of document.querySelectorAll('.window')) l.hidden = !windowed;
}

function resultRow(n, extraClass) {
  const tr = row(
    [
      badge(n),
      shortWhy(n),
      copyable(n.transactionId, 'transaction id'),
      el('td', 'nowrap', '•• ' + n.cardLast4),
      el('td', 'nowrap', amount(n)),
      n.merchantName,
      n.provider,
      el('td', 'nowrap', phone(n.phone, n.purgedAt)),
      el('td', 'nowrap', when(n.authorisedAt)),
      el('td', 'nowrap', when(n.updatedAt)),
    ],
    extraClass ? `pick ${extraClass}` : 'pick',
  );
  tr.dataset.id = n.id;
  tr.addEventListener('click', () => void openAlert(n.id));
  return tr;
}

// Windowed searches come a page at a time: the next page is the same search with the page's nextCursor.
let lastQuery = null;
let nextCursor = null;
function showPage(items, append) {
  if (append) $('rows').append(...items.map((n) => resultRow(n)));
  else $('rows').replaceChildren(...items.map((n) => resultRow(n)));
  const shown = $('rows').children.length;
  $('results').hidden = shown === 0;
  $('resultsTitle').textContent = `Results (${shown}${nextCursor ? '+' : ''})`;
  $('more').hidden = !nextCursor;
}

async function search() {
  const q = new URLSearchParams({ [$('mode').value]: $('value').value.trim() });
  if ($('mode').value !== 'transactionId') {
    q.set('from', new Date($('from').value).toISOString());
    q.set('to', new Date($('to').value).toISOString());
  }
  show($('searchMsg'), 'info', 'Searching…');
  try {
    const page = await call('GET', '/v1/notifications?' + q.toString());
    lastQuery = q;
    nextCursor = page.nextCursor;
    show($('searchMsg'), 'info', page.items.length ? '' : 'No alert matches.');
    showPage(page.items, false);
    if (page.items.length === 1 && !nextCursor) await openAlert(page.items[0].id);
  } catch (err) {
    show($('searchMsg'), 'error', err.message);
  }
}

async function more() {
  if (!lastQuery || !nextCursor) return;
  const q = new URLSearchParams(lastQuery);
  q.set('cursor', nextCursor);
  $('more').disabled = true;
  try {
    const page = await call('GET', '/v1/notifications?' + q.toString());
    nextCursor = page.nextCursor;
    showPage(page.items, true);
  } catch (err) {
    show($('searchMsg'), 'error', err.message);
  } finally {
    $('more').disabled = false;
  }
}

/** `keepMessage`: right after a resend, whose outcome stays shown; any other opening starts clean. */
async function openAlert(id, keepMessage = false) {
  openId = id;
  if (!keepMessage) show($('detailMsg'), 'info', '');
  for (const tr of $('rows').children) tr.classList.toggle('open', tr.dataset.id === id);
  try {
    render(await call('GET', '/v1/notifications/' + encodeURIComponent(id)));
  } catch (err) {
    $('detail').hidden = false;
    show($('detailMsg'), 'error', err.message);
  }
}

/** A correction names its original, an alert lists its corrections: each opens the other. */
function renderLinks(n) {
  const open = (id, label) => {
    const b = el('button', 'secondary', label);
    b.type = 'button';
    b.addEventListener('click', () => void openAlert(id));
    return b;
  };
  const what = (r) => `${r.reversalKind} ${amount(r)}: ${r.state}${r.reason ? ' ' + r.reason : ''} `;
  const lines = [];
  const of = n.correctionOf;
  if (of) {
    lines.push(
      el(
        'p',
        null,
        `Correction for transaction ${of.originalTransactionId} (${what(of).trim()}) `,
        of.originalId ? open(of.originalId, 'Open the original alert') : 'the original alert has not arrived',
      ),
    );
  }
  for (const c of n.corrections || []) {
    lines.push(
      el('p', null, `Reversal ${c.reversalId}: ${what(c)}`, open(c.correctionId, 'Open the correction')),
    );
  }
  // The cardholder's replies: both times (alert sent, reply received), how it read, the text as given.
  for (const r of n.replies || []) {
    const reading = r.classification === 'NOT_RECOGNISED' ? `NOT RECOGNISED ("${r.keyword}")` : 'reply';
    lines.push(
      el(
        'p',
        r.classification === 'NOT_RECOGNISED' ? 'reply alarm' : 'reply',
        `Cardholder ${reading} from `,
        phone(r.from),
        ` at ${when(r.receivedAt)} (alert sent ${when(r.alertSentAt)}): `,
        el('q', null, r.text),
      ),
    );
  }
  $('links').replaceChildren(...lines);
  $('links').hidden = lines.length === 0;
}

function render(n) {
  $('detail').hidden = false;
  const title = n.kind === 'CORRECTION' ? 'Correction ' : 'Alert ';
  $('detailTitle').replaceChildren(title, copyable(n.id, 'alert id'), ' ', badge(n));
  show($('why'), whyKind(n), explain(n));
  const facts = [
    ['Transaction', copyable(n.transactionId, 'transaction id')],
    ['Cardholder', copyable(n.cardholderId, 'cardholder id')],
    ['Card', '•• ' + n.cardLast4],
    ['Amount', amount(n)],
    ['Merchant', [n.merchantName, n.merchantCity].filter(Boolean).join(', ')],
    ['Channel', n.channel],
    ['Phone', phone(n.phone, n.purgedAt)],
    ['Contact version', n.contactVersion],
    ['Skip reason', n.skipReason],
    ['Provider', n.provider],
    ['Message id', copyable(n.providerMessageId, 'provider message id')],
    ['Last error', [n.lastErrorCode, n.lastErrorDetail].filter(Boolean).join(' ')],
    ['Authorised', when(n.authorisedAt)],
    ['Received', when(n.receivedAt)],
    ['Deadline', when(n.deadlineAt)],
    ['Final', when(n.finalAt)],
    ['Text', n.purgedAt ? `Purged ${when(n.purgedAt)}: ${n.purgedNotice}` : n.text],
  ];
  // The SMS text gets a row of its own; the other facts sit four to a row. Empty ones (no provider yet, no
  // error) are left out rather than shown blank.
  $('facts').replaceChildren(
    ...facts
      .filter(([, v]) => v !== null && v !== undefined && v !== '')
      .flatMap(([k, v]) => [
        el('dt', k === 'Text' ? 'wide' : null, k),
        el('dd', k === 'Text' ? 'wide' : null, v),
      ]),
  );
  renderLinks(n);
  $('attempts').replaceChildren(
    ...n.attempts.map((a) =>
      row([
        a.attemptNo,
        a.provider,
        a.status,
        el('span', 'mono', a.providerMessageId),
        [a.errorCode, a.errorDetail].filter(Boolean).join(' '),
        // What the phone showed, where it is not the alert's text (a template vendor's signature).
        a.handsetText ?? '',
        when(a.startedAt),
        when(a.finishedAt),
      ]),
    ),
  );
  if (n.attempts.length === 0) {
    const none = el('td', 'muted', 'No attempt: nothing was handed to an SMS provider.');
    none.colSpan = 8;
    $('attempts').append(row([none]));
  }
  // The results row of this alert shows what was just read, not what the search saw.
  const listed = [...$('rows').children].find((tr) => tr.dataset.id === n.id);
  if (listed) listed.replaceWith(resultRow(n, 'open'));
  $('timeline').replaceChildren(...timelineRows(n.timeline));
  $('timelineSummary').textContent = timelineSummary(n.timeline, Boolean(n.finalAt));
  const resend = $('resend');
  resend.hidden = role !== 'supervisor';
  resend.disabled = !RESENDABLE.includes(n.status) || Boolean(n.purgedAt);
  resend.title = n.purgedAt
    ? 'The text was purged after the retention period: nothing to resend'
    : resend.disabled
      ? `Only ${RESENDABLE.join(', ')} alerts can be resent`
      : 'Send this alert again';
}

async function resend() {
  if (!openId || !confirm('Send this alert to the cardholder again?')) return;
  $('resend').disabled = true;
  try {
    const n = await call('POST', `/v1/notifications/${encodeURIComponent(openId)}/resend`);
    show($('detailMsg'), 'ok', `Queued again (${n.status}); it is sent to the contact's current number.`);
  } catch (err) {
    show($('detailMsg'), 'error', err.message);
  }
  await openAlert(openId, true);
}

// A link may carry #key=...&transactionId=... (or cardholderId/cardLast4 with from/to): taken once, then
// removed from the address bar so the key stays in this tab's sessionStorage only.
async function fromFragment() {
  const p = new URLSearchParams(location.hash.slice(1));
  if (location.hash) history.replaceState(null, '', location.pathname + location.search);
  await useKey(p.get('key'));
  for (const mode of ['transactionId', 'cardholderId', 'cardLast4']) {
    if (!p.get(mode)) continue;
    $('mode').value = mode;
    $('value').value = p.get(mode);
    if (p.get('from')) $('from').value = localInput(new Date(p.get('from')));
    if (p.get('to')) $('to').value = localInput(new Date(p.get('to')));
    syncMode();
    await search();
    break;
  }
}

$('from').value = localInput(new Date(Date.now() - 7 * 86400000));
$('to').value = localInput(new Date(Date.now() + 3600000));
syncMode();
$('mode').addEventListener('change', syncMode);
$('keyForm').addEventListener('submit', (e) => {
  e.preventDefault();
  void useKey($('key').value.trim());
  $('key').value = '';
});
$('forget').addEventListener('click', () => {
  sessionStorage.removeItem(KEY);
  void useKey(null);
});
$('searchForm').addEventListener('submit', (e) => {
  e.preventDefault();
  void search();
});
$('more').addEventListener('click', () => void more());
$('resend').addEventListener('click', () => void resend());
$('refresh').addEventListener('click', () => openId && void openAlert(openId));
void fromFragment();
