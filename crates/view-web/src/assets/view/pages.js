// The pages and their frame: the live pages and the stack (which page is shown), each page's
// sheet, the navigation bar and the tab bar, and the page-level gestures the app hears as
// hooks (page scroll, reach bottom, pull-down refresh).
import { buildSnapshot, sansFallback } from './tree.js';
import { send } from './protocol.js';
import { unobservePage } from './queries.js';
import { hideOverlay } from './sheets.js';

var screen = document.getElementById('capsule-screen');
var pagesEl = document.getElementById('capsule-pages');
var titleEl = document.getElementById('capsule-nav-title');
var backEl = document.getElementById('capsule-nav-back');
var navEl = document.getElementById('capsule-nav');
var tabBarEl = document.getElementById('capsule-tabbar');

// What the host said of the app: its sheet, tab bar, window, components' and pages' sheets.
export var app = { css: '', tabBar: null, window: {} };
export var pages = []; // [{id, route, el, nodes: Map, window}], every live page
export var stack = []; // page ids on the stack, bottom first; the last is shown
export var byId = new Map(); // page id -> page

// `reset`: start over with the app as the host describes it.
export function reset(msg) {
  hideOverlay();
  pages.slice().forEach(function (p) {
    closePage(p.id);
  });
  stack.length = 0;
  app.css = msg.appCss || '';
  app.tabBar = msg.tabBar || null;
  app.window = msg.window || {};
  app.components = msg.components || {};
  app.pageCss = msg.pageCss || {};
  app.sheets = new Map();
  setCss('app', app.css);
  renderTabBar();
}

// `stack`: the host's stack replaces the view's.
export function setStack(ids) {
  stack.length = 0;
  Array.prototype.push.apply(stack, ids);
  showTop();
}

// `window`: a page's title, navigation bar or background changed.
export function changeWindow(msg) {
  var page = byId.get(msg.page);
  if (page) {
    Object.assign(page.window, msg.window);
    if (page === top()) showChrome(page);
  }
}

// `tabBar`: the app changed its tab bar.
export function setTabBar(bar) {
  app.tabBar = bar;
  renderTabBar();
}

// ---- styles --------------------------------------------------------------------------
function setCss(key, css) {
  var id = 'css-' + key;
  var el = document.getElementById(id);
  if (!css) {
    if (el) el.remove();
    return;
  }
  if (!el) {
    el = document.createElement('style');
    el.id = id;
    document.head.appendChild(el);
  }
  el.textContent = sansFallback(css);
}

// ---- pages ---------------------------------------------------------------------------
export function top() {
  return byId.get(stack[stack.length - 1]);
}
export function openPage(msg) {
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
  if (msg.notice) showNotice(el, msg.notice);
  showTop();
}
// What the host cannot show of a page yet (a W3C page's template), said on the page itself.
function showNotice(el, text) {
  var n = document.createElement('div');
  n.className = 'capsule-notice';
  n.setAttribute('role', 'note');
  n.textContent = text;
  n.style.cssText =
    'margin:12px;padding:10px 12px;border-radius:6px;background:#fff8e1;color:#5d4037;' +
    'border:1px solid #ffcc80;font:13px/1.5 system-ui,sans-serif';
  el.appendChild(n);
}
export function closePage(id) {
  var page = byId.get(id);
  if (!page) return;
  byId.delete(id);
  pages.splice(pages.indexOf(page), 1);
  if (stack.indexOf(id) >= 0) stack.splice(stack.indexOf(id), 1);
  page.el.remove();
  unobservePage(id);
  setCss('page-' + id, '');
  showTop();
}
function showTop() {
  var t = top();
  pages.forEach(function (p) {
    p.el.style.display = p === t ? '' : 'none';
  });
  if (t) {
    showChrome(t);
    renderTabBar();
  }
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
backEl.addEventListener('click', function () {
  send({ type: 'navigate', kind: 'navigateBack', url: '1' });
});

function renderTabBar() {
  var bar = app.tabBar;
  var t = top();
  var onTab =
    bar &&
    t &&
    bar.list.some(function (i) {
      return i.pagePath === t.route;
    });
  tabBarEl.style.display = onTab && !bar.hidden ? '' : 'none';
  if (!onTab) return;
  tabBarEl.innerHTML = '';
  tabBarEl.style.background = bar.backgroundColor || '#fff';
  tabBarEl.style.borderTopColor = bar.borderStyle === 'white' ? 'rgba(255,255,255,.3)' : '';
  bar.list.forEach(function (item, index) {
    var b = document.createElement('div');
    b.className = 'tab' + (item.pagePath === t.route ? ' selected' : '');
    b.style.color = item.pagePath === t.route ? bar.selectedColor || '#07c160' : bar.color || '#7a7e83';
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
        send({
          type: 'pageEvent',
          page: t.id,
          hook: 'onTabItemTap',
          arg: { index: index, pagePath: item.pagePath, text: item.text },
        });
      } else {
        send({ type: 'navigate', kind: 'switchTab', url: '/' + item.pagePath });
      }
    });
    tabBarEl.appendChild(b);
  });
}

// ---- page scroll, reach bottom, pull-down refresh --------------------------------------
var scrolled = 0,
  reachedBottom = false,
  scrollTimer = null;
screen.addEventListener('scroll', function () {
  var t = top();
  if (!t) return;
  scrolled = screen.scrollTop;
  if (!scrollTimer)
    scrollTimer = setTimeout(function () {
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
function pulling() {
  var t = top();
  return pullStart !== null && t && t.window.enablePullDownRefresh && refreshEl.className !== 'active';
}
screen.addEventListener('pointerdown', function (e) {
  pullStart = screen.scrollTop === 0 ? e.clientY : null;
});
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
export function stopRefresh() {
  refreshEl.className = '';
}
