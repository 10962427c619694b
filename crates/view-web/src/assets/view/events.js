// What the user does on a page, as the host hears it: pointer input becomes touches, taps,
// long presses and hover classes, and a navigator navigates.
import { up, origin, attr, truthy } from './tree.js';
import { controlTap } from './controls.js';
import { send } from './protocol.js';

var pagesEl = document.getElementById('capsule-pages');

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
// Reports an event of the node `el` is in, and the `model:value` edit an input makes.
export function dispatch(el, type, detail, touches) {
  var node = nodeOf(el);
  if (!node) return;
  var c = node.__capsule;
  if (type === 'input' && c.attrs && typeof c.attrs['model:value'] === 'string') {
    send({ type: 'model', page: c.page.id, path: c.attrs['model:value'], value: detail.value });
  }
  if (!listened(node, type)) return;
  send({ type: 'event', page: c.page.id, node: c.id, event: type, detail: detail || {}, touches: touches || [] });
}

var pressTimer = null,
  pressed = false,
  longPressed = false,
  hovered = [];
// A press that moves further than this is a drag: no tap, no long press.
var TAP_SLOP = 10;
var pressX = 0,
  pressY = 0,
  dragged = false;
pagesEl.addEventListener('pointerdown', function (e) {
  pressed = true;
  longPressed = false;
  pressX = e.clientX;
  pressY = e.clientY;
  dragged = false;
  var target = origin(e);
  var point = [{ identifier: e.pointerId, pageX: e.pageX, pageY: e.pageY, clientX: e.clientX, clientY: e.clientY }];
  dispatch(target, 'touchstart', {}, point);
  clearTimeout(pressTimer);
  pressTimer = setTimeout(function () {
    if (pressed) {
      longPressed = true;
      dispatch(target, 'longpress', { x: e.pageX, y: e.pageY }, point);
    }
  }, 350);
  var hover = nodeOf(target);
  for (var h = hover; h && h.__capsule; h = up(h)) {
    var cls = h.__capsule.attrs && h.__capsule.attrs['hover-class'];
    if (cls && cls !== 'none') {
      h.classList.add(cls);
      h.__hover = cls;
      hovered.push(h);
    }
  }
});
pagesEl.addEventListener('pointermove', function (e) {
  if (!pressed) return;
  if (!dragged && Math.abs(e.clientX - pressX) + Math.abs(e.clientY - pressY) > TAP_SLOP) {
    dragged = true;
    clearTimeout(pressTimer);
  }
  dispatch(origin(e), 'touchmove', {}, [
    { identifier: e.pointerId, pageX: e.pageX, pageY: e.pageY, clientX: e.clientX, clientY: e.clientY },
  ]);
});
function release(e, type) {
  if (!pressed) return;
  pressed = false;
  clearTimeout(pressTimer);
  dispatch(origin(e), type, {}, [
    { identifier: e.pointerId, pageX: e.pageX, pageY: e.pageY, clientX: e.clientX, clientY: e.clientY },
  ]);
  hovered.forEach(function (h) {
    if (h.__hover) {
      h.classList.remove(h.__hover);
      h.__hover = null;
    }
  });
  hovered = [];
}
pagesEl.addEventListener('pointerup', function (e) {
  release(e, 'touchend');
});
pagesEl.addEventListener('pointercancel', function (e) {
  release(e, 'touchcancel');
});
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
      var kind =
        {
          navigate: 'navigateTo',
          redirect: 'redirectTo',
          switchTab: 'switchTab',
          reLaunch: 'reLaunch',
          navigateBack: 'navigateBack',
        }[attr(n, 'open-type', 'navigate')] || 'navigateTo';
      var url = kind === 'navigateBack' ? String(attr(n, 'delta', 1)) : String(attr(n, 'url', ''));
      send({ type: 'navigate', kind: kind, url: url });
      break;
    }
  }
});
