// The mirror of each page's tree: nodes built from a snapshot and kept current by the host's
// patches, built-in tags as `wx-*` elements, a custom component's `#shadow-root` node as a
// real shadow root with adopted sheets, and attributes as the elements carry them.
import { setup, update, afterChildren } from './controls.js';
import { animate } from './animation.js';
import { app, byId } from './pages.js';

// ---- tree ----------------------------------------------------------------------------
// biome-ignore format: a list of names, wrapped rather than one a line
export var BUILTIN = [
  'view', 'text', 'image', 'button', 'input', 'textarea', 'navigator', 'scroll-view', 'swiper', 'swiper-item',
  'icon', 'progress', 'rich-text', 'checkbox', 'checkbox-group', 'radio', 'radio-group', 'switch', 'slider',
  'picker', 'picker-view', 'picker-view-column', 'form', 'label', 'movable-area', 'movable-view', 'cover-view',
  'cover-image', 'web-view', 'map', 'canvas', 'video', 'audio', 'camera', 'slot', 'block',
];
// The tag of a custom component's shadow root node (the template crate's SHADOW_ROOT).
var SHADOW_ROOT = '#shadow-root';
function elementFor(tag) {
  if (tag === 'slot') return document.createElement('slot');
  return document.createElement(BUILTIN.indexOf(tag) >= 0 ? 'wx-' + tag : tag);
}
function create(page, id, tag, attrs, listeners) {
  if (tag === SHADOW_ROOT) {
    // Becomes a real shadow root when it is put in its component's element.
    var pending = { __capsule: { id: id, tag: tag, listeners: [], page: page, attrs: {} }, __pendingShadow: true };
    (attrs || []).forEach(function (pair) {
      pending.__capsule.attrs[pair[0]] = pair[1];
    });
    page.nodes.set(id, pending);
    return pending;
  }
  var el = elementFor(tag);
  el.__capsule = { id: id, tag: tag, listeners: listeners || [], page: page };
  page.nodes.set(id, el);
  setup(el);
  (attrs || []).forEach(function (pair) {
    setAttr(el, pair[0], pair[1]);
  });
  return el;
}
export function buildSnapshot(page, node) {
  // The root node is the page element itself.
  page.nodes.set(node.id, page.el);
  page.el.__capsule = { id: node.id, tag: 'page', listeners: [], page: page };
  (node.children || []).forEach(function (c) {
    page.el.appendChild(build(page, c));
  });
}
function build(page, node) {
  if (node.text !== undefined && node.text !== null) {
    var t = document.createTextNode(node.text);
    t.__source = node.text;
    page.nodes.set(node.id, t);
    return t;
  }
  var el = create(page, node.id, node.tag, node.attrs, node.listeners);
  (node.children || []).forEach(function (c) {
    if (c.tag === SHADOW_ROOT) {
      el = hostable(page, el);
      var root = attachShadow(page, el, create(page, c.id, c.tag, c.attrs, []));
      (c.children || []).forEach(function (g) {
        root.appendChild(build(page, g));
      });
      return;
    }
    var child = build(page, c);
    contentOf(el).appendChild(child);
    showText(child);
  });
  afterChildren(el);
  return el;
}
// Where a component's children go (a button's label, a scroll-view's content).
function contentOf(el) {
  return el.__content || el;
}
// `patches`: changes to a page's tree, in order.
export function applyPatches(msg) {
  var page = byId.get(msg.page);
  if (page)
    msg.patches.forEach(function (p) {
      applyPatch(page, p);
    });
}
function applyPatch(page, p) {
  var n = page.nodes;
  switch (p.op) {
    case 'create':
      create(page, p.id, p.tag, p.attrs, p.listeners);
      break;
    case 'createText': {
      var t = document.createTextNode(p.text);
      t.__source = p.text;
      n.set(p.id, t);
      break;
    }
    case 'insert':
    case 'move': {
      var node = n.get(p.id),
        parent = n.get(p.parent);
      if (!node || !parent) break;
      if (node.__pendingShadow) {
        attachShadow(page, hostable(page, parent), node);
        break;
      }
      var before = p.before != null ? n.get(p.before) : null;
      var host = contentOf(parent);
      if (before && before.parentNode === host) host.insertBefore(node, before);
      else host.appendChild(node);
      showText(node);
      afterChildren(parent);
      break;
    }
    case 'remove': {
      var gone = n.get(p.id);
      if (gone) {
        forget(page, gone);
        if (gone.parentNode) gone.parentNode.removeChild(gone);
      }
      break;
    }
    case 'setAttr': {
      var el = n.get(p.id);
      if (el && el.__capsule && el.__capsule.tag === SHADOW_ROOT) {
        el.__capsule.attrs[p.name] = p.value;
        adoptStyles(el);
      } else if (el) setAttr(el, p.name, p.value);
      break;
    }
    case 'setText': {
      var tn = n.get(p.id);
      if (tn) {
        tn.__source = p.text;
        showText(tn);
      }
      break;
    }
    case 'setListeners': {
      var le = n.get(p.id);
      if (le && le.__capsule) le.__capsule.listeners = p.listeners;
      break;
    }
    case 'snapshot': {
      page.el.innerHTML = '';
      page.nodes.clear();
      buildSnapshot(page, p.tree);
      break;
    }
  }
}
// A `<text>`'s own text as the platform shows it: `decode` turns the entities the platform
// lists into characters (static text was decoded when compiled; this is for bound text), and
// `space` makes each space the chosen one so that runs of spaces show (the element's CSS
// collapses plain ones). The host's text is kept so either attribute can change later.
var ENTITIES = {
  '&nbsp;': '\u00a0',
  '&ensp;': '\u2002',
  '&emsp;': '\u2003',
  '&lt;': '<',
  '&gt;': '>',
  '&amp;': '&',
  '&apos;': "'",
};
var SPACES = { ensp: '\u2002', emsp: '\u2003', nbsp: '\u00a0' };
function showText(node) {
  var parent = node && node.parentNode;
  if (!node || node.nodeType !== 3 || node.__source === undefined) return;
  var shown = node.__source;
  if (parent && parent.__capsule && parent.__capsule.tag === 'text') {
    if (truthy(attr(parent, 'decode', false)))
      shown = shown.replace(/&(nbsp|ensp|emsp|lt|gt|amp|apos);/g, function (e) {
        return ENTITIES[e];
      });
    var space = SPACES[String(attr(parent, 'space', ''))];
    if (space) shown = shown.replace(/ /g, space);
  }
  if (shown !== node.data) node.data = shown;
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
// Only elements with a custom-element name can hold a shadow root: a component written as
// `<card>` gets the element `wx-card` (its attributes and content come along).
function hostable(page, el) {
  if (/^[a-z][a-z0-9._]*-[a-z0-9._-]*$/.test(el.localName) && !el.localName.startsWith('wx-')) return el;
  if (el.localName.startsWith('wx-') && BUILTIN.indexOf(el.__capsule.tag) < 0) return el;
  var n = document.createElement('wx-' + el.__capsule.tag.replace(/[^a-z0-9._-]/gi, '').toLowerCase());
  Array.prototype.forEach.call(el.attributes, function (a) {
    n.setAttribute(a.name, a.value);
  });
  while (el.firstChild) n.appendChild(el.firstChild);
  n.__capsule = el.__capsule;
  page.nodes.set(el.__capsule.id, n);
  if (el.parentNode) el.parentNode.replaceChild(n, el);
  return n;
}
function attachShadow(page, host, pending) {
  var info = pending.__capsule;
  var root;
  try {
    root = host.shadowRoot || host.attachShadow({ mode: 'open' });
  } catch {
    // A tag that cannot hold a shadow root: the component renders in the element itself.
    root = host;
  }
  if (root !== host) root.__capsule = info;
  page.nodes.set(info.id, root);
  adoptStyles(root);
  return root;
}
// A `font-family` (or `font`) naming no generic family, such as a Windows font the phone
// lacks, falls back to sans-serif as on the phone, not to the browser's default serif.
// `@font-face` descriptors are left alone.
var GENERIC =
  /(^|,)\s*(serif|sans-serif|monospace|cursive|fantasy|system-ui|ui-[a-z-]+|math|emoji|fangsong|inherit|initial|unset|revert|revert-layer|caption|icon|menu|message-box|small-caption|status-bar)\s*$|var\(/i;
export function sansFallback(css) {
  css = String(css || '');
  return css.replace(/([;{\s]|^)(font(?:-family)?\s*:\s*)([^;{}!]*[^;{}!\s])/gi, function (all, lead, prop, value, at) {
    if (css.lastIndexOf('@font-face', at) > css.lastIndexOf('}', at)) return all;
    var last = value.split(',').pop();
    return GENERIC.test(last) || /var\(/i.test(value) ? all : lead + prop + value + ', sans-serif';
  });
}
var baseSheet = null;
function sheetOf(key, css) {
  var sheet = app.sheets.get(key);
  if (!sheet) {
    sheet = new CSSStyleSheet();
    try {
      sheet.replaceSync(sansFallback(css));
    } catch (e) {
      console.error('component style ' + key + ': ' + e);
    }
    app.sheets.set(key, sheet);
  }
  return sheet;
}
function adoptStyles(root) {
  if (!root.adoptedStyleSheets || !root.__capsule) return;
  if (!baseSheet) {
    baseSheet = new CSSStyleSheet();
    var own = Array.prototype.find.call(document.styleSheets, function (s) {
      return /\/capsule\/view\.css$/.test(s.href || '');
    });
    var text = own
      ? Array.prototype.map
          .call(own.cssRules, function (r) {
            return r.cssText;
          })
          .join('\n')
      : '';
    baseSheet.replaceSync(text);
  }
  var attrs = root.__capsule.attrs || {};
  var path = String(attrs.component || '');
  var comp = app.components[path] || {};
  var words = String(attrs.isolation || '')
    .split(/\s+/)
    .filter(Boolean);
  var isolation =
    words.filter(function (w) {
      return w !== 'virtual-host';
    })[0] ||
    comp.isolation ||
    'isolated';
  if (root.host && words.indexOf('virtual-host') >= 0) root.host.style.display = 'contents';
  var sheets = [baseSheet];
  if (isolation === 'apply-shared' || isolation === 'shared') sheets.push(sheetOf('app', app.css));
  sheets.push(sheetOf('component:' + path, comp.css));
  var external = String(attrs.external || '')
    .split(/\s+/)
    .filter(Boolean);
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
  try {
    source.replaceSync(css || '');
  } catch {
    /* reported when the sheet was built */
  }
  var wanted = names.map(function (n) {
    return new RegExp('\\.' + n.replace(/[^\w-]/g, '\\$&') + '(?![\\w-])');
  });
  var kept = Array.prototype.filter
    .call(source.cssRules, function (r) {
      return (
        r.selectorText &&
        wanted.some(function (w) {
          return w.test(r.selectorText);
        })
      );
    })
    .map(function (r) {
      return r.cssText;
    });
  return sheetOf(key, kept.join('\n'));
}
// The parent of a node as events see it: a shadow root leads to its component's element.
export function up(n) {
  return n instanceof ShadowRoot ? n.host : n.parentNode;
}
// Where a pointer event really happened: inside components too.
export function origin(e) {
  var path = e.composedPath ? e.composedPath() : [];
  return path[0] || e.target;
}

// ---- attributes and components ---------------------------------------------------------
export function rpxToCss(text) {
  return String(text).replace(/(-?\d*\.?\d+)rpx/gi, function (_, n) {
    return 'calc(' + n + ' * var(--rpx))';
  });
}
export function truthy(v) {
  return !(v === false || v === null || v === undefined || v === 'false' || v === 0 || v === '');
}
function asText(v) {
  return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
}
export function resolveSrc(el, src) {
  src = String(src || '');
  if (/^(https?:|data:|blob:)/.test(src)) return src;
  // The app's own files (a chosen image, a download) come from the host.
  if (/^wxfile:\/\//.test(src)) return '/capsule-files/' + encodeURIComponent(src);
  if (src.charAt(0) === '/') return '/pkg' + src;
  var route = el.__capsule && el.__capsule.page ? el.__capsule.page.route : '';
  var dir = route.split('/').slice(0, -1);
  src.split('/').forEach(function (part) {
    if (part === '..') dir.pop();
    else if (part && part !== '.') dir.push(part);
  });
  return '/pkg/' + dir.join('/');
}
function setAttr(el, name, value) {
  if (!el.__capsule) return;
  el.__capsule.attrs = el.__capsule.attrs || {};
  el.__capsule.attrs[name] = value;
  var tag = el.__capsule.tag;
  if (tag === 'text' && (name === 'decode' || name === 'space')) el.childNodes.forEach(showText);
  if (value === null || value === undefined) {
    el.removeAttribute(name);
    update(el, tag, name, value);
    return;
  }
  if (name === 'animation') {
    animate(el, value);
    return;
  }
  if (name === 'style') el.setAttribute('style', sansFallback(rpxToCss(value)));
  else if (name === 'hidden') {
    if (truthy(value)) el.setAttribute('hidden', '');
    else el.removeAttribute('hidden');
  } else if (/^[a-zA-Z_][\w:.-]*$/.test(name)) el.setAttribute(name, asText(value));
  update(el, tag, name, value);
}

export function attr(el, name, fallback) {
  var a = el.__capsule.attrs || {};
  return a[name] === undefined || a[name] === null ? fallback : a[name];
}
