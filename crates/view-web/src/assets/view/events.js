// What the user does on a page, as the host hears it. A mouse is a finger, as in the
// platform's tools, and real touch input is fingers: each gives `touchstart`, `touchmove`,
// `touchend` (or `touchcancel`) with the platform's touch lists, then `tap` / `longpress` by
// the platform's rules. Hover classes follow the finger, and a navigator navigates.
import { up, origin, attr, truthy } from './tree.js';
import { controlTap } from './controls.js';
import { send } from './protocol.js';

var pagesEl = document.getElementById('capsule-pages');
var screenEl = document.getElementById('capsule-screen');

// A finger held this long without moving is a long press (and no tap follows when the page
// listens for it); one that moves further than TAP_SLOP px is a drag (no tap, no long press).
var LONG_PRESS_MS = 350;
var TAP_SLOP = 10;

// The node a DOM element belongs to: itself, or the nearest ancestor the template wrote
// (a component's inner elements — a scroll-view's content, a swiper's track — are not).
function nodeOf(el) {
  while (el && !(el.__capsule && el.__capsule.page && !(el instanceof ShadowRoot))) el = up(el);
  return el;
}
// The template's nodes from `el` up to its page, skipping a component's inner elements.
function pathOf(el) {
  var path = [];
  for (var e = nodeOf(el); e && e !== document; e = up(e)) {
    if (!e.__capsule || e instanceof ShadowRoot) continue;
    path.push(e);
    if (e.tagName === 'WX-PAGE') break;
  }
  return path;
}
function listened(path, type) {
  return path.some(function (e) {
    var ls = e.__capsule.listeners || [];
    return ls.some(function (l) {
      return l.event === type;
    });
  });
}
// The screen's box and zoom: coordinates are the page's CSS pixels, as its script sees them.
function frame() {
  var r = screenEl.getBoundingClientRect();
  var scale = screenEl.offsetWidth ? r.width / screenEl.offsetWidth : 1;
  return { left: r.left, top: r.top, scale: scale || 1, scrollX: screenEl.scrollLeft, scrollY: screenEl.scrollTop };
}
// Where each node on the path sits on the page (offsetLeft / offsetTop), for the targets.
function offsets(path) {
  var f = frame();
  return path.map(function (e) {
    var r = e.getBoundingClientRect();
    return {
      node: e.__capsule.id,
      left: Math.round((r.left - f.left) / f.scale + f.scrollX),
      top: Math.round((r.top - f.top) / f.scale + f.scrollY),
    };
  });
}
// A browser point (a mouse event or a Touch) as the platform's touch object.
function touchOf(p, identifier, force) {
  var f = frame();
  var clientX = (p.clientX - f.left) / f.scale;
  var clientY = (p.clientY - f.top) / f.scale;
  return {
    identifier: identifier,
    pageX: clientX + f.scrollX,
    pageY: clientY + f.scrollY,
    clientX: clientX,
    clientY: clientY,
    force: force,
  };
}

// Reports an event of the node `el` is in (`pointer`: the touch lists, for touch events and
// taps), and the `model:value` edit an input makes. The host propagates; the view only names
// the target, and sends nothing when no node on the path listens.
export function dispatch(el, type, detail, pointer) {
  var node = nodeOf(el);
  if (!node) return;
  var c = node.__capsule;
  if (type === 'input' && c.attrs && typeof c.attrs['model:value'] === 'string') {
    send({ type: 'model', page: c.page.id, path: c.attrs['model:value'], value: detail.value });
  }
  var path = pathOf(node);
  if (!listened(path, type)) return;
  send({
    type: 'event',
    page: c.page.id,
    node: c.id,
    event: type,
    detail: detail || {},
    pointer: {
      touches: (pointer && pointer.touches) || [],
      changedTouches: (pointer && pointer.changedTouches) || [],
      offsets: offsets(path),
    },
  });
}

// ---- fingers -----------------------------------------------------------------------------
// Every finger down: key ('mouse', or 'touch' and the browser's identifier) → { target, touch }. The first finger of a gesture may end in
// a tap or a long press; a second finger makes it a multi-touch gesture, which does neither.
var fingers = new Map();
var gesture = null;
var hovered = [];

function down() {
  return Array.from(fingers.values()).map(function (f) {
    return f.touch;
  });
}
function report(type, changed) {
  var first = changed[0];
  var lists = {
    touches: down(),
    changedTouches: changed.map(function (c) {
      return c.touch;
    }),
  };
  dispatch(first.target, type, { x: first.touch.pageX, y: first.touch.pageY }, lists);
}
function start(points) {
  var changed = points.map(function (p) {
    var finger = { target: p.target, touch: p.touch };
    fingers.set(p.key, finger);
    return finger;
  });
  if (fingers.size === changed.length && changed.length === 1) {
    startGesture(changed[0]);
  } else {
    endGesture(false);
  }
  report('touchstart', changed);
}
function move(points) {
  var changed = [];
  var pressed = [];
  points.forEach(function (p) {
    var finger = fingers.get(p.key);
    if (!finger) return;
    if (p.touch.force !== finger.touch.force) pressed.push(finger);
    finger.touch = p.touch;
    changed.push(finger);
    if (gesture && gesture.finger === finger) {
      var dx = p.touch.clientX - gesture.x,
        dy = p.touch.clientY - gesture.y;
      if (Math.sqrt(dx * dx + dy * dy) > TAP_SLOP) endGesture(false);
    }
  });
  if (changed.length) report('touchmove', changed);
  // A finger pressing harder or lighter (3D Touch on the platform's phones; a pen's or a
  // touch screen's pressure here).
  if (pressed.length) report('touchforcechange', pressed);
}
function end(points, cancelled) {
  var changed = [];
  points.forEach(function (p) {
    var finger = fingers.get(p.key);
    if (!finger) return;
    finger.touch = p.touch;
    fingers.delete(p.key);
    changed.push(finger);
  });
  if (!changed.length) return;
  report(cancelled ? 'touchcancel' : 'touchend', changed);
  var g = gesture;
  if (g && changed.indexOf(g.finger) >= 0) {
    endGesture(!cancelled);
    if (!cancelled && !(g.long && listened(pathOf(g.finger.target), 'longpress'))) tap(g.finger);
  }
}

function startGesture(finger) {
  endGesture(false);
  var g = { finger: finger, x: finger.touch.clientX, y: finger.touch.clientY, long: false, timer: null };
  g.timer = setTimeout(function () {
    if (gesture !== g) return;
    g.long = true;
    var lists = { touches: down(), changedTouches: [finger.touch] };
    var at = { x: finger.touch.pageX, y: finger.touch.pageY };
    dispatch(finger.target, 'longpress', at, lists);
    dispatch(finger.target, 'longtap', at, lists);
  }, LONG_PRESS_MS);
  gesture = g;
  hovered = hoverTargets(nodeOf(finger.target));
  hovered.forEach(function (h) {
    unhover(h.el);
    h.el.__hover = h;
    h.start = setTimeout(function () {
      h.el.classList.add(h.cls);
    }, h.startTime);
  });
}
// A lifted finger leaves the hover classes on for their stay time; a gesture that turns into
// a drag, a second finger or a cancel takes them off at once.
function endGesture(lifted) {
  if (gesture) clearTimeout(gesture.timer);
  gesture = null;
  hovered.forEach(function (h) {
    if (!lifted) unhover(h.el);
    else
      h.stay = setTimeout(function () {
        unhover(h.el);
      }, h.stayTime);
  });
  hovered = [];
}
function unhover(el) {
  var h = el.__hover;
  if (!h) return;
  clearTimeout(h.start);
  clearTimeout(h.stay);
  el.classList.remove(h.cls);
  el.__hover = null;
}
// What a press shows pressed, as the platform does: views, buttons and navigators with a
// `hover-class` (a button's is `button-hover` and a navigator's `navigator-hover` unless
// `none`), from the pressed node up to the first with `hover-stop-propagation`; the class
// comes `hover-start-time` ms after the press (50, a button's 20) and stays
// `hover-stay-time` ms after the lift (400, a button's 70, a navigator's 600).
var HOVER = {
  view: { cls: 'none', start: 50, stay: 400 },
  button: { cls: 'button-hover', start: 20, stay: 70 },
  navigator: { cls: 'navigator-hover', start: 50, stay: 600 },
};
function hoverTargets(node) {
  var out = [];
  var path = node ? pathOf(node) : [];
  for (var i = 0; i < path.length; i++) {
    var el = path[i];
    var kind = HOVER[el.__capsule.tag];
    if (!kind) continue;
    var cls = String(attr(el, 'hover-class', kind.cls) || 'none');
    var disabled = el.__capsule.tag === 'button' && truthy(attr(el, 'disabled', false));
    if (cls !== 'none' && !disabled) {
      out.push({
        el: el,
        cls: cls,
        startTime: Math.max(0, Number(attr(el, 'hover-start-time', kind.start)) || 0),
        stayTime: Math.max(0, Number(attr(el, 'hover-stay-time', kind.stay)) || 0),
        start: null,
        stay: null,
      });
    }
    if (truthy(attr(el, 'hover-stop-propagation', false))) break;
  }
  return out;
}

function tap(finger) {
  var node = nodeOf(finger.target);
  if (!node) return;
  if (node.__capsule.tag === 'button' && truthy(attr(node, 'disabled', false))) return;
  var lists = { touches: [finger.touch], changedTouches: [finger.touch] };
  dispatch(node, 'tap', { x: finger.touch.pageX, y: finger.touch.pageY }, lists);
  controlTap(node);
  // A navigator navigates by itself.
  var navigator = pathOf(node).find(function (n) {
    return n.__capsule.tag === 'navigator';
  });
  if (navigator) {
    var kind =
      {
        navigate: 'navigateTo',
        redirect: 'redirectTo',
        switchTab: 'switchTab',
        reLaunch: 'reLaunch',
        navigateBack: 'navigateBack',
      }[attr(navigator, 'open-type', 'navigate')] || 'navigateTo';
    var url = kind === 'navigateBack' ? String(attr(navigator, 'delta', 1)) : String(attr(navigator, 'url', ''));
    send({ type: 'navigate', kind: kind, url: url });
  }
}

// A mouse (or pen) is one finger while its main button is down; touch pointers are left to
// the touch events below, which keep delivering moves and the lift while the page scrolls.
function mousePoint(e) {
  return { key: 'mouse', target: origin(e), touch: touchOf(e, 0, 1) };
}
pagesEl.addEventListener('pointerdown', function (e) {
  if (e.pointerType === 'touch' || e.button !== 0) return;
  start([mousePoint(e)]);
});
pagesEl.addEventListener('pointermove', function (e) {
  if (e.pointerType === 'touch' || !fingers.has('mouse')) return;
  move([mousePoint(e)]);
});
pagesEl.addEventListener('pointerup', function (e) {
  if (e.pointerType === 'touch') return;
  end([mousePoint(e)], false);
});
pagesEl.addEventListener('pointercancel', function (e) {
  if (e.pointerType === 'touch') return;
  end([mousePoint(e)], true);
});
// A mouse released outside the page still lifts the finger.
window.addEventListener('pointerup', function (e) {
  if (e.pointerType !== 'touch' && fingers.has('mouse') && !pagesEl.contains(origin(e))) end([mousePoint(e)], false);
});

// The event's own target is where its first finger landed, inside components too (a Touch's
// target is retargeted to the outermost component).
function touchPoints(e) {
  return Array.from(e.changedTouches).map(function (t, i) {
    var target = i === 0 ? origin(e) : t.target;
    return { key: 'touch' + t.identifier, target: target, touch: touchOf(t, t.identifier, t.force) };
  });
}
var passive = { passive: true };
pagesEl.addEventListener(
  'touchstart',
  function (e) {
    start(touchPoints(e));
  },
  passive,
);
pagesEl.addEventListener(
  'touchmove',
  function (e) {
    move(touchPoints(e));
  },
  passive,
);
pagesEl.addEventListener(
  'touchend',
  function (e) {
    end(touchPoints(e), false);
  },
  passive,
);
pagesEl.addEventListener(
  'touchcancel',
  function (e) {
    end(touchPoints(e), true);
  },
  passive,
);
