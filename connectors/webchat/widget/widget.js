// Confluo web chat widget. Embed with:
//   <script src="https://<confluo>/webchat/widget.js" data-account="cha_..." async></script>
// A bubble opens a panel; the visitor's id and token (from POST /webchat/:account/sessions) stay in localStorage so a
// returning visitor continues the conversation. Messages go to the account's gateway URL, replies come from a long
// poll of GET /webchat/:account/messages. No dependencies, no requests to anyone but Confluo, and message text is only
// ever set with textContent.
(function () {
  'use strict';

  var script = document.currentScript || document.querySelector('script[data-account][src*="webchat/widget.js"]');
  if (!script) return;
  var account = script.getAttribute('data-account');
  if (!account || !/^[A-Za-z0-9_-]{1,100}$/.test(account)) {
    if (window.console) console.warn('Confluo web chat: the script tag needs data-account="<channel account id>"');
    return;
  }
  var registry = (window.__confluoWebchat = window.__confluoWebchat || {});
  if (registry[account]) return;
  registry[account] = true;

  // widget.js is served at <confluo>/webchat/widget.js: the API is next to it, whatever path Confluo is mounted on.
  var base = new URL('../', script.src).href;
  var sessionsUrl = base + 'webchat/' + account + '/sessions';
  var messagesUrl = base + 'webchat/' + account + '/messages';
  var inboundUrl = base + 'hooks/channels/' + account;
  var storageKey = 'confluo-webchat:' + account;
  var MAX_TEXT = 4000;

  // ---- storage (localStorage may be unavailable: private modes, blocked storage; then it lasts as long as the page) ----
  var memory = (function () {
    try {
      return JSON.parse(window.localStorage.getItem(storageKey) || 'null') || {};
    } catch (e) {
      return {};
    }
  })();
  function stored() {
    return memory;
  }
  function save(patch) {
    for (var k in patch) memory[k] = patch[k];
    try {
      window.localStorage.setItem(storageKey, JSON.stringify(memory));
    } catch (e) {
      /* kept in memory only */
    }
  }

  function randomId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (b) {
        return ('0' + b.toString(16)).slice(-2);
      })
      .join('');
  }
  function wait(ms) {
    return new Promise(function (resolve) {
      setTimeout(resolve, ms);
    });
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // ---- DOM, in a shadow root so the site's styles and ours do not mix ----
  var host = el('div', { id: 'confluo-webchat-' + account });
  var root = host.attachShadow ? host.attachShadow({ mode: 'open' }) : host;
  var css = [
    ':host{all:initial}',
    '*{box-sizing:border-box;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}',
    '.bubble{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;border:0;cursor:pointer;',
    'background:var(--cw-color);color:#fff;box-shadow:0 4px 14px rgba(0,0,0,.25);z-index:2147483000;display:flex;align-items:center;justify-content:center}',
    '.bubble svg{width:26px;height:26px;fill:currentColor}',
    '.dot{position:absolute;top:4px;right:4px;width:12px;height:12px;border-radius:50%;background:#ef4444;border:2px solid #fff}',
    '.panel{position:fixed;right:20px;bottom:88px;width:min(360px,calc(100vw - 40px));height:min(520px,calc(100vh - 120px));',
    'background:#fff;color:#111827;border-radius:12px;box-shadow:0 10px 30px rgba(0,0,0,.25);z-index:2147483000;display:flex;flex-direction:column;overflow:hidden}',
    '[hidden]{display:none!important}',
    '.header{background:var(--cw-color);color:#fff;padding:12px 14px;display:flex;align-items:center;justify-content:space-between}',
    '.title{font-weight:600;font-size:15px}',
    '.close{background:none;border:0;color:#fff;font-size:22px;line-height:1;cursor:pointer;padding:0 4px}',
    '.log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:6px;background:#f9fafb}',
    '.msg{max-width:80%;padding:8px 11px;border-radius:14px;white-space:pre-wrap;overflow-wrap:anywhere}',
    '.msg.out{align-self:flex-start;background:#fff;border:1px solid #e5e7eb}',
    '.msg.in{align-self:flex-end;background:var(--cw-color);color:#fff}',
    '.msg.pending{opacity:.6}',
    '.msg.failed{background:#fee2e2;color:#991b1b;cursor:pointer}',
    '.status{padding:6px 12px;font-size:12px;color:#6b7280;background:#f3f4f6}',
    'form{border-top:1px solid #e5e7eb;padding:8px;display:flex;flex-direction:column;gap:6px}',
    '.who{display:flex;gap:6px}',
    'input,textarea{width:100%;border:1px solid #d1d5db;border-radius:8px;padding:7px 9px;color:#111827;background:#fff}',
    '.row{display:flex;gap:6px;align-items:flex-end}',
    'textarea{resize:none;height:40px;max-height:120px}',
    '.send{border:0;border-radius:8px;padding:0 14px;height:40px;background:var(--cw-color);color:#fff;cursor:pointer;font-weight:600}',
  ].join('');
  if (
    root.adoptedStyleSheets !== undefined &&
    typeof CSSStyleSheet === 'function' &&
    'replaceSync' in CSSStyleSheet.prototype
  ) {
    // Constructed style sheets pass a site's CSP that forbids inline <style>.
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } else {
    root.appendChild(el('style', {}, css));
  }
  host.style.setProperty('--cw-color', '#2563eb');

  var bubble = el('button', {
    type: 'button',
    class: 'bubble',
    part: 'bubble',
    'aria-label': 'Open chat',
    'aria-expanded': 'false',
  });
  var svgNs = 'http://www.w3.org/2000/svg';
  var icon = document.createElementNS(svgNs, 'svg');
  icon.setAttribute('viewBox', '0 0 24 24');
  icon.setAttribute('aria-hidden', 'true');
  var path = document.createElementNS(svgNs, 'path');
  path.setAttribute('d', 'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z');
  icon.appendChild(path);
  bubble.appendChild(icon);
  var dot = el('span', { class: 'dot', hidden: '' });
  bubble.appendChild(dot);

  var panel = el('div', { class: 'panel', part: 'panel', role: 'dialog', 'aria-label': 'Chat', hidden: '' });
  var header = el('div', { class: 'header' });
  var title = el('span', { class: 'title' }, 'Chat');
  var close = el('button', { type: 'button', class: 'close', 'aria-label': 'Close chat' }, '\u00d7');
  header.appendChild(title);
  header.appendChild(close);
  var log = el('div', { class: 'log', role: 'log', 'aria-live': 'polite' });
  var status = el('div', { class: 'status', role: 'status', hidden: '' });
  var form = el('form', { novalidate: '' });
  var who = el('div', { class: 'who' });
  var nameInput = el('input', {
    name: 'name',
    type: 'text',
    maxlength: '200',
    autocomplete: 'name',
    placeholder: 'Your name (optional)',
    'aria-label': 'Your name',
  });
  var emailInput = el('input', {
    name: 'email',
    type: 'email',
    maxlength: '254',
    autocomplete: 'email',
    placeholder: 'Your email (optional)',
    'aria-label': 'Your email',
  });
  who.appendChild(nameInput);
  who.appendChild(emailInput);
  var row = el('div', { class: 'row' });
  var input = el('textarea', {
    name: 'message',
    rows: '1',
    maxlength: String(MAX_TEXT),
    placeholder: 'Write a message\u2026',
    'aria-label': 'Message',
  });
  var send = el('button', { type: 'submit', class: 'send' }, 'Send');
  row.appendChild(input);
  row.appendChild(send);
  form.appendChild(who);
  form.appendChild(row);
  panel.appendChild(header);
  panel.appendChild(log);
  panel.appendChild(status);
  panel.appendChild(form);
  root.appendChild(bubble);
  root.appendChild(panel);

  var profile = stored();
  if (profile.name) nameInput.value = profile.name;
  if (profile.email) emailInput.value = profile.email;
  if (profile.wrote) who.hidden = true;

  // ---- state ----
  var session = null; // { visitorId, token }
  var started = null; // the start() promise
  var cursor = null;
  var known = {}; // message ids rendered
  var mine = {}; // clientMessageId -> element, for the visitor's own messages

  function setStatus(text) {
    status.textContent = text || '';
    status.hidden = !text;
  }

  function bubbleFor(direction, text, extraClass) {
    var m = el(
      'div',
      { class: 'msg ' + direction + (extraClass ? ' ' + extraClass : ''), part: 'message ' + direction },
      text,
    );
    log.appendChild(m);
    log.scrollTop = log.scrollHeight;
    return m;
  }

  function render(message) {
    if (known[message.id]) return;
    known[message.id] = true;
    if (message.direction === 'in' && message.clientMessageId && mine[message.clientMessageId]) {
      mine[message.clientMessageId].classList.remove('pending', 'failed');
      return;
    }
    var m = bubbleFor(message.direction, message.text || '');
    m.setAttribute('data-id', message.id);
    if (message.direction === 'out' && panel.hidden) dot.hidden = false;
  }

  function request(url, init, timeoutMs) {
    var controller = typeof AbortController === 'function' ? new AbortController() : null;
    var timer = controller
      ? setTimeout(function () {
          controller.abort();
        }, timeoutMs || 15000)
      : null;
    var options = init || {};
    if (controller) options.signal = controller.signal;
    options.credentials = 'omit';
    return fetch(url, options).then(
      function (res) {
        clearTimeout(timer);
        return res;
      },
      function (err) {
        clearTimeout(timer);
        throw err;
      },
    );
  }

  function postJson(url, body) {
    // text/plain keeps it a "simple" cross-origin request: no preflight.
    return request(url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify(body),
    });
  }

  function applyConfig(config) {
    if (!config) return;
    title.textContent = config.title || 'Chat';
    panel.setAttribute('aria-label', config.title || 'Chat');
    if (/^#[0-9a-fA-F]{6}$/.test(config.color || '')) host.style.setProperty('--cw-color', config.color);
    if (config.greeting && !log.querySelector('.greeting')) {
      var g = el('div', { class: 'msg out greeting', part: 'message out greeting' }, config.greeting);
      log.insertBefore(g, log.firstChild);
    }
  }

  async function openSession() {
    var saved = stored();
    if (saved.visitorId && saved.token) {
      var again = await postJson(sessionsUrl, { visitorId: saved.visitorId, token: saved.token });
      if (again.ok) return again.json();
      if (again.status !== 401) throw new Error('session ' + again.status);
      save({ visitorId: null, token: null, wrote: false }); // the account's secret changed: start over
    }
    var res = await postJson(sessionsUrl, {});
    if (!res.ok) throw new Error('session ' + res.status);
    return res.json();
  }

  async function start() {
    for (var delay = 1000; ; delay = Math.min(delay * 2, 30000)) {
      try {
        var s = await openSession();
        session = { visitorId: s.visitorId, token: s.token };
        save(session);
        applyConfig(s.config);
        setStatus('');
        break;
      } catch (e) {
        setStatus('Connecting\u2026');
        await wait(delay);
      }
    }
    poll();
  }

  async function poll() {
    for (var delay = 1000; ;) {
      var q = new URLSearchParams({ visitorId: session.visitorId, token: session.token });
      if (cursor) {
        q.set('after', cursor);
        q.set('wait', '25');
      }
      try {
        var res = await request(messagesUrl + '?' + q.toString(), { method: 'GET' }, 40000);
        if (res.status === 401) {
          save({ visitorId: null, token: null });
          session = null;
          cursor = null;
          started = start();
          return;
        }
        if (!res.ok) throw new Error('messages ' + res.status);
        var data = await res.json();
        data.messages.forEach(render);
        cursor = data.cursor;
        delay = 1000;
        setStatus('');
      } catch (e) {
        setStatus('Reconnecting\u2026');
        await wait(delay);
        delay = Math.min(delay * 2, 30000);
      }
    }
  }

  function ensureStarted() {
    if (!started) started = start();
    return started;
  }

  async function deliver(body, m) {
    m.classList.add('pending');
    m.classList.remove('failed');
    m.removeAttribute('title');
    // The same clientMessageId on every attempt: the gateway records the message once.
    for (var attempt = 0; attempt < 5; attempt++) {
      if (attempt > 0) await wait(1000 * Math.pow(2, attempt - 1));
      try {
        var res = await postJson(inboundUrl, body);
        if (res.ok) {
          m.classList.remove('pending');
          return;
        }
      } catch (e) {
        /* network error, or an error answer this page may not read: try again */
      }
    }
    m.classList.remove('pending');
    m.classList.add('failed');
    m.setAttribute('title', 'Not sent. Click to try again.');
    m.onclick = function () {
      m.onclick = null;
      deliver(body, m);
    };
  }

  async function submit() {
    var text = input.value.replace(/\s+$/, '');
    if (!text.trim()) return;
    var email = emailInput.value.trim();
    if (email && !emailInput.checkValidity()) {
      setStatus('Please check your email address.');
      emailInput.focus();
      return;
    }
    var name = nameInput.value.trim();
    input.value = '';
    save({ name: name, email: email, wrote: true });
    who.hidden = true;
    var clientMessageId = randomId();
    var m = bubbleFor('in', text, 'pending');
    mine[clientMessageId] = m;
    await ensureStarted();
    while (!session) await wait(200);
    var body = {
      visitorId: session.visitorId,
      token: session.token,
      text: text,
      clientMessageId: clientMessageId,
      page: String(window.location.href).slice(0, 2000),
    };
    if (name) body.name = name;
    if (email) body.email = email;
    deliver(body, m);
  }

  function setOpen(open) {
    panel.hidden = !open;
    bubble.setAttribute('aria-expanded', String(open));
    bubble.setAttribute('aria-label', open ? 'Close chat' : 'Open chat');
    try {
      window.sessionStorage.setItem(storageKey + ':open', open ? '1' : '');
    } catch (e) {
      /* ignore */
    }
    if (open) {
      dot.hidden = true;
      ensureStarted();
      input.focus();
    }
  }

  bubble.addEventListener('click', function () {
    setOpen(panel.hidden);
  });
  close.addEventListener('click', function () {
    setOpen(false);
  });
  panel.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') setOpen(false);
  });
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    submit();
  });
  input.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    }
  });

  function mount() {
    document.body.appendChild(host);
    var wasOpen = false;
    try {
      wasOpen = window.sessionStorage.getItem(storageKey + ':open') === '1';
    } catch (e) {
      /* ignore */
    }
    if (wasOpen) setOpen(true);
  }
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
