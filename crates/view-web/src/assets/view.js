// The web view: applies the host's patches to the DOM and reports what the user does.
// Rendering, diffing and event propagation all happen in the host; this page only mirrors the
// tree it is sent and tells the host which node an event hit.
(function () {
  'use strict';
  var PROTOCOL = 1;
  var screen = document.getElementById('capsule-screen');
  var pagesEl = document.getElementById('capsule-pages');
  var titleEl = document.getElementById('capsule-nav-title');
  var backEl = document.getElementById('capsule-nav-back');
  var navEl = document.getElementById('capsule-nav');
  var tabBarEl = document.getElementById('capsule-tabbar');
  var statusEl = document.getElementById('capsule-connection');
  var socket = null;
  var retry = 200;
  var app = { css: '', tabBar: null, window: {} };
  var pages = [];          // [{id, route, el, nodes: Map, window}], every live page
  var stack = [];          // page ids on the stack, bottom first; the last is shown
  var byId = new Map();    // page id -> page
  // This run's secret, which the host wants with a person's answers (prompts, settings,
  // device sheets) and the simulator's own controls; the page carries it, no other origin
  // can read it.
  var SECRET = (document.querySelector('meta[name="capsule-secret"]') || {}).content || '';
  function hostFetch(path, options) {
    options = options || {};
    options.headers = Object.assign({ 'X-Capsule-Secret': SECRET }, options.headers || {});
    return fetch(path, options);
  }
  function answerHost(path, body) { return hostFetch(path, { method: 'POST', body: JSON.stringify(body) }); }

  // ---- connection --------------------------------------------------------------------
  function connect() {
    var ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws');
    socket = ws;
    ws.onopen = function () { retry = 200; statusEl.textContent = ''; statusEl.className = ''; };
    ws.onmessage = function (e) {
      var msg;
      try { msg = JSON.parse(e.data); } catch (err) { return; }
      if (msg.v !== PROTOCOL) return;
      handle(msg);
    };
    ws.onclose = function () {
      statusEl.textContent = 'reconnecting…';
      statusEl.className = 'down';
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 5000);
    };
  }
  function send(msg) {
    msg.v = PROTOCOL;
    if (socket && socket.readyState === 1) socket.send(JSON.stringify(msg));
  }
  window.__capsule = { send: send, pages: function () { return pages; }, stack: function () { return stack; } };

  function handle(msg) {
    switch (msg.type) {
      case 'reset':
        overlayEl.className = '';
        pages.slice().forEach(function (p) { closePage(p.id); });
        stack = [];
        app.css = msg.appCss || '';
        app.tabBar = msg.tabBar || null;
        app.window = msg.window || {};
                app.components = msg.components || {};
        app.pageCss = msg.pageCss || {};
        app.sheets = new Map();
        setCss('app', app.css);
        renderTabBar();
        break;
      case 'page': openPage(msg); break;
      case 'patches': {
        var page = byId.get(msg.page);
        if (page) msg.patches.forEach(function (p) { applyPatch(page, p); });
        break;
      }
      case 'close': closePage(msg.page); break;
      case 'stack': stack = msg.pages.slice(); showTop(); break;
      case 'window': {
        var p2 = byId.get(msg.page);
        if (p2) { Object.assign(p2.window, msg.window); if (p2 === top()) showChrome(p2); }
        break;
      }
      case 'toast': showToast(msg); break;
      case 'modal': showModal(msg); break;
      case 'actionSheet': showActionSheet(msg); break;
      case 'prompt': showPrompt(msg); break;
      case 'settings': showSettings(msg); break;
      case 'stopPullDownRefresh': stopRefresh(); break;
      case 'tabBar': app.tabBar = msg.tabBar; renderTabBar(); break;
      case 'pageScrollTo': pageScrollTo(msg); break;
      case 'previewImage': previewImage(msg); break;
      case 'observe': observe(msg); break;
      case 'disconnect': unobserve(msg.observer); break;
            case 'webViewAnswer': webViewAnswer(msg); break;
            case 'videoControl': videoControl(msg); break;
            case 'loadFontFace': loadFontFace(msg); break;
            case 'audio': audioOf(msg.seq); if (msg.set) audioControl({ audio: msg.seq, action: 'set', args: [msg.set] }); break;
      case 'audioControl': audioControl(msg); break;
      case 'device': deviceRequest(msg); break;
      case 'overlay': overlayEl.querySelector('pre').textContent = msg.text || ''; overlayEl.className = 'show'; break;
            case 'vibrate': vibrate(msg.duration); break;
      case 'deviceProfile': {
        var root = document.documentElement.style;
        root.setProperty('--device-width', msg.width + 'px');
        root.setProperty('--device-height', msg.height + 'px');
        root.setProperty('--status-height', msg.statusBar + 'px');
        root.setProperty('--safe-bottom', msg.safeBottom + 'px');
        break;
      }
      case 'selectorQuery': send({ type: 'selectorQueryAnswer', seq: msg.seq, results: selectorQuery(msg) }); break;
    }
  }

  // ---- styles --------------------------------------------------------------------------
  function setCss(key, css) {
    var id = 'css-' + key;
    var el = document.getElementById(id);
    if (!css) { if (el) el.remove(); return; }
    if (!el) { el = document.createElement('style'); el.id = id; document.head.appendChild(el); }
    el.textContent = css;
  }

  // ---- pages ---------------------------------------------------------------------------
  function top() { return byId.get(stack[stack.length - 1]); }
  function openPage(msg) {
    if (byId.has(msg.page)) closePage(msg.page);
    var el = document.createElement('wx-page');
    el.setAttribute('data-route', msg.route);
    var page = { id: msg.page, route: msg.route, el: el, nodes: new Map(), window: msg.window || {} };
    byId.set(msg.page, page);
    pages.push(page);
    if (stack.indexOf(msg.page) < 0) stack.push(msg.page);
    setCss('page-' + msg.page, msg.css || '');
    pagesEl.appendChild(el);
    if (msg.snapshot && msg.snapshot.tree) buildSnapshot(page, msg.snapshot.tree);
    showTop();
  }
  function closePage(id) {
    var page = byId.get(id);
    if (!page) return;
    byId.delete(id);
    pages.splice(pages.indexOf(page), 1);
    if (stack.indexOf(id) >= 0) stack.splice(stack.indexOf(id), 1);
    page.el.remove();
    observers.forEach(function (o, seq) { if (o.page === id) unobserve(seq); });
    setCss('page-' + id, '');
    showTop();
  }
  function showTop() {
    var t = top();
    pages.forEach(function (p) { p.el.style.display = p === t ? '' : 'none'; });
    if (t) { showChrome(t); renderTabBar(); }
  }
  function showChrome(page) {
    var w = page.window;
    titleEl.textContent = w.navigationBarTitleText || '';
    titleEl.classList.toggle('loading', !!w.navigationBarLoading);
    navEl.style.background = w.navigationBarBackgroundColor || '#000000';
    navEl.style.color = w.navigationBarTextStyle === 'black' ? '#000' : '#fff';
    navEl.style.display = w.navigationStyle === 'custom' ? 'none' : '';
    backEl.style.visibility = stack.length > 1 ? 'visible' : 'hidden';
    screen.style.background = w.backgroundColor || '';
  }
  backEl.addEventListener('click', function () { send({ type: 'navigate', kind: 'navigateBack', url: '1' }); });

  function renderTabBar() {
    var bar = app.tabBar;
    var t = top();
    var onTab = bar && t && bar.list.some(function (i) { return i.pagePath === t.route; });
    tabBarEl.style.display = onTab && !bar.hidden ? '' : 'none';
    if (!onTab) return;
    tabBarEl.innerHTML = '';
    tabBarEl.style.background = bar.backgroundColor || '#fff';
    tabBarEl.style.borderTopColor = bar.borderStyle === 'white' ? 'rgba(255,255,255,.3)' : '';
    bar.list.forEach(function (item, index) {
      var b = document.createElement('div');
      b.className = 'tab' + (item.pagePath === t.route ? ' selected' : '');
      b.style.color = item.pagePath === t.route ? (bar.selectedColor || '#07c160') : (bar.color || '#7a7e83');
      if (item.iconPath) {
        var img = document.createElement('img');
        img.src = '/pkg/' + (item.pagePath === t.route && item.selectedIconPath ? item.selectedIconPath : item.iconPath);
        b.appendChild(img);
      }
      var label = document.createElement('span');
      label.textContent = item.text;
      b.appendChild(label);
      if (item.badge != null || item.redDot) {
        var mark = document.createElement('em');
        mark.className = item.badge != null ? 'badge' : 'red-dot';
        mark.textContent = item.badge != null ? item.badge : '';
        b.appendChild(mark);
      }
      b.addEventListener('click', function () {
        if (item.pagePath === t.route) {
          send({ type: 'pageEvent', page: t.id, hook: 'onTabItemTap', arg: { index: index, pagePath: item.pagePath, text: item.text } });
        } else {
          send({ type: 'navigate', kind: 'switchTab', url: '/' + item.pagePath });
        }
      });
      tabBarEl.appendChild(b);
    });
  }

  // ---- tree ----------------------------------------------------------------------------
  var BUILTIN = ['view', 'text', 'image', 'button', 'input', 'textarea', 'navigator', 'scroll-view', 'swiper',
    'swiper-item', 'icon', 'progress', 'rich-text', 'checkbox', 'checkbox-group', 'radio', 'radio-group', 'switch',
    'slider', 'picker', 'picker-view', 'picker-view-column', 'form', 'label', 'movable-area', 'movable-view',
    'cover-view', 'cover-image', 'web-view', 'map', 'canvas', 'video', 'audio', 'camera', 'slot', 'block'];
  function elementFor(tag) {
    if (tag === 'slot') return document.createElement('slot');
    return document.createElement(BUILTIN.indexOf(tag) >= 0 ? 'wx-' + tag : tag);
  }
  function create(page, id, tag, attrs, listeners) {
    if (tag === SHADOW_ROOT) {
      // Becomes a real shadow root when it is put in its component's element.
      var pending = { __capsule: { id: id, tag: tag, listeners: [], page: page, attrs: {} }, __pendingShadow: true };
      (attrs || []).forEach(function (pair) { pending.__capsule.attrs[pair[0]] = pair[1]; });
      page.nodes.set(id, pending);
      return pending;
    }
    var el = elementFor(tag);
    el.__capsule = { id: id, tag: tag, listeners: listeners || [], page: page };
    page.nodes.set(id, el);
    setup(el);
    (attrs || []).forEach(function (pair) { setAttr(el, pair[0], pair[1]); });
    return el;
  }
  function buildSnapshot(page, node) {
    // The root node is the page element itself.
    page.nodes.set(node.id, page.el);
    page.el.__capsule = { id: node.id, tag: 'page', listeners: [], page: page };
    (node.children || []).forEach(function (c) { page.el.appendChild(build(page, c)); });
  }
  function build(page, node) {
    if (node.text !== undefined && node.text !== null) {
      var t = document.createTextNode(node.text);
      page.nodes.set(node.id, t);
      return t;
    }
    var el = create(page, node.id, node.tag, node.attrs, node.listeners);
    (node.children || []).forEach(function (c) {
      if (c.tag === SHADOW_ROOT) {
        el = hostable(page, el);
        var root = attachShadow(page, el, create(page, c.id, c.tag, c.attrs, []));
        (c.children || []).forEach(function (g) { root.appendChild(build(page, g)); });
        return;
      }
      var child = build(page, c); contentOf(el).appendChild(child); decodeIn(child);
    });
    afterChildren(el);
    return el;
  }
  // Where a component's children go (a button's label, a scroll-view's content).
  function contentOf(el) { return el.__content || el; }
  function applyPatch(page, p) {
    var n = page.nodes;
    switch (p.op) {
      case 'create': create(page, p.id, p.tag, p.attrs, p.listeners); break;
      case 'createText': { var t = document.createTextNode(p.text); n.set(p.id, t); break; }
      case 'insert':
      case 'move': {
        var node = n.get(p.id), parent = n.get(p.parent);
        if (!node || !parent) break;
        if (node.__pendingShadow) { attachShadow(page, hostable(page, parent), node); break; }
        var before = p.before != null ? n.get(p.before) : null;
        var host = contentOf(parent);
        if (before && before.parentNode === host) host.insertBefore(node, before); else host.appendChild(node);
        decodeIn(node);
        afterChildren(parent);
        break;
      }
      case 'remove': {
        var gone = n.get(p.id);
        if (gone) { forget(page, gone); if (gone.parentNode) gone.parentNode.removeChild(gone); }
        break;
      }
      case 'setAttr': {
        var el = n.get(p.id);
        if (el && el.__capsule && el.__capsule.tag === SHADOW_ROOT) { el.__capsule.attrs[p.name] = p.value; adoptStyles(el); }
        else if (el) setAttr(el, p.name, p.value);
        break;
      }
      case 'setText': { var tn = n.get(p.id); if (tn) { tn.data = p.text; decodeIn(tn); } break; }
      case 'setListeners': { var le = n.get(p.id); if (le && le.__capsule) le.__capsule.listeners = p.listeners; break; }
      case 'snapshot': {
        page.el.innerHTML = '';
        page.nodes.clear();
        buildSnapshot(page, p.tree);
        break;
      }
    }
  }
  // `<text decode>` shows entities in bound text as characters.
  var ENTITIES = { '&nbsp;': '\u00a0', '&ensp;': '\u2002', '&emsp;': '\u2003', '&lt;': '<', '&gt;': '>', '&amp;': '&', '&apos;': "'", '&quot;': '"' };
  function decodeIn(node) {
    var parent = node && node.parentNode;
    if (node && node.nodeType === 3 && parent && parent.__capsule && parent.__capsule.tag === 'text' && truthy(attr(parent, 'decode', false))) {
      var decoded = node.data.replace(/&(nbsp|ensp|emsp|lt|gt|amp|apos|quot);/g, function (e) { return ENTITIES[e]; });
      if (decoded !== node.data) node.data = decoded;
    }
  }
  function forget(page, node) {
    if (node.__capsule) page.nodes.delete(node.__capsule.id);
    if (node.shadowRoot) forget(page, node.shadowRoot);
    if (node.childNodes) for (var i = 0; i < node.childNodes.length; i++) forget(page, node.childNodes[i]);
  }

  // ---- custom components ---------------------------------------------------------------------
  // A component renders into an open shadow root of its element: its styles stay inside it
  // (with the built-in components' own styles, and the app's when its isolation allows), the
  // page's stay outside, and `<slot>` shows what the page put in the element.
  var SHADOW_ROOT = '#shadow-root';
  // Only elements with a custom-element name can hold a shadow root: a component written as
  // `<card>` gets the element `wx-card` (its attributes and content come along).
  function hostable(page, el) {
    if (/^[a-z][a-z0-9._]*-[a-z0-9._-]*$/.test(el.localName) && !el.localName.startsWith('wx-')) return el;
    if (el.localName.startsWith('wx-') && BUILTIN.indexOf(el.__capsule.tag) < 0) return el;
    var n = document.createElement('wx-' + el.__capsule.tag.replace(/[^a-z0-9._-]/gi, '').toLowerCase());
    Array.prototype.forEach.call(el.attributes, function (a) { n.setAttribute(a.name, a.value); });
    while (el.firstChild) n.appendChild(el.firstChild);
    n.__capsule = el.__capsule;
    page.nodes.set(el.__capsule.id, n);
    if (el.parentNode) el.parentNode.replaceChild(n, el);
    return n;
  }
  function attachShadow(page, host, pending) {
    var info = pending.__capsule;
    var root;
    try { root = host.shadowRoot || host.attachShadow({ mode: 'open' }); } catch (e) {
      // A tag that cannot hold a shadow root: the component renders in the element itself.
      root = host;
    }
    if (root !== host) root.__capsule = info;
    page.nodes.set(info.id, root);
    adoptStyles(root);
    return root;
  }
  var baseSheet = null;
  function sheetOf(key, css) {
    var sheet = app.sheets.get(key);
    if (!sheet) {
      sheet = new CSSStyleSheet();
      try { sheet.replaceSync(css || ''); } catch (e) { console.error('component style ' + key + ': ' + e); }
      app.sheets.set(key, sheet);
    }
    return sheet;
  }
  function adoptStyles(root) {
    if (!root.adoptedStyleSheets || !root.__capsule) return;
    if (!baseSheet) {
      baseSheet = new CSSStyleSheet();
      var own = Array.prototype.find.call(document.styleSheets, function (s) { return /\/capsule\/view\.css$/.test(s.href || ''); });
      var text = own ? Array.prototype.map.call(own.cssRules, function (r) { return r.cssText; }).join('\n') : '';
      baseSheet.replaceSync(text);
    }
    var attrs = root.__capsule.attrs || {};
    var path = String(attrs.component || '');
    var comp = app.components[path] || {};
    var words = String(attrs.isolation || '').split(/\s+/).filter(Boolean);
    var isolation = words.filter(function (w) { return w !== 'virtual-host'; })[0] || comp.isolation || 'isolated';
    if (root.host && words.indexOf('virtual-host') >= 0) root.host.style.display = 'contents';
    var sheets = [baseSheet];
        if (isolation === 'apply-shared' || isolation === 'shared') sheets.push(sheetOf('app', app.css));
    sheets.push(sheetOf('component:' + path, comp.css));
    var external = String(attrs.external || '').split(/\s+/).filter(Boolean);
    if (external.length && attrs.owner) sheets.push(externalSheet(String(attrs.owner), external));
    root.adoptedStyleSheets = sheets;
  }
    // The owner's rules for the classes it passed as external classes: only those rules, so
  // the owner's other rules still stop at the shadow root.
  function externalSheet(owner, names) {
    var key = 'external:' + owner + ':' + names.join(' ');
    var cached = app.sheets.get(key);
    if (cached) return cached;
    var css = owner.indexOf('page:') === 0 ? app.pageCss[owner.slice(5)] : (app.components[owner.slice(10)] || {}).css;
    var source = new CSSStyleSheet();
    try { source.replaceSync(css || ''); } catch (e) { /* reported when the sheet was built */ }
    var wanted = names.map(function (n) { return new RegExp('\\.' + n.replace(/[^\w-]/g, '\\$&') + '(?![\\w-])'); });
    var kept = Array.prototype.filter.call(source.cssRules, function (r) {
      return r.selectorText && wanted.some(function (w) { return w.test(r.selectorText); });
    }).map(function (r) { return r.cssText; });
    return sheetOf(key, kept.join('\n'));
  }
  // The parent of a node as events see it: a shadow root leads to its component's element.
  function up(n) { return n instanceof ShadowRoot ? n.host : n.parentNode; }
  // Where a pointer event really happened: inside components too.
  function origin(e) { var path = e.composedPath ? e.composedPath() : []; return path[0] || e.target; }

  // ---- attributes and components ---------------------------------------------------------
  function rpxToCss(text) {
    return String(text).replace(/(-?\d*\.?\d+)rpx/gi, function (_, n) { return 'calc(' + n + ' * var(--rpx))'; });
  }
  function truthy(v) { return !(v === false || v === null || v === undefined || v === 'false' || v === 0 || v === ''); }
  function asText(v) { return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v); }
  function resolveSrc(el, src) {
    src = String(src || '');
    if (/^(https?:|data:|blob:)/.test(src)) return src;
    // The app's own files (a chosen image, a download) come from the host.
    if (/^wxfile:\/\//.test(src)) return '/capsule-files/' + encodeURIComponent(src);
    if (src.charAt(0) === '/') return '/pkg' + src;
    var route = el.__capsule && el.__capsule.page ? el.__capsule.page.route : '';
    var dir = route.split('/').slice(0, -1);
    src.split('/').forEach(function (part) {
      if (part === '..') dir.pop(); else if (part && part !== '.') dir.push(part);
    });
    return '/pkg/' + dir.join('/');
  }
  function setAttr(el, name, value) {
    if (!el.__capsule) return;
    el.__capsule.attrs = el.__capsule.attrs || {};
    el.__capsule.attrs[name] = value;
    var tag = el.__capsule.tag;
    if (value === null || value === undefined) { el.removeAttribute(name); update(el, tag, name, value); return; }
    if (name === 'animation') { animate(el, value); return; }
    if (name === 'style') el.setAttribute('style', rpxToCss(value));
    else if (name === 'hidden') { if (truthy(value)) el.setAttribute('hidden', ''); else el.removeAttribute('hidden'); }
    else if (/^[a-zA-Z_][\w:.-]*$/.test(name)) el.setAttribute(name, asText(value));
    update(el, tag, name, value);
  }

  // Built-in components: their inner parts and what attributes do to them.
  function setup(el) {
    var tag = el.__capsule.tag;
    if (setupForm(el, tag)) return;
    if (tag === 'input' || tag === 'textarea') {
      var input = document.createElement(tag === 'textarea' ? 'textarea' : 'input');
      el.appendChild(input);
      el.__input = input;
      input.addEventListener('input', function () {
        if (tag === 'textarea') {
          if (truthy(attr(el, 'auto-height', false))) { input.style.height = 'auto'; el.style.height = input.scrollHeight + 'px'; }
          var lines = input.value.split('\n').length;
          if (lines !== el.__lines) {
            el.__lines = lines;
            var height = input.scrollHeight;
            dispatch(el, 'linechange', { height: height, heightRpx: Math.round(height * 750 / pagesEl.clientWidth), lineCount: lines });
          }
        }
        var max = Number(attr(el, 'maxlength', 140));
        if (max >= 0 && input.value.length > max) input.value = input.value.slice(0, max);
        dispatch(el, 'input', { value: input.value, cursor: input.selectionStart, keyCode: 0 });
      });
      input.addEventListener('keydown', function (e) {
        if (e.key === 'Enter' && tag === 'input') dispatch(el, 'confirm', { value: input.value });
      });
      input.addEventListener('focus', function () { dispatch(el, 'focus', { value: input.value, height: 0 }); });
      input.addEventListener('blur', function () { dispatch(el, 'blur', { value: input.value }); });
    } else if (tag === 'image' || tag === 'cover-image') {
      var img = document.createElement('img');
      img.addEventListener('load', function () { dispatch(el, 'load', { width: img.naturalWidth, height: img.naturalHeight }); });
      img.addEventListener('error', function () { dispatch(el, 'error', { errMsg: 'GET ' + img.src + ' 404 (Not Found)' }); });
      el.appendChild(img);
      el.__img = img;
      el.setAttribute('mode', 'scaleToFill');
        } else if (tag === 'video') {
      // A native video element; its events reach the page as the platform's.
      var video = document.createElement('video');
      video.controls = true;
      video.playsInline = true;
      el.__video = video;
      el.appendChild(video);
      video.addEventListener('play', function () { dispatch(el, 'play', {}); });
      video.addEventListener('pause', function () { if (!video.ended) dispatch(el, 'pause', {}); });
      video.addEventListener('ended', function () { dispatch(el, 'ended', {}); });
      video.addEventListener('waiting', function () { dispatch(el, 'waiting', {}); });
      video.addEventListener('timeupdate', function () { dispatch(el, 'timeupdate', { currentTime: video.currentTime, duration: video.duration || 0 }); });
      video.addEventListener('loadedmetadata', function () {
        var start = Number(attr(el, 'initial-time', 0)) || 0;
        if (start > 0) video.currentTime = start;
        dispatch(el, 'loadedmetadata', { width: video.videoWidth, height: video.videoHeight, duration: video.duration || 0 });
      });
            video.addEventListener('error', function () { dispatch(el, 'error', { errMsg: 'MEDIA_ERR_SRC_NOT_SUPPORTED' }); });
      video.addEventListener('seeked', function () { dispatch(el, 'seekcomplete', { position: video.currentTime }); });
    } else if (tag === 'button') {
      var spinner = document.createElement('span');
      spinner.className = 'wx-loading';
      el.appendChild(spinner);
      var label = document.createElement('span');
      label.className = 'wx-button-label';
      el.appendChild(label);
      el.__content = label;
    } else if (tag === 'scroll-view') {
      var content = document.createElement('div');
      content.className = 'wx-scroll-content';
      el.appendChild(content);
      el.__content = content;
      var lastTop = 0, lastLeft = 0;
      el.addEventListener('scroll', function () {
        dispatch(el, 'scroll', { scrollLeft: el.scrollLeft, scrollTop: el.scrollTop, scrollHeight: el.scrollHeight,
          scrollWidth: el.scrollWidth, deltaX: el.scrollLeft - lastLeft, deltaY: el.scrollTop - lastTop });
        var threshold = Number(attr(el, 'lower-threshold', 50));
        if (el.scrollTop > lastTop && el.scrollTop + el.clientHeight >= el.scrollHeight - threshold) dispatch(el, 'scrolltolower', { direction: 'bottom' });
        if (el.scrollTop < lastTop && el.scrollTop <= Number(attr(el, 'upper-threshold', 50))) dispatch(el, 'scrolltoupper', { direction: 'top' });
        lastTop = el.scrollTop; lastLeft = el.scrollLeft;
      });
    }
  }
  function attr(el, name, fallback) {
    var a = el.__capsule.attrs || {};
    return a[name] === undefined || a[name] === null ? fallback : a[name];
  }
  function update(el, tag, name, value) {
    if (updateForm(el, tag, name, value)) return;
    if (tag === 'web-view' && name === 'src') { openWebView(el, value); return; }
    // A multi-column picker's page answers columnchange by changing `range` while it is open.
    if (tag === 'picker' && name === 'range' && el.__rerender) { el.__rerender(); return; }
    if (tag === 'picker' && name === 'value') { el.__value = undefined; return; }
    if ((tag === 'input' || tag === 'textarea') && el.__input) {
      var input = el.__input;
      if (name === 'value') { if (input.value !== String(value == null ? '' : value)) input.value = value == null ? '' : value; }
      else if (name === 'placeholder') input.placeholder = value == null ? '' : value;
      else if (name === 'password' || name === 'type') input.type = truthy(attr(el, 'password', false)) ? 'password' : (attr(el, 'type', 'text') === 'number' || attr(el, 'type', 'text') === 'digit' ? 'number' : 'text');
      else if (name === 'disabled') input.disabled = truthy(value);
      else if (name === 'maxlength') input.maxLength = Number(value) >= 0 ? Number(value) : 524288;
      else if ((name === 'focus' || name === 'auto-focus') && truthy(value)) setTimeout(function () { input.focus(); }, 0);
    } else if ((tag === 'image' || tag === 'cover-image') && el.__img) {
      if (name === 'src') { if (value) el.__img.src = resolveSrc(el, value); else el.__img.removeAttribute('src'); }
      else if (name === 'mode') el.setAttribute('mode', value || 'scaleToFill');
        } else if (tag === 'video' && el.__video) {
      var v = el.__video;
      if (name === 'src') { if (value) v.src = resolveSrc(el, value); else v.removeAttribute('src'); }
      else if (name === 'poster') { if (value) v.poster = resolveSrc(el, value); else v.removeAttribute('poster'); }
      else if (name === 'controls') v.controls = truthy(value);
      else if (name === 'autoplay') { v.autoplay = truthy(value); if (v.autoplay) v.play().catch(function () {}); }
      else if (name === 'loop') v.loop = truthy(value);
      else if (name === 'muted') v.muted = truthy(value);
      else if (name === 'object-fit') v.style.objectFit = value === 'fill' ? 'fill' : value === 'cover' ? 'cover' : 'contain';
    } else if (tag === 'scroll-view') {
      if (name === 'scroll-top' && value != null) el.scrollTop = Number(value);
      else if (name === 'scroll-left' && value != null) el.scrollLeft = Number(value);
      else if (name === 'scroll-into-view' && value) setTimeout(function () {
        var target = el.querySelector('#' + CSS.escape(String(value)));
        if (target) el.scrollTop = target.offsetTop - el.offsetTop;
      }, 0);
    }
  }
  function afterChildren(el) {
    if (el && el.__capsule && el.__capsule.tag === 'swiper' && el.__content) layoutSwiper(el);
  }

  // ---- form controls: switch, checkbox, radio, slider, progress, icon, form, label ---------
  function checkedOf(el) { return el.classList.contains('wx-checked'); }
  function setChecked(el, on) { el.classList.toggle('wx-checked', !!on); }
  function closest(el, tag) {
    for (var e = el.parentNode; e && e.__capsule; e = e.parentNode) if (e.__capsule.tag === tag) return e;
    return null;
  }
  function descendants(root, tag) {
    var out = [];
    (function walk(n) {
      for (var i = 0; i < n.childNodes.length; i++) {
        var c = n.childNodes[i];
        if (c.__capsule && c.__capsule.tag === tag) out.push(c);
        if (c.childNodes) walk(c);
      }
    })(root);
    return out;
  }
  function groupValue(group, tag) {
    var values = descendants(group, tag).filter(checkedOf).map(function (c) { return String(attr(c, 'value', '')); });
    return tag === 'radio' ? (values[0] || '') : values;
  }
  function toggle(el) {
    if (truthy(attr(el, 'disabled', false))) return;
    var tag = el.__capsule.tag;
    if (tag === 'switch') {
      setChecked(el, !checkedOf(el));
      dispatch(el, 'change', { value: checkedOf(el) });
    } else if (tag === 'checkbox') {
      setChecked(el, !checkedOf(el));
      var group = closest(el, 'checkbox-group');
      if (group) dispatch(group, 'change', { value: groupValue(group, 'checkbox') });
    } else if (tag === 'radio') {
      if (checkedOf(el)) return;
      var rgroup = closest(el, 'radio-group');
      if (rgroup) descendants(rgroup, 'radio').forEach(function (r) { setChecked(r, false); });
      setChecked(el, true);
      if (rgroup) dispatch(rgroup, 'change', { value: groupValue(rgroup, 'radio') });
    }
  }
  // A swiper: its items side by side in a track that slides to the current one.
  function setupSwiper(el) {
    var track = document.createElement('div');
    track.className = 'wx-swiper-track';
    var dots = document.createElement('div');
    dots.className = 'wx-swiper-dots';
    el.appendChild(track);
    el.appendChild(dots);
    el.__content = track;
    el.__current = 0;
    var startX = null, startY = null;
    el.addEventListener('pointerdown', function (e) {
      startX = e.clientX; startY = e.clientY;
      // The finger may leave the swiper while it drags; the release still belongs here.
      try { el.setPointerCapture(e.pointerId); } catch (err) { /* not capturable */ }
    });
    el.addEventListener('pointerup', function (e) {
      if (startX === null) return;
      var vertical = truthy(attr(el, 'vertical', false));
      var delta = vertical ? e.clientY - startY : e.clientX - startX;
      startX = null;
      if (Math.abs(delta) > 40) swipeTo(el, el.__current + (delta < 0 ? 1 : -1), 'touch');
    });
  }
  function swiperItems(el) { return el.__content ? Array.prototype.filter.call(el.__content.childNodes, function (c) { return c.nodeType === 1; }) : []; }
  function swipeTo(el, index, source) {
    var count = swiperItems(el).length;
    if (!count) return;
    if (truthy(attr(el, 'circular', false))) index = (index + count) % count;
    index = Math.max(0, Math.min(count - 1, index));
    if (index === el.__current && source) return;
    el.__current = index;
    layoutSwiper(el);
    if (source) dispatch(el, 'change', { current: index, currentItemId: attr(swiperItems(el)[index], 'item-id', '') || '', source: source });
  }
  function layoutSwiper(el) {
    var vertical = truthy(attr(el, 'vertical', false));
    var duration = Number(attr(el, 'duration', 500));
    el.__content.style.flexDirection = vertical ? 'column' : 'row';
    el.__content.style.transition = 'transform ' + duration + 'ms';
    el.__content.style.transform = vertical ? 'translateY(' + (-100 * el.__current) + '%)' : 'translateX(' + (-100 * el.__current) + '%)';
    var dots = el.querySelector('.wx-swiper-dots');
    dots.innerHTML = '';
    if (truthy(attr(el, 'indicator-dots', false))) {
      swiperItems(el).forEach(function (_, i) {
        var d = document.createElement('i');
        if (i === el.__current) { d.className = 'active'; d.style.background = attr(el, 'indicator-active-color', '#000'); }
        dots.appendChild(d);
      });
    }
  }
  function autoplay(el) {
    clearInterval(el.__timer);
    if (truthy(attr(el, 'autoplay', false))) {
      el.__timer = setInterval(function () {
        if (!el.isConnected) { clearInterval(el.__timer); return; }
        var count = swiperItems(el).length;
        if (count > 1) swipeTo(el, (el.__current + 1) % count, 'autoplay');
      }, Number(attr(el, 'interval', 5000)));
    }
  }

  // A movable-view follows the finger inside its movable-area, along its `direction`, kept
  // inside the area unless `out-of-bounds`; `change` reports each position with its source.
  function setupMovable(el) {
    el.__x = 0; el.__y = 0;
    var grab = null;
    el.addEventListener('pointerdown', function (e) {
      if (truthy(attr(el, 'disabled', false)) || attr(el, 'direction', 'none') === 'none') return;
      grab = { x: e.clientX - el.__x, y: e.clientY - el.__y };
      try { el.setPointerCapture(e.pointerId); } catch (err) { /* not capturable */ }
    });
    el.addEventListener('pointermove', function (e) {
      if (!grab) return;
      var direction = attr(el, 'direction', 'none');
      moveTo(el, direction === 'vertical' ? el.__x : e.clientX - grab.x, direction === 'horizontal' ? el.__y : e.clientY - grab.y, 'touch');
    });
    function release() { grab = null; }
    el.addEventListener('pointerup', release);
    el.addEventListener('pointercancel', release);
  }
  function moveTo(el, x, y, source) {
    var area = closest(el, 'movable-area');
    if (area && !truthy(attr(el, 'out-of-bounds', false))) {
      x = Math.max(0, Math.min(x, Math.max(0, area.clientWidth - el.offsetWidth)));
      y = Math.max(0, Math.min(y, Math.max(0, area.clientHeight - el.offsetHeight)));
    }
    if (x === el.__x && y === el.__y) return;
    el.__x = x; el.__y = y;
    el.style.transform = 'translate(' + x + 'px, ' + y + 'px)';
    // Positions set while the element is built are where it starts, not a change.
    if (el.isConnected) dispatch(el, 'change', { x: x, y: y, source: source });
  }

  // picker-view: columns that scroll and snap; the row in the middle is the choice. A
  // scroll that settles on another row sends `change` with every column's index.
  function pickerColumns(pv) {
    return Array.prototype.filter.call(pv.childNodes, function (c) { return c.__capsule && c.__capsule.tag === 'picker-view-column'; });
  }
  function rowHeight(column) {
    var first = Array.prototype.find.call(column.childNodes, function (c) { return c.nodeType === 1; });
    return (first && first.offsetHeight) || 34;
  }
  function layoutPickerView(pv, toValue) {
    var value = attr(pv, 'value', []);
    pickerColumns(pv).forEach(function (column, i) {
      var row = rowHeight(column);
      var pad = Math.max(0, (pv.clientHeight - row) / 2) + 'px';
      column.style.paddingTop = column.style.paddingBottom = pad;
      if (toValue && Array.isArray(value)) {
        column.__index = Number(value[i]) || 0;
        if (column.scrollTop !== column.__index * row) {
          column.__programmatic = true; // the data moved it, not a person: no pick events
          column.scrollTop = column.__index * row;
        }
      }
    });
  }
  function setupPickerColumn(column) {
    var settle = null;
    column.addEventListener('scroll', function () {
      var pv = column.parentNode;
      if (!pv || !pv.__capsule) return;
      clearTimeout(settle);
      if (column.__programmatic) { settle = setTimeout(function () { column.__programmatic = false; }, 120); return; }
      if (!column.__picking) { column.__picking = true; dispatch(pv, 'pickstart', {}); }
      clearTimeout(settle);
      settle = setTimeout(function () {
        column.__picking = false;
        dispatch(pv, 'pickend', {});
        var index = Math.round(column.scrollTop / rowHeight(column));
        if (index === column.__index) return;
        column.__index = index;
        dispatch(pv, 'change', { value: pickerColumns(pv).map(function (c) { return Math.round(c.scrollTop / rowHeight(c)); }) });
      }, 120);
    });
  }

  function setupForm(el, tag) {
    if (tag === 'swiper') { setupSwiper(el); return true; }
    if (tag === 'movable-view') { setupMovable(el); return true; }
    if (tag === 'picker-view-column') { setupPickerColumn(el); return true; }
    if (tag === 'slider') {
      var range = document.createElement('input');
      range.type = 'range';
      range.min = 0; range.max = 100; range.step = 1; range.value = 0;
      var shown = document.createElement('span');
      shown.className = 'wx-slider-value';
      el.appendChild(range);
      el.appendChild(shown);
      el.__range = range;
      range.addEventListener('input', function () { shown.textContent = range.value; dispatch(el, 'changing', { value: Number(range.value) }); });
      range.addEventListener('change', function () { dispatch(el, 'change', { value: Number(range.value) }); });
      return true;
    }
    if (tag === 'progress') {
      var bar = document.createElement('span');
      bar.className = 'wx-progress-bar';
      var fill = document.createElement('span');
      fill.className = 'wx-progress-fill';
      bar.appendChild(fill);
      var info = document.createElement('span');
      info.className = 'wx-progress-info';
      el.appendChild(bar);
      el.appendChild(info);
      el.__fill = fill; el.__info = info;
      return true;
    }
    return false;
  }
  var ICONS = { success: '✔', success_no_circle: '✓', info: 'ℹ', warn: '!', waiting: '◷', cancel: '✕', download: '↓', search: '⌕', clear: '⊗', circle: '○' };
  // rich-text: nodes as an HTML string or an array of {name, attrs, children} / {type: 'text',
  // text}, sanitised: only ordinary tags and attributes, no scripts, no event attributes, no
  // javascript: URLs.
  var RICH_TAGS = ['a', 'abbr', 'b', 'br', 'code', 'col', 'colgroup', 'dd', 'del', 'div', 'dl', 'dt', 'em', 'fieldset',
    'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'i', 'img', 'ins', 'label', 'legend', 'li', 'ol', 'p', 'q', 'span',
    'strong', 'sub', 'sup', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'ul', 'blockquote', 'pre', 'small', 'big', 'u', 's'];
  var RICH_ATTRS = ['class', 'style', 'src', 'alt', 'width', 'height', 'href', 'title', 'colspan', 'rowspan', 'align', 'start', 'type'];
  function safeUrl(v) { return !/^\s*(javascript|vbscript|data:text\/html)/i.test(String(v)); }
  function richNode(node) {
    if (node === null || node === undefined) return null;
    if (node.type === 'text') return document.createTextNode(String(node.text || ''));
    var name = String(node.name || '').toLowerCase();
    if (RICH_TAGS.indexOf(name) < 0) return null;
    var el = document.createElement(name);
    var attrs = node.attrs || {};
    Object.keys(attrs).forEach(function (k) {
      var key = k.toLowerCase();
      if (RICH_ATTRS.indexOf(key) < 0) return;
      if ((key === 'href' || key === 'src') && !safeUrl(attrs[k])) return;
      el.setAttribute(key, key === 'style' ? rpxToCss(attrs[k]) : String(attrs[k]));
    });
    (node.children || []).forEach(function (c) { var child = richNode(c); if (child) el.appendChild(child); });
    return el;
  }
  function htmlToNodes(html) {
    // Parsed inert: a template's content runs no script and loads nothing.
    var template = document.createElement('template');
    template.innerHTML = String(html);
    function convert(n) {
      if (n.nodeType === 3) return { type: 'text', text: n.data };
      if (n.nodeType !== 1) return null;
      var attrs = {};
      for (var i = 0; i < n.attributes.length; i++) attrs[n.attributes[i].name] = n.attributes[i].value;
      return { name: n.tagName.toLowerCase(), attrs: attrs, children: Array.prototype.map.call(n.childNodes, convert).filter(Boolean) };
    }
    return Array.prototype.map.call(template.content.childNodes, convert).filter(Boolean);
  }
  function renderRich(el, nodes) {
    el.innerHTML = '';
    var list = typeof nodes === 'string' ? htmlToNodes(nodes) : (Array.isArray(nodes) ? nodes : []);
    list.forEach(function (n) { var c = richNode(n); if (c) el.appendChild(c); });
  }

  function updateForm(el, tag, name, value) {
    if (tag === 'picker-view' && name === 'value') { setTimeout(function () { layoutPickerView(el, true); }, 0); return true; }
    if (tag === 'movable-view' && (name === 'x' || name === 'y')) {
      // Only the coordinate that changed moves; the other stays where the finger left it.
      var to = Number(value) || 0;
      moveTo(el, name === 'x' ? to : el.__x, name === 'y' ? to : el.__y, '');
      return true;
    }
    if (tag === 'rich-text') {
      if (name === 'nodes') renderRich(el, value);
      return true;
    }
    if (tag === 'swiper' && el.__content) {
      if (name === 'current') swipeTo(el, Number(value) || 0, null);
      else if (name === 'autoplay' || name === 'interval') autoplay(el);
      else layoutSwiper(el);
      return true;
    }
    if ((tag === 'switch' || tag === 'checkbox' || tag === 'radio') && name === 'checked') { setChecked(el, truthy(value)); return true; }
    if (tag === 'switch' && name === 'color') { el.style.setProperty('--wx-color', value || ''); return true; }
    if (tag === 'slider' && el.__range) {
      var r = el.__range;
      if (name === 'min' || name === 'max' || name === 'step') r[name] = Number(value);
      else if (name === 'value') { r.value = Number(value); el.querySelector('.wx-slider-value').textContent = r.value; }
      else if (name === 'disabled') r.disabled = truthy(value);
      return true;
    }
    if (tag === 'progress' && el.__fill) {
      if (name === 'percent') {
        var pct = Math.max(0, Math.min(100, Number(value) || 0));
        el.__fill.style.width = pct + '%';
        el.__info.textContent = pct + '%';
      } else if (name === 'activeColor' || name === 'activecolor' || name === 'active-color') el.__fill.style.background = value;
      return true;
    }
    if (tag === 'icon' && (name === 'type' || name === 'size' || name === 'color')) {
      el.textContent = ICONS[attr(el, 'type', '')] || '';
      el.style.fontSize = attr(el, 'size', 23) + 'px';
      if (attr(el, 'color', null)) el.style.color = attr(el, 'color', null);
      return true;
    }
    return false;
  }
  // A form's fields by name, as bindsubmit's detail.value gives them.
  function formValues(form) {
    var value = {};
    (function walk(n) {
      for (var i = 0; i < n.childNodes.length; i++) {
        var c = n.childNodes[i];
        if (c.__capsule) {
          var t = c.__capsule.tag, key = attr(c, 'name', null);
          if (key !== null && key !== '') {
            if (t === 'input' || t === 'textarea') value[key] = c.__input ? c.__input.value : '';
            else if (t === 'switch' || (t === 'checkbox' && !closest(c, 'checkbox-group'))) value[key] = checkedOf(c);
            else if (t === 'checkbox-group') value[key] = groupValue(c, 'checkbox');
            else if (t === 'radio-group') value[key] = groupValue(c, 'radio');
            else if (t === 'slider') value[key] = c.__range ? Number(c.__range.value) : 0;
                        else if (t === 'picker') value[key] = c.__value !== undefined ? c.__value : attr(c, 'value', null);
            else if (attr(c, 'form-field', false)) value[key] = attr(c, 'value', null);
          }
        }
        if (c.childNodes) walk(c);
      }
    })(form);
    return value;
  }
  function formReset(form) {
    descendants(form, 'input').concat(descendants(form, 'textarea')).forEach(function (c) { if (c.__input) c.__input.value = ''; });
    ['switch', 'checkbox', 'radio'].forEach(function (t) { descendants(form, t).forEach(function (c) { setChecked(c, truthy(attr(c, 'checked', false))); }); });
    descendants(form, 'slider').forEach(function (c) { if (c.__range) c.__range.value = Number(attr(c, 'value', 0)); });
  }
  // A picker opens a sheet: a list of choices (selector), or a date or time field.
  function openPicker(picker) {
    if (truthy(attr(picker, 'disabled', false))) return;
    var sheet = document.getElementById('capsule-picker');
    var body = sheet.querySelector('.body');
    body.innerHTML = '';
    var mode = attr(picker, 'mode', 'selector');
    var choose;
    if (mode === 'date' || mode === 'time') {
      var field = document.createElement('input');
      field.type = mode;
      field.value = String(attr(picker, 'value', ''));
      body.appendChild(field);
      choose = function () { return field.value; };
    } else if (mode === 'selector') {
      var range = attr(picker, 'range', []) || [];
      var key = attr(picker, 'range-key', null);
      var selected = Number(attr(picker, 'value', 0)) || 0;
      range.forEach(function (item, i) {
        var row = document.createElement('div');
        row.className = 'option' + (i === selected ? ' selected' : '');
        row.setAttribute('data-index', i);
        row.textContent = key && item && typeof item === 'object' ? item[key] : String(item);
        row.onclick = function () {
          body.querySelectorAll('.option').forEach(function (o) { o.classList.remove('selected'); });
          row.classList.add('selected');
          selected = i;
        };
        body.appendChild(row);
      });
      choose = function () { return selected; };
    } else if (mode === 'multiSelector') {
      // Columns side by side; each choice is reported as columnchange, and the page may
      // answer by changing the later columns' ranges.
      var initial = attr(picker, 'value', []);
      var chosen = (Array.isArray(initial) ? initial : []).map(function (v) { return Number(v) || 0; });
      var columns = document.createElement('div');
      columns.className = 'columns';
      body.appendChild(columns);
      var renderColumns = function () {
        var ranges = attr(picker, 'range', []) || [];
        var rangeKey = attr(picker, 'range-key', null);
        columns.innerHTML = '';
        chosen.length = ranges.length;
        ranges.forEach(function (column, c) {
          column = Array.isArray(column) ? column : [];
          if (!(chosen[c] >= 0 && chosen[c] < column.length)) chosen[c] = 0;
          var columnEl = document.createElement('div');
          columnEl.className = 'column';
          columnEl.setAttribute('data-column', c);
          column.forEach(function (item, i) {
            var row = document.createElement('div');
            row.className = 'option' + (i === chosen[c] ? ' selected' : '');
            row.setAttribute('data-index', i);
            row.textContent = rangeKey && item && typeof item === 'object' ? item[rangeKey] : String(item);
            row.onclick = function () {
              if (chosen[c] === i) return;
              chosen[c] = i;
              renderColumns();
              dispatch(picker, 'columnchange', { column: c, value: i });
            };
            columnEl.appendChild(row);
          });
          columns.appendChild(columnEl);
        });
      };
      renderColumns();
      picker.__rerender = renderColumns;
      choose = function () { return chosen.slice(); };
    } else if (mode === 'region') {
      choose = regionColumns(picker, body);
    } else {
      console.warn('picker: mode `' + mode + '` is not supported');
      return;
    }
    sheet.className = 'show';
    function close() { sheet.className = ''; picker.__rerender = null; }
    sheet.querySelector('.cancel').onclick = function () { close(); dispatch(picker, 'cancel', {}); };
    sheet.querySelector('.confirm').onclick = function () {
      close();
      var chosen = choose();
      if (mode === 'region') {
        picker.__value = chosen.value;
        dispatch(picker, 'change', chosen);
        return;
      }
      picker.__value = chosen;
      dispatch(picker, 'change', { value: picker.__value });
    };
  }

  // `mode="region"`: province, city and district columns over the divisions the simulator
  // serves, each column following the choice in the one before; `custom-item` heads every
  // column, and choosing it leaves only it in the columns after. The choice reports names
  // and codes (`detail.value`, `detail.code`) down to `level`.
  var regions = null;
  function regionColumns(picker, body) {
    var depth = { province: 1, city: 2, region: 3, 'sub-district': 3 }[attr(picker, 'level', 'region')] || 3;
    var custom = attr(picker, 'custom-item', null);
    var wanted = attr(picker, 'value', []);
    wanted = Array.isArray(wanted) ? wanted.map(String) : [];
    var chosen = [];
    var lists = [];
    var columns = document.createElement('div');
    columns.className = 'columns';
    body.appendChild(columns);
    function options(c) {
      var parent = c === 0 ? { kids: regions } : lists[c - 1][chosen[c - 1]];
      var kids = parent && !parent.custom ? parent.kids || [] : [];
      var out = kids.map(function (k) { return { name: k[0], code: k[1], kids: k[2] }; });
      if (custom !== null && custom !== undefined && custom !== '') out.unshift({ name: String(custom), code: '', custom: true });
      else if (parent && parent.custom) out.unshift({ name: parent.name, code: '', custom: true });
      return out;
    }
    function render() {
      columns.innerHTML = '';
      for (var c = 0; c < depth; c++) {
        lists[c] = options(c);
        if (!(chosen[c] >= 0 && chosen[c] < lists[c].length)) {
          var at = lists[c].findIndex(function (o) { return o.name === wanted[c]; });
          chosen[c] = at >= 0 ? at : 0;
        }
        var columnEl = document.createElement('div');
        columnEl.className = 'column';
        columnEl.setAttribute('data-column', c);
        lists[c].forEach(function (o, i) {
          var row = document.createElement('div');
          row.className = 'option' + (i === chosen[c] ? ' selected' : '');
          row.setAttribute('data-index', i);
          row.textContent = o.name;
          var column = c;
          row.onclick = function () {
            chosen[column] = i;
            for (var later = column + 1; later < depth; later++) chosen[later] = -1;
            wanted = [];
            render();
          };
          columnEl.appendChild(row);
        });
        columns.appendChild(columnEl);
      }
    }
    function ready() { render(); }
    if (regions) ready();
    else fetch('/capsule/regions.json').then(function (r) { return r.json(); }).then(function (data) { regions = data; ready(); });
    return function () {
      var value = [], code = [];
      for (var c = 0; c < depth; c++) {
        var o = lists[c] && lists[c][chosen[c]];
        value.push(o ? o.name : '');
        code.push(o ? o.code : '');
      }
      return { value: value, code: code };
    };
  }

        // wx.createInnerAudioContext: one audio element per context; its events go back to it.
  var audios = new Map();
  function audioOf(id) {
    var a = audios.get(id);
    if (a) return a;
    a = new Audio();
    a.preload = 'auto';
    audios.set(id, a);
    ['canplay', 'play', 'pause', 'ended', 'timeupdate', 'error', 'waiting', 'seeking', 'seeked'].forEach(function (ev) {
      a.addEventListener(ev, function () { audioEvent(id, a, ev); });
    });
    return a;
  }
  function audioEvent(id, a, ev) {
    send({ type: 'audioEvent', seq: id, event: ev, currentTime: a.currentTime, duration: isFinite(a.duration) ? a.duration : 0,
      paused: a.paused, message: ev === 'error' ? 'MEDIA_ERR_SRC_NOT_SUPPORTED' : undefined });
  }
  function audioControl(msg) {
    var a = audioOf(msg.audio);
    var args = msg.args || [];
    switch (msg.action) {
      case 'set': {
        var o = args[0] || {};
        if ('src' in o) a.src = resolveSrc({ __capsule: { page: top() } }, o.src);
        if ('loop' in o) a.loop = !!o.loop;
        if ('volume' in o) a.volume = Math.min(1, Math.max(0, Number(o.volume)));
        if ('playbackRate' in o) a.playbackRate = Number(o.playbackRate) || 1;
        if ('autoplay' in o) a.autoplay = !!o.autoplay;
        if ('startTime' in o) a.__start = Number(o.startTime) || 0;
        break;
      }
      case 'play': if (a.__start && a.currentTime === 0) a.currentTime = a.__start; a.play().catch(function () {}); break;
      case 'pause': a.pause(); break;
      case 'stop': a.pause(); a.currentTime = 0; audioEvent(msg.audio, a, 'stop'); break;
      case 'seek': a.currentTime = Math.max(0, Number(args[0]) || 0); break;
      case 'destroy': a.pause(); a.removeAttribute('src'); audios.delete(msg.audio); break;
    }
  }

  // wx.loadFontFace: the font for the whole document (components' shadow roots too).
  function loadFontFace(msg) {
    var url = /:\/\//.test(msg.url) || /^data:/.test(msg.url) ? msg.url : resolveSrc({ __capsule: { page: top() } }, msg.url);
    var desc = msg.desc || {};
    var face;
    try {
      face = new FontFace(String(msg.family), 'url("' + url.replace(/"/g, '%22') + '")',
        { style: desc.style || 'normal', weight: desc.weight || 'normal', variant: desc.variant || 'normal' });
    } catch (e) {
      send({ type: 'fontAnswer', seq: msg.seq, error: String(e.message || e) });
      return;
    }
    face.load().then(function (f) {
      document.fonts.add(f);
      send({ type: 'fontAnswer', seq: msg.seq });
    }, function (e) { send({ type: 'fontAnswer', seq: msg.seq, error: 'the font could not be loaded: ' + (e && e.message || e) }); });
  }

  // wx.createVideoContext(id): play, pause, stop, seek, playbackRate, full screen.
  function videoControl(msg) {
    var page = byId.get(msg.page);
    if (!page) return;
    var el;
    try { el = scopeOf(page, msg.root).querySelector('#' + CSS.escape(String(msg.id))); } catch (e) { el = null; }
    var v = el && el.__video;
    if (!v) return;
    var arg = msg.args && msg.args[0];
    switch (msg.action) {
      case 'play': v.play().catch(function () {}); break;
      case 'pause': v.pause(); break;
            case 'stop': v.pause(); v.currentTime = 0; break;
      case 'seek': v.currentTime = Math.max(0, Number(arg) || 0); break;
      case 'playbackRate': v.playbackRate = Number(arg) || 1; break;
      case 'requestFullScreen': if (v.requestFullscreen) v.requestFullscreen().catch(function () {}); break;
      case 'exitFullScreen': if (document.fullscreenElement) document.exitFullscreen().catch(function () {}); break;
    }
  }

  // web-view: the page at `src` in a frame over the whole page, once the host has said its
  // origin is one the app may show; otherwise a notice, and `error` to the page.
  function openWebView(el, src) {
    var frame = el.__frame;
    if (!frame) {
      frame = el.__frame = document.createElement('iframe');
      frame.addEventListener('load', function () { if (frame.src) dispatch(el, 'load', { src: frame.src }); });
      el.__notice = document.createElement('div');
      el.__notice.className = 'wx-web-view-notice';
      el.appendChild(frame);
      el.appendChild(el.__notice);
    }
    el.__notice.textContent = '';
    frame.removeAttribute('src');
    if (!src) return;
    send({ type: 'webView', page: el.__capsule.page.id, node: el.__capsule.id, src: String(src) });
  }
  function webViewAnswer(msg) {
    var page = byId.get(msg.page);
    var el = page && page.nodes.get(msg.node);
    if (!el || !el.__frame || String(attr(el, 'src', '')) !== msg.src) return;
    if (!msg.allowed) {
      el.__notice.textContent = 'This page cannot be opened here: ' + (msg.reason || 'not allowed');
      dispatch(el, 'error', { url: msg.src, fullUrl: msg.src });
      return;
    }
    var url = new URL(msg.src, location.href);
    // A page from the simulator's own origin gets no access to it.
    var sameOrigin = url.origin === location.origin;
    el.__frame.setAttribute('sandbox', 'allow-scripts allow-forms allow-popups' + (sameOrigin ? '' : ' allow-same-origin'));
    el.__frame.src = url.href;
  }

  // What a tap does to a control, after the tap itself was reported.
  function controlTap(node) {
    for (var n = node; n && n.__capsule; n = n.parentNode) {
      var tag = n.__capsule.tag;
      if (tag === 'picker') { openPicker(n); return; }
      if (tag === 'switch' || tag === 'checkbox' || tag === 'radio') { toggle(n); return; }
      if (tag === 'button') {
        var type = attr(n, 'form-type', null);
        var form = type && closest(n, 'form');
        if (form && type === 'submit') dispatch(form, 'submit', { value: formValues(form) });
        if (form && type === 'reset') { formReset(form); dispatch(form, 'reset', {}); }
        return;
      }
      if (tag === 'label') {
        var target = attr(n, 'for', null);
        var control = target ? n.__capsule.page.el.querySelector('#' + CSS.escape(String(target))) : null;
        if (!control) {
          var inner = ['switch', 'checkbox', 'radio'].map(function (t) { return descendants(n, t)[0]; }).filter(Boolean);
          control = inner[0] || null;
        }
        if (control && control.__capsule) {
          if (control.__input) control.__input.focus(); else toggle(control);
        }
        return;
      }
    }
  }

  // ---- events --------------------------------------------------------------------------
  // The host propagates; the view only names the target. It sends nothing when no node on the
  // path listens, so idle scrolling and clicking cost no messages.
  function nodeOf(el) {
    while (el && !(el.__capsule && el.__capsule.page && !(el instanceof ShadowRoot))) el = up(el);
    return el;
  }
  function listened(el, type) {
    for (var e = el; e && e.__capsule; e = up(e)) {
      var ls = e.__capsule.listeners || [];
      for (var i = 0; i < ls.length; i++) if (ls[i].event === type) return true;
      if (e.tagName === 'WX-PAGE') break;
    }
    return false;
  }
  function dispatch(el, type, detail, touches) {
    var node = nodeOf(el);
    if (!node) return;
    var c = node.__capsule;
    if (type === 'input' && c.attrs && typeof c.attrs['model:value'] === 'string') {
      send({ type: 'model', page: c.page.id, path: c.attrs['model:value'], value: detail.value });
    }
    if (!listened(node, type)) return;
    send({ type: 'event', page: c.page.id, node: c.id, event: type, detail: detail || {}, touches: touches || [] });
  }
  function touchList(list) {
    var out = [];
    for (var i = 0; list && i < list.length; i++) {
      var t = list[i];
      out.push({ identifier: t.identifier, pageX: t.pageX, pageY: t.pageY, clientX: t.clientX, clientY: t.clientY });
    }
    return out;
  }
  var pressTimer = null, pressed = false, longPressed = false, hovered = [];
  // A press that moves further than this is a drag: no tap, no long press.
  var TAP_SLOP = 10;
  var pressX = 0, pressY = 0, dragged = false;
  pagesEl.addEventListener('pointerdown', function (e) {
    pressed = true; longPressed = false;
    pressX = e.clientX; pressY = e.clientY; dragged = false;
    var target = origin(e);
    var point = [{ identifier: e.pointerId, pageX: e.pageX, pageY: e.pageY, clientX: e.clientX, clientY: e.clientY }];
    dispatch(target, 'touchstart', {}, point);
    clearTimeout(pressTimer);
    pressTimer = setTimeout(function () {
      if (pressed) { longPressed = true; dispatch(target, 'longpress', { x: e.pageX, y: e.pageY }, point); }
    }, 350);
    var hover = nodeOf(target);
    for (var h = hover; h && h.__capsule; h = up(h)) {
      var cls = h.__capsule.attrs && h.__capsule.attrs['hover-class'];
      if (cls && cls !== 'none') { h.classList.add(cls); h.__hover = cls; hovered.push(h); }
    }
  });
  pagesEl.addEventListener('pointermove', function (e) {
    if (!pressed) return;
    if (!dragged && Math.abs(e.clientX - pressX) + Math.abs(e.clientY - pressY) > TAP_SLOP) {
      dragged = true;
      clearTimeout(pressTimer);
    }
    dispatch(origin(e), 'touchmove', {}, [{ identifier: e.pointerId, pageX: e.pageX, pageY: e.pageY, clientX: e.clientX, clientY: e.clientY }]);
  });
  function release(e, type) {
    if (!pressed) return;
    pressed = false;
    clearTimeout(pressTimer);
    dispatch(origin(e), type, {}, [{ identifier: e.pointerId, pageX: e.pageX, pageY: e.pageY, clientX: e.clientX, clientY: e.clientY }]);
    hovered.forEach(function (h) { if (h.__hover) { h.classList.remove(h.__hover); h.__hover = null; } });
    hovered = [];
  }
  pagesEl.addEventListener('pointerup', function (e) { release(e, 'touchend'); });
  pagesEl.addEventListener('pointercancel', function (e) { release(e, 'touchcancel'); });
  pagesEl.addEventListener('click', function (e) {
    var target = origin(e);
    if (longPressed && listened(nodeOf(target) || target, 'longpress')) return;
    if (dragged) return;
    var node = nodeOf(target);
    if (!node) return;
    if (node.__capsule.tag === 'button' && truthy(attr(node, 'disabled', false))) return;
    dispatch(target, 'tap', { x: e.pageX, y: e.pageY });
    controlTap(node);
    // A navigator navigates by itself.
    for (var n = node; n && n.__capsule; n = up(n)) {
      if (n.__capsule.tag === 'navigator') {
        var kind = { navigate: 'navigateTo', redirect: 'redirectTo', switchTab: 'switchTab', reLaunch: 'reLaunch', navigateBack: 'navigateBack' }[attr(n, 'open-type', 'navigate')] || 'navigateTo';
        var url = kind === 'navigateBack' ? String(attr(n, 'delta', 1)) : String(attr(n, 'url', ''));
        send({ type: 'navigate', kind: kind, url: url });
        break;
      }
    }
  });

  // The `animation` attribute: the steps wx.createAnimation exported, played one after
  // another as CSS transitions. A transform keeps what earlier steps set, except a function
  // of the same name, which the later step replaces.
  var STYLE_STEPS = { opacity: 'opacity', backgroundColor: 'background-color', width: 'width', height: 'height',
    top: 'top', left: 'left', bottom: 'bottom', right: 'right' };
  function cssLength(v) { return typeof v === 'number' ? v + 'px' : rpxToCss(String(v)); }
  function cssAngle(v) { return typeof v === 'number' ? v + 'deg' : String(v); }
  function transformCss(type, args) {
    var a = args.map(function (v) { return v; });
    switch (type) {
      case 'rotate': case 'rotateX': case 'rotateY': case 'rotateZ': case 'skewX': case 'skewY':
        return type + '(' + cssAngle(a[0]) + ')';
      case 'rotate3d': return 'rotate3d(' + [a[0], a[1], a[2]].map(Number).join(', ') + ', ' + cssAngle(a[3]) + ')';
      case 'skew': return 'skew(' + cssAngle(a[0]) + ', ' + cssAngle(a[1] === undefined ? 0 : a[1]) + ')';
      case 'scale': return 'scale(' + Number(a[0]) + ', ' + Number(a[1] === undefined ? a[0] : a[1]) + ')';
      case 'scaleX': case 'scaleY': case 'scaleZ': return type + '(' + Number(a[0]) + ')';
      case 'scale3d': return 'scale3d(' + [a[0], a[1], a[2]].map(Number).join(', ') + ')';
      case 'translate': return 'translate(' + cssLength(a[0]) + ', ' + cssLength(a[1] === undefined ? 0 : a[1]) + ')';
      case 'translateX': case 'translateY': case 'translateZ': return type + '(' + cssLength(a[0]) + ')';
      case 'translate3d': return 'translate3d(' + [a[0], a[1], a[2]].map(cssLength).join(', ') + ')';
      case 'matrix': case 'matrix3d': return type + '(' + a.map(Number).join(', ') + ')';
    }
    return null;
  }
  function animate(el, data) {
    if (!data || !Array.isArray(data.actions) || !data.actions.length) return;
    var token = el.__animation = (el.__animation || 0) + 1;
    var transforms = el.__transforms || (el.__transforms = []);
    var i = 0;
    void el.offsetWidth; // the current style is where the first transition starts
    (function next() {
      if (token !== el.__animation || i >= data.actions.length) return;
      var action = data.actions[i++] || {};
      var option = action.option || {};
      var t = option.transition || {};
      var duration = Number(t.duration) || 0, delay = Number(t.delay) || 0;
      el.style.transition = 'all ' + duration + 'ms ' + (t.timingFunction || 'linear') + ' ' + delay + 'ms';
      if (option.transformOrigin) el.style.transformOrigin = option.transformOrigin;
      (action.animates || []).forEach(function (m) {
        var args = Array.isArray(m.args) ? m.args : [];
        if (STYLE_STEPS[m.type]) {
          var v = args[0];
          el.style.setProperty(STYLE_STEPS[m.type], m.type === 'opacity' ? String(Number(v)) : (m.type === 'backgroundColor' ? String(v) : cssLength(v)));
          return;
        }
        var css = transformCss(m.type, args);
        if (css === null) return;
        var at = transforms.findIndex(function (x) { return x[0] === m.type; });
        if (at >= 0) transforms[at][1] = css; else transforms.push([m.type, css]);
      });
      el.style.transform = transforms.map(function (x) { return x[1]; }).join(' ');
      setTimeout(next, duration + delay);
    })();
  }

  // previewImage: the images full screen, one at a time; a tap closes it.
  function previewImage(msg) {
    var el = document.getElementById('capsule-preview');
    var img = el.querySelector('img');
    var t = top();
    var urls = msg.urls.map(function (u) { return resolveSrc({ __capsule: { page: t } }, u); });
    var at = Math.max(0, msg.urls.indexOf(msg.current));
    function show() {
      img.src = urls[at];
      img.setAttribute('data-url', msg.urls[at]);
      el.querySelector('.count').textContent = urls.length > 1 ? (at + 1) + ' / ' + urls.length : '';
      el.querySelector('.prev').style.display = at > 0 ? '' : 'none';
      el.querySelector('.next').style.display = at < urls.length - 1 ? '' : 'none';
    }
    el.querySelector('.prev').onclick = function (e) { e.stopPropagation(); at--; show(); };
    el.querySelector('.next').onclick = function (e) { e.stopPropagation(); at++; show(); };
    el.onclick = function () { el.className = ''; };
    show();
    el.className = 'show';
  }

  // pageScrollTo: to a offset, or to the first element a selector finds in the shown page.
  function pageScrollTo(msg) {
    var page = top();
    if (!page || page.id !== msg.page) return;
    var to = msg.scrollTop;
    if (msg.selector) {
      var target = page.el.querySelector(selectorFor(msg.selector));
      if (!target) return;
      to = target.getBoundingClientRect().top - pagesEl.getBoundingClientRect().top + (msg.offsetTop || 0);
    }
    screen.scrollTo({ top: Math.max(0, to), behavior: msg.duration > 0 ? 'smooth' : 'auto' });
  }
  // A page's selector names its elements by class and id as it wrote them; ids are kept
  // as written, so the selector works as is, except for tag names of built-in components.
  function selectorFor(selector) {
    return selector.replace(/(^|[\s>+~,(])([a-z][a-z-]*)(?=[.#\[:\s>+~,)]|$)/g, function (m, pre, tag) {
      return pre + (BUILTIN.indexOf(tag) >= 0 ? 'wx-' + tag : tag);
    });
  }

  // Where a query looks: a component's shadow root (its own template only), or the page.
  function scopeOf(page, root) {
    var r = root == null ? null : page.nodes.get(root);
    return r && r.querySelectorAll ? r : page.el;
  }

  // A selector query, answered from the real layout. Rects are in px relative to the page's
  // viewport (below the navigation bar), as the platform reports them.
  function selectorQuery(msg) {
    var page = byId.get(msg.page);
    return (msg.requests || []).map(function (req) {
      if (req.viewport) return describe(null, req.fields || {});
      if (!page) return req.single ? null : [];
      var found;
      try { found = Array.prototype.slice.call(scopeOf(page, msg.root).querySelectorAll(selectorFor(req.selector))); } catch (e) { found = []; }
      found = found.filter(function (el) { return el.__capsule; });
      return req.single ? (found[0] ? describe(found[0], req.fields || {}) : null)
        : found.map(function (el) { return describe(el, req.fields || {}); });
    });
  }
  function describe(el, fields) {
    var out = {};
    var origin = screen.getBoundingClientRect();
    var attrs = el ? el.__capsule.attrs || {} : {};
    if (fields.id) out.id = el ? String(attrs.id == null ? '' : attrs.id) : '';
    if (fields.dataset) {
      out.dataset = {};
      Object.keys(attrs).forEach(function (name) {
        if (name.indexOf('data-') !== 0) return;
        var key = name.slice(5).replace(/-([a-z])/g, function (m, c) { return c.toUpperCase(); });
        out.dataset[key] = attrs[name];
      });
    }
    if (fields.rect || fields.size) {
      var r = el ? el.getBoundingClientRect() : { left: origin.left, top: origin.top, width: screen.clientWidth, height: screen.clientHeight };
      if (fields.rect) {
        out.left = r.left - origin.left; out.top = r.top - origin.top;
        out.right = out.left + r.width; out.bottom = out.top + r.height;
      }
      if (fields.size) { out.width = r.width; out.height = r.height; }
    }
    if (fields.scrollOffset) {
      var s = el || screen;
      out.scrollLeft = s.scrollLeft; out.scrollTop = s.scrollTop;
      out.scrollWidth = s.scrollWidth; out.scrollHeight = s.scrollHeight;
    }
    if (el && Array.isArray(fields.properties)) {
      fields.properties.forEach(function (name) {
        var key = String(name).replace(/-([a-z])/g, function (m, c) { return c.toUpperCase(); });
        var dashed = String(name).replace(/[A-Z]/g, function (c) { return '-' + c.toLowerCase(); });
        out[key] = attrs[dashed] !== undefined ? attrs[dashed] : attrs[name];
      });
    }
    if (el && Array.isArray(fields.computedStyle)) {
      var style = getComputedStyle(el);
      fields.computedStyle.forEach(function (name) { out[name] = style.getPropertyValue(String(name).replace(/[A-Z]/g, function (c) { return '-' + c.toLowerCase(); })); });
    }
    return out;
  }

  // An intersection observer on the browser's own: a report whenever a target's ratio
  // crosses one of the thresholds, starting from `initialRatio` (so a target hidden from the
  // start reports nothing, as on the platform).
  var observers = new Map();
  function observe(msg) {
    unobserve(msg.seq);
    var page = byId.get(msg.page);
    if (!page) return;
    var rel = msg.relative || { viewport: true };
    var root = screen;
    if (!rel.viewport) {
      try { root = scopeOf(page, msg.root).querySelector(selectorFor(rel.selector)); } catch (e) { root = null; }
      if (!root) return;
    }
    var m = rel.margins || {};
    var margin = [m.top, m.right, m.bottom, m.left].map(function (v) { return (Number(v) || 0) + 'px'; }).join(' ');
    var thresholds = (msg.thresholds && msg.thresholds.length ? msg.thresholds : [0])
      .map(function (t) { return Math.min(1, Math.max(0, Number(t) || 0)); });
    function passes(ratio, t) { return t === 0 ? ratio > 0 : ratio >= t; }
    var last = new Map();
    var io = new IntersectionObserver(function (entries) {
      var origin = screen.getBoundingClientRect();
      entries.forEach(function (entry) {
        var ratio = entry.isIntersecting ? entry.intersectionRatio : 0;
        var before = last.has(entry.target) ? last.get(entry.target) : (Number(msg.initialRatio) || 0);
        last.set(entry.target, ratio);
        if (!thresholds.some(function (t) { return passes(before, t) !== passes(ratio, t); })) return;
        var described = describe(entry.target, { id: true, dataset: true });
        function rect(r) {
          return r ? { left: r.left - origin.left, top: r.top - origin.top, right: r.right - origin.left,
            bottom: r.bottom - origin.top, width: r.width, height: r.height } : null;
        }
        send({ type: 'intersection', seq: msg.seq, result: {
          id: described.id, dataset: described.dataset, intersectionRatio: ratio,
          intersectionRect: rect(entry.intersectionRect), boundingClientRect: rect(entry.boundingClientRect),
          relativeRect: rect(entry.rootBounds), time: Date.now() } });
      });
    }, { root: root, rootMargin: margin, threshold: thresholds });
    var targets;
    try { targets = Array.prototype.slice.call(scopeOf(page, msg.root).querySelectorAll(selectorFor(msg.selector))); } catch (e) { targets = []; }
    targets = targets.filter(function (el) { return el.__capsule; });
    (msg.observeAll ? targets : targets.slice(0, 1)).forEach(function (el) { io.observe(el); });
    observers.set(msg.seq, { io: io, page: msg.page });
  }
  function unobserve(seq) {
    var o = observers.get(seq);
    if (o) { o.io.disconnect(); observers.delete(seq); }
  }

  // ---- page scroll, reach bottom, pull-down refresh --------------------------------------
  var scrolled = 0, reachedBottom = false, scrollTimer = null;
  screen.addEventListener('scroll', function () {
    var t = top();
    if (!t) return;
    scrolled = screen.scrollTop;
    if (!scrollTimer) scrollTimer = setTimeout(function () {
      scrollTimer = null;
      send({ type: 'pageEvent', page: t.id, hook: 'onPageScroll', arg: { scrollTop: scrolled } });
    }, 50);
    var distance = Number(t.window.onReachBottomDistance || 50);
    var atBottom = screen.scrollTop + screen.clientHeight >= screen.scrollHeight - distance;
    if (atBottom && !reachedBottom) send({ type: 'pageEvent', page: t.id, hook: 'onReachBottom' });
    reachedBottom = atBottom;
  });
  var refreshEl = document.getElementById('capsule-refresh');
  var pullStart = null;
  // Pulling down from the top of a page that enables it: the refresh area follows the
  // finger (at half its travel) and refreshes when let go past 60 px.
  var PULL_TO_REFRESH = 60;
  function pulling() { var t = top(); return pullStart !== null && t && t.window.enablePullDownRefresh && refreshEl.className !== 'active'; }
  screen.addEventListener('pointerdown', function (e) { pullStart = screen.scrollTop === 0 ? e.clientY : null; });
  screen.addEventListener('pointermove', function (e) {
    if (pulling()) refreshEl.style.height = Math.max(0, Math.min(80, (e.clientY - pullStart) / 2)) + 'px';
  });
  function endPull(e) {
    var t = top();
    if (pulling() && e.type === 'pointerup' && e.clientY - pullStart > PULL_TO_REFRESH) startRefresh(t);
    refreshEl.style.height = '';
    pullStart = null;
  }
  screen.addEventListener('pointerup', endPull);
  screen.addEventListener('pointercancel', endPull);
  function startRefresh(page) {
    refreshEl.className = 'active';
    send({ type: 'pageEvent', page: page.id, hook: 'onPullDownRefresh' });
  }
  function stopRefresh() { refreshEl.className = ''; }

  var overlayEl = document.getElementById('capsule-overlay');

  // ---- device requests -----------------------------------------------------------------------
  // What the bridge needs a person for: the answer goes back over HTTP (it may carry files).
  var deviceEl = document.getElementById('capsule-device-sheet');
  function answerDevice(seq, answer) {
    deviceEl.className = '';
    answerHost('/capsule-device/' + seq, answer);
  }
  function field(body, label, type, value) {
    var l = document.createElement('label');
    l.textContent = label;
    var input = document.createElement('input');
    input.type = type;
    if (value !== undefined) input.value = value;
    if (type === 'number') input.step = 'any';
    l.appendChild(input);
    body.appendChild(l);
    return input;
  }
  function base64Of(buffer) {
    var bytes = new Uint8Array(buffer), out = '';
    for (var i = 0; i < bytes.length; i += 0x8000) out += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(out);
  }
  function deviceRequest(msg) {
    var body = deviceEl.querySelector('.body');
    var title = deviceEl.querySelector('.title');
    var confirm = deviceEl.querySelector('.confirm');
    body.innerHTML = '';
    confirm.textContent = 'OK';
    deviceEl.querySelector('.cancel').onclick = function () { answerDevice(msg.seq, null); };
    var args = msg.args || {};
    var answer;
    switch (msg.request) {
      case 'scanCode': {
        title.textContent = 'Scan a code';
        var text = field(body, 'The code says', 'text', '');
        answer = function () { return { result: text.value, scanType: 'QR_CODE' }; };
        setTimeout(function () { text.focus(); }, 0);
        break;
      }
      case 'chooseLocation': {
        title.textContent = 'Choose a location';
        var lat = field(body, 'Latitude', 'number', args.latitude);
        var lng = field(body, 'Longitude', 'number', args.longitude);
        var name = field(body, 'Name', 'text', '');
        var address = field(body, 'Address', 'text', '');
        answer = function () { return { latitude: Number(lat.value), longitude: Number(lng.value), name: name.value, address: address.value }; };
        break;
      }
      case 'makePhoneCall': {
        title.textContent = 'Call';
        body.textContent = 'Call ' + args.phoneNumber + '?';
        confirm.textContent = 'Call';
        answer = function () { return { call: true }; };
        break;
      }
      case 'chooseImage':
      case 'chooseMedia': {
        title.textContent = msg.request === 'chooseImage' ? 'Choose images' : 'Choose media';
        var picker = field(body, 'Up to ' + (args.count || 9), 'file');
        picker.accept = args.accept || 'image/*';
        picker.multiple = (args.count || 9) > 1;
        answer = function () {
          var chosen = Array.prototype.slice.call(picker.files || [], 0, args.count || 9);
          return Promise.all(chosen.map(function (f) {
            return f.arrayBuffer().then(function (b) { return { name: f.name, data: { __capsuleBytes: base64Of(b) } }; });
          })).then(function (files) { return files.length ? { files: files } : null; });
        };
        break;
      }
      default:
        answerDevice(msg.seq, null);
        return;
    }
    // A file that cannot be read counts as no choice.
    confirm.onclick = function () {
      Promise.resolve().then(answer).then(function (a) { answerDevice(msg.seq, a); }, function () { answerDevice(msg.seq, null); });
    };
    deviceEl.className = 'show';
  }
  // The simulator's own control: where the device is (what getLocation reports).
  document.getElementById('capsule-set-location').addEventListener('click', function () {
    hostFetch('/capsule-location').then(function (r) { return r.ok ? r.json() : { latitude: 0, longitude: 0 }; }).then(function (now) {
      var body = deviceEl.querySelector('.body');
      body.innerHTML = '';
      deviceEl.querySelector('.title').textContent = 'Device location';
      deviceEl.querySelector('.confirm').textContent = 'Set';
      var lat = field(body, 'Latitude', 'number', now.latitude);
      var lng = field(body, 'Longitude', 'number', now.longitude);
      deviceEl.querySelector('.cancel').onclick = function () { deviceEl.className = ''; };
      deviceEl.querySelector('.confirm').onclick = function () {
        deviceEl.className = '';
        answerHost('/capsule-location', { latitude: Number(lat.value), longitude: Number(lng.value) });
      };
      deviceEl.className = 'show';
    });
  });
  var vibrateTimer = null;
  function vibrate(ms) {
    var phone = document.getElementById('capsule-phone');
    phone.classList.add('vibrating');
    clearTimeout(vibrateTimer);
    vibrateTimer = setTimeout(function () { phone.classList.remove('vibrating'); }, Math.max(15, Number(ms) || 15));
  }

  // ---- toast and modal -------------------------------------------------------------------
  var toastEl = document.getElementById('capsule-toast');
  var toastTimer = null;
  function showToast(msg) {
    clearTimeout(toastTimer);
    if (!msg.show) { toastEl.className = ''; return; }
    toastEl.textContent = msg.title || '';
    toastEl.className = 'show' + (msg.icon === 'none' ? ' plain' : '') + (msg.loading ? ' loading' : '');
    if (msg.duration > 0) toastTimer = setTimeout(function () { toastEl.className = ''; }, msg.duration);
  }
  var modalEl = document.getElementById('capsule-modal');
  function showModal(msg) {
    modalEl.querySelector('.title').textContent = msg.title || '';
    modalEl.querySelector('.content').textContent = msg.content || '';
    var cancel = modalEl.querySelector('.cancel');
    var confirm = modalEl.querySelector('.confirm');
    cancel.style.display = msg.showCancel === false ? 'none' : '';
    cancel.textContent = msg.cancelText || 'Cancel';
    confirm.textContent = msg.confirmText || 'OK';
    modalEl.className = 'show';
    function answer(ok) {
      modalEl.className = '';
      cancel.onclick = confirm.onclick = null;
      send({ type: 'modalAnswer', seq: msg.seq, confirm: ok });
    }
    cancel.onclick = function () { answer(false); };
    confirm.onclick = function () { answer(true); };
  }

  // showActionSheet: a list of choices from the bottom; Cancel answers with a failure.
  function showActionSheet(msg) {
    var sheet = document.getElementById('capsule-action-sheet');
    var list = sheet.querySelector('.list');
    list.innerHTML = '';
    (msg.itemList || []).forEach(function (item, i) {
      var row = document.createElement('button');
      row.textContent = item;
      row.setAttribute('data-index', i);
      if (msg.itemColor) row.style.color = msg.itemColor;
      row.onclick = function () { sheet.className = ''; send({ type: 'actionSheetAnswer', seq: msg.seq, tapIndex: i }); };
      list.appendChild(row);
    });
    sheet.className = 'show';
    sheet.querySelector('.cancel').onclick = function () { sheet.className = ''; send({ type: 'actionSheetAnswer', seq: msg.seq, tapIndex: -1 }); };
  }

  // A permission prompt: the app's reason and three choices.
  function showPrompt(msg) {
    var box = document.getElementById('capsule-prompt');
    box.querySelector('.title').textContent = 'Allow ' + msg.scope + '?';
    box.querySelector('.content').textContent = msg.reason || '';
    box.className = 'show';
    box.querySelectorAll('button').forEach(function (b) {
      b.onclick = function () {
        box.className = '';
        answerHost('/capsule-prompt/' + msg.seq, { answer: b.getAttribute('data-answer') });
      };
    });
  }

  // wx.openSetting: each decided scope with a switch; Done sends them back.
  function showSettings(msg) {
    var sheet = document.getElementById('capsule-settings');
    var list = sheet.querySelector('.list');
    list.innerHTML = '';
    Object.keys(msg.scopes).forEach(function (scope) {
      var row = document.createElement('label');
      var box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = !!msg.scopes[scope];
      box.setAttribute('data-scope', scope);
      row.appendChild(document.createTextNode(scope));
      row.appendChild(box);
      list.appendChild(row);
    });
    sheet.className = 'show';
    sheet.querySelector('.done').onclick = function () {
      var scopes = {};
      list.querySelectorAll('input').forEach(function (b) { scopes[b.getAttribute('data-scope')] = b.checked; });
      sheet.className = '';
      answerHost('/capsule-settings/' + msg.seq, { scopes: scopes });
    };
  }

  connect();
})();
