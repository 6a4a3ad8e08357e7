'use strict';
// How values are shown: every value from the API goes on the page as a text node (textContent), never as
// markup. Uses the plain words of console.explain.js; console.js holds the state and the API calls.

function el(tag, cls, ...children) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  for (const c of children) node.append(c instanceof Node ? c : String(c ?? ''));
  return node;
}
function show(box, kind, text) {
  box.hidden = !text;
  box.className = 'msg ' + kind;
  box.textContent = text || '';
}
function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
function amount(n) {
  try {
    const digits = new Intl.NumberFormat('en', {
      style: 'currency',
      currency: n.currency,
    }).resolvedOptions().maximumFractionDigits;
    return `${n.currency} ${(n.amountMinor / 10 ** digits).toFixed(digits)}`;
  } catch {
    return `${n.currency} ${n.amountMinor} (minor units)`;
  }
}
function badge(n) {
  const b = el('span', null, el('span', 'badge ' + n.status, n.status));
  if (n.overdue) b.append(el('span', 'badge OVERDUE', 'OVERDUE'));
  return b;
}
function row(cells, cls) {
  const tr = el('tr', cls);
  for (const c of cells) tr.append(c instanceof HTMLTableCellElement ? c : el('td', null, c));
  return tr;
}
// An id with a button that puts it on the clipboard (to paste into a ticket or a chat with the bank).
function copyable(text, what) {
  if (!text) return '';
  const button = el('button', 'copy secondary', 'Copy');
  button.type = 'button';
  button.title = `Copy the ${what}`;
  button.setAttribute('aria-label', `Copy ${what}`);
  button.addEventListener('click', (e) => {
    e.stopPropagation(); // inside a result row, a click would otherwise open the alert
    void copyText(text).then(
      () => flash(button, 'Copied'),
      () => flash(button, 'Select and copy'),
    );
  });
  return el('span', 'copyable', el('span', 'mono', text), button);
}
async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
  throw new Error('no clipboard on a plain-http page');
}
function flash(button, text) {
  button.textContent = text;
  setTimeout(() => (button.textContent = 'Copy'), 1500);
}
// The API masks the number for support keys; say so, so nobody reads the stars as a broken number.
// After the retention period the number and text are gone for good; say so rather than show a blank.
function phone(value, purgedAt) {
  if (purgedAt) return el('span', 'tag masked', 'purged');
  if (!value || !value.includes('*')) return el('span', 'mono', value);
  const tag = el('span', 'tag masked', 'masked');
  tag.title = 'Support keys see the number masked; a supervisor key shows it whole.';
  return el('span', 'phone', el('span', 'mono', value), tag);
}
function shortWhy(n) {
  if (n.skipReason) return SKIP_WHY[n.skipReason] ?? n.skipReason;
  if (n.overdue) return 'no delivery receipt in time';
  return ['DELIVERED', 'SENT', 'SENDING'].includes(n.status) ? '' : errorWhy(n.lastErrorCode, n.provider);
}

/** "850 ms", "4.2 s", "3 min 05 s", "2 h 10 min". */
function duration(ms) {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

const WHY_KIND = {
  DELIVERED: 'ok',
  SKIPPED: 'warn',
  UNDELIVERED: 'error',
  FAILED: 'error',
  EXPIRED: 'error',
};
function whyKind(n) {
  return n.overdue ? 'warn' : (WHY_KIND[n.status] ?? 'info');
}

// Steps are listed in the order they were recorded. A delivery receipt can reach the api before the
// dispatcher recorded SENT, so a step may be dated before the one above it: shown as such, not as +0.
function gapText(ms) {
  return ms < 0 ? `${duration(-ms)} earlier` : '+' + duration(ms);
}
const EARLIER = 'Dated before the step above: this answer came in before that step was recorded.';

// Each step with the time since the one before, so "where did the 40 seconds go" is read off at a glance.
function timelineRows(events) {
  return events.map((e, i) => {
    const ms = i === 0 ? 0 : new Date(e.at) - new Date(events[i - 1].at);
    const gap = el('td', 'nowrap gap', i === 0 ? 'start' : gapText(ms));
    if (ms < 0) gap.title = EARLIER;
    const what = el(
      'td',
      null,
      el('strong', null, EVENT_LABEL[e.type] ?? e.type),
      ' ',
      el('span', 'code', e.type),
    );
    const detail = [
      e.status && e.status !== e.type ? e.status : '',
      e.provider,
      e.errorCode ? errorWhy(e.errorCode, e.provider) : '',
      e.type === 'SKIPPED' && SKIP_WHY[e.detail] ? `${SKIP_WHY[e.detail]} (${e.detail})` : e.detail,
    ];
    return row([el('td', 'nowrap', when(e.at)), gap, what, detail.filter(Boolean).join(' · ')]);
  });
}
function timelineSummary(events, final) {
  if (events.length < 2) return '';
  const first = events[0];
  const last = events[events.length - 1];
  const took = duration(new Date(last.at) - new Date(first.at));
  const text = `${EVENT_LABEL[first.type] ?? first.type} → ${EVENT_LABEL[last.type] ?? last.type}: ${took}`;
  // Not final yet (queued, sent, overdue): how long it has been waiting is what the caller asks about.
  return final ? text : `${text}; nothing since, for ${duration(Date.now() - new Date(last.at))}`;
}
