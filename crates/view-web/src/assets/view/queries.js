// What the app asks of the layout: selector queries (answered from the real layout),
// intersection observers (the browser's own, reporting each crossing of a threshold), and
// scrolling the page to an offset or an element.
import { BUILTIN } from './tree.js';
import { byId, top } from './pages.js';
import { send } from './protocol.js';

var screen = document.getElementById('capsule-screen');
var pagesEl = document.getElementById('capsule-pages');

// pageScrollTo: to a offset, or to the first element a selector finds in the shown page.
export function pageScrollTo(msg) {
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
  return selector.replace(/(^|[\s>+~,(])([a-z][a-z-]*)(?=[.#[:\s>+~,)]|$)/g, function (_, pre, tag) {
    return pre + (BUILTIN.indexOf(tag) >= 0 ? 'wx-' + tag : tag);
  });
}

// Where a query looks: a component's shadow root (its own template only), or the page.
export function scopeOf(page, root) {
  var r = root == null ? null : page.nodes.get(root);
  return r && r.querySelectorAll ? r : page.el;
}

// A selector query, answered from the real layout. Rects are in px relative to the page's
// viewport (below the navigation bar), as the platform reports them.
// `selectorQuery`: the answer goes back at once.
export function answerSelectorQuery(msg) {
  send({ type: 'selectorQueryAnswer', seq: msg.seq, results: selectorQuery(msg) });
}
function selectorQuery(msg) {
  var page = byId.get(msg.page);
  return (msg.requests || []).map(function (req) {
    if (req.viewport) return describe(null, req.fields || {});
    if (!page) return req.single ? null : [];
    var found;
    try {
      found = Array.prototype.slice.call(scopeOf(page, msg.root).querySelectorAll(selectorFor(req.selector)));
    } catch {
      found = [];
    }
    found = found.filter(function (el) {
      return el.__capsule;
    });
    return req.single
      ? found[0]
        ? describe(found[0], req.fields || {})
        : null
      : found.map(function (el) {
          return describe(el, req.fields || {});
        });
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
      var key = name.slice(5).replace(/-([a-z])/g, function (_, c) {
        return c.toUpperCase();
      });
      out.dataset[key] = attrs[name];
    });
  }
  if (fields.rect || fields.size) {
    var r = el
      ? el.getBoundingClientRect()
      : { left: origin.left, top: origin.top, width: screen.clientWidth, height: screen.clientHeight };
    if (fields.rect) {
      out.left = r.left - origin.left;
      out.top = r.top - origin.top;
      out.right = out.left + r.width;
      out.bottom = out.top + r.height;
    }
    if (fields.size) {
      out.width = r.width;
      out.height = r.height;
    }
  }
  if (fields.scrollOffset) {
    var s = el || screen;
    out.scrollLeft = s.scrollLeft;
    out.scrollTop = s.scrollTop;
    out.scrollWidth = s.scrollWidth;
    out.scrollHeight = s.scrollHeight;
  }
  if (el && Array.isArray(fields.properties)) {
    fields.properties.forEach(function (name) {
      var key = String(name).replace(/-([a-z])/g, function (_, c) {
        return c.toUpperCase();
      });
      var dashed = String(name).replace(/[A-Z]/g, function (c) {
        return '-' + c.toLowerCase();
      });
      out[key] = attrs[dashed] !== undefined ? attrs[dashed] : attrs[name];
    });
  }
  if (el && Array.isArray(fields.computedStyle)) {
    var style = getComputedStyle(el);
    fields.computedStyle.forEach(function (name) {
      out[name] = style.getPropertyValue(
        String(name).replace(/[A-Z]/g, function (c) {
          return '-' + c.toLowerCase();
        }),
      );
    });
  }
  return out;
}

// An intersection observer on the browser's own: a report whenever a target's ratio
// crosses one of the thresholds, starting from `initialRatio` (so a target hidden from the
// start reports nothing, as on the platform).
var observers = new Map();
export function observe(msg) {
  unobserve(msg.seq);
  var page = byId.get(msg.page);
  if (!page) return;
  var rel = msg.relative || { viewport: true };
  var root = screen;
  if (!rel.viewport) {
    try {
      root = scopeOf(page, msg.root).querySelector(selectorFor(rel.selector));
    } catch {
      root = null;
    }
    if (!root) return;
  }
  var m = rel.margins || {};
  var margin = [m.top, m.right, m.bottom, m.left]
    .map(function (v) {
      return (Number(v) || 0) + 'px';
    })
    .join(' ');
  var thresholds = (msg.thresholds && msg.thresholds.length ? msg.thresholds : [0]).map(function (t) {
    return Math.min(1, Math.max(0, Number(t) || 0));
  });
  function passes(ratio, t) {
    return t === 0 ? ratio > 0 : ratio >= t;
  }
  var last = new Map();
  var io = new IntersectionObserver(
    function (entries) {
      var origin = screen.getBoundingClientRect();
      entries.forEach(function (entry) {
        var ratio = entry.isIntersecting ? entry.intersectionRatio : 0;
        var before = last.has(entry.target) ? last.get(entry.target) : Number(msg.initialRatio) || 0;
        last.set(entry.target, ratio);
        if (
          !thresholds.some(function (t) {
            return passes(before, t) !== passes(ratio, t);
          })
        )
          return;
        var described = describe(entry.target, { id: true, dataset: true });
        function rect(r) {
          return r
            ? {
                left: r.left - origin.left,
                top: r.top - origin.top,
                right: r.right - origin.left,
                bottom: r.bottom - origin.top,
                width: r.width,
                height: r.height,
              }
            : null;
        }
        send({
          type: 'intersection',
          seq: msg.seq,
          result: {
            id: described.id,
            dataset: described.dataset,
            intersectionRatio: ratio,
            intersectionRect: rect(entry.intersectionRect),
            boundingClientRect: rect(entry.boundingClientRect),
            relativeRect: rect(entry.rootBounds),
            time: Date.now(),
          },
        });
      });
    },
    { root: root, rootMargin: margin, threshold: thresholds },
  );
  var targets;
  try {
    targets = Array.prototype.slice.call(scopeOf(page, msg.root).querySelectorAll(selectorFor(msg.selector)));
  } catch {
    targets = [];
  }
  targets = targets.filter(function (el) {
    return el.__capsule;
  });
  (msg.observeAll ? targets : targets.slice(0, 1)).forEach(function (el) {
    io.observe(el);
  });
  observers.set(msg.seq, { io: io, page: msg.page });
}
export function unobserve(seq) {
  var o = observers.get(seq);
  if (o) {
    o.io.disconnect();
    observers.delete(seq);
  }
}
// A page that closes ends its observers.
export function unobservePage(id) {
  observers.forEach(function (o, seq) {
    if (o.page === id) unobserve(seq);
  });
}
