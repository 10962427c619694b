// The mini-program framework inside each instance's QuickJS context: console, timers,
// CommonJS modules, App / Page / Component / Behavior, setData, navigation and `wx`.
// `native` is the bridge to the Rust side; everything the host does goes through it.
// Evaluated once per instance, before any package code.
(function (native) {
  'use strict';
  var G = globalThis;
  var hooks = {};
  Object.defineProperty(G, '__capsule', { value: hooks });

  // What most pages never use lives in parts of its own (parts/*.js: selector queries,
  // animation, audio, network tasks, sensors), evaluated from cached bytecode the first time a
  // script reaches for them. A part is a function of `core` (what it shares with the
  // framework, gathered at the end of this file) giving its exports.
  var core = {};
  var parts = Object.create(null);
  function part(name) {
    if (!parts[name]) parts[name] = native.loadPart(name)(core);
    return parts[name];
  }
  // `wx[name]` for each of `names`, calling the part's function of that name.
  function forward(from, names) {
    names.forEach(function (name) {
      wx[name] = function () {
        return part(from)[name].apply(this, arguments);
      };
    });
  }

  // The framework's own regular expressions do not touch the legacy `RegExp.$1`… statics
  // (prelude.js): a script reading them after a framework call still sees its own match.
  var quiet =
    RegExp[Symbol.for('capsule.quiet')] ||
    function (re) {
      return re;
    };
  var RE_STACK_PLACE = quiet(/\(?([^\s()]+\.js):(\d+)(?::\d+)?\)?\s*$/);
  var RE_JSON_FILE = quiet(/\.json$/);
  var RE_INDEX = quiet(/^(0|[1-9]\d*)$/);
  var RE_DASHED = quiet(/-([a-z])/g);
  var RE_DEEP = quiet(/\.\*\*$/);
  var RE_OK = quiet(/:ok$/);
  var RE_STORAGE = quiet(/Storage$/);
  var RE_GET_STORAGE = quiet(/^getStorage$/);
  var RE_PADDING = quiet(/=+$/);
  var RE_API_NAME = quiet(/^\w+/);
  var RE_NOT_FOUND = quiet(/ data not found$/);
  var RE_FAIL_PREFIX = quiet(/^\w+:fail /);
  var RE_LISTENER = quiet(/^(on|off)[A-Z]/);
  var RE_AT_ONCE = quiet(/Sync$|^create|^get\w*Manager$/);

  // What the platform does not offer to mini-program code: eval and building functions from
  // strings (directly, or through any function's constructor).
  delete G.eval;
  (function () {
    function refuse() {
      throw new EvalError('code from strings is not allowed in mini-programs');
    }
    var kinds = [function () {}, async function () {}, function* () {}, async function* () {}];
    kinds.forEach(function (f) {
      Object.defineProperty(Object.getPrototypeOf(f), 'constructor', {
        value: refuse,
        writable: false,
        configurable: false,
      });
    });
    refuse.prototype = Function.prototype;
    Object.defineProperty(G, 'Function', { value: refuse, writable: false, configurable: false });
  })();

  // ---- console -----------------------------------------------------------------------
  function show(value) {
    if (typeof value === 'string') return value;
    if (value instanceof Error)
      return value.stack ? value.name + ': ' + value.message + '\n' + value.stack : String(value);
    if (typeof value === 'function') return '[Function ' + (value.name || 'anonymous') + ']';
    if (value === undefined) return 'undefined';
    try {
      var seen = [];
      return JSON.stringify(value, function (_key, v) {
        if (typeof v === 'object' && v !== null) {
          if (seen.indexOf(v) >= 0) return '[Circular]';
          seen.push(v);
        }
        if (typeof v === 'function') return '[Function]';
        if (v === undefined) return 'undefined';
        return v;
      });
    } catch {
      return String(value);
    }
  }
  // The package file and line that called: the frame after our own.
  function caller() {
    var stack = new Error().stack || '';
    var lines = stack.split('\n');
    for (var i = 0; i < lines.length; i++) {
      var m = RE_STACK_PLACE.exec(lines[i]);
      if (m && m[1].indexOf('<capsule>') < 0) return m[1] + ':' + m[2];
    }
    return '';
  }
  function logger(level) {
    return function () {
      var parts = [];
      for (var i = 0; i < arguments.length; i++) parts.push(show(arguments[i]));
      native.log(level, parts.join(' '), caller());
    };
  }
  G.console = {
    log: logger('log'),
    info: logger('info'),
    warn: logger('warn'),
    error: logger('error'),
    debug: logger('debug'),
    trace: logger('debug'),
    group: logger('log'),
    groupEnd: function () {},
    time: function () {},
    timeEnd: function () {},
  };

  // ---- timers ------------------------------------------------------------------------
  var timers = new Map();
  var timerSeq = 0;
  // `own`: a timer of the framework's (a sensor's sampling), not counted as the app's.
  function addTimer(fn, ms, args, repeat, own) {
    if (typeof fn !== 'function') throw new TypeError('the callback must be a function');
    var id = ++timerSeq;
    timers.set(id, { fn: fn, args: args, repeat: repeat });
    native.setTimer(id, Math.max(0, Number(ms) || 0), repeat, !!own);
    return id;
  }
  function clearTimer(id) {
    if (timers.delete(id)) native.clearTimer(id);
  }
  G.setTimeout = function (fn, ms) {
    return addTimer(fn, ms, Array.prototype.slice.call(arguments, 2), false);
  };
  G.setInterval = function (fn, ms) {
    return addTimer(fn, ms, Array.prototype.slice.call(arguments, 2), true);
  };
  G.clearTimeout = clearTimer;
  G.clearInterval = clearTimer;
  hooks.fireTimer = function (id) {
    var t = timers.get(id);
    if (!t) return;
    if (!t.repeat) timers.delete(id);
    t.fn.apply(undefined, t.args);
  };

  // ---- modules (CommonJS) ------------------------------------------------------------
  var modules = new Map();
  function dirname(path) {
    var i = path.lastIndexOf('/');
    return i < 0 ? '' : path.slice(0, i);
  }
  function record(path) {
    var module = { id: path, filename: path, exports: {}, loaded: false };
    modules.set(path, module);
    return module;
  }
  // An ES module's exports as Babel's output has them: a getter per export (live, as
  // imports are) and `__esModule`, so compiled code reads `default` from it.
  function esModuleExports(namespace) {
    var out = {};
    Reflect.ownKeys(namespace).forEach(function (key) {
      if (typeof key !== 'string') return;
      Object.defineProperty(out, key, {
        enumerable: true,
        get: function () {
          return namespace[key];
        },
      });
    });
    Object.defineProperty(out, '__esModule', { value: true });
    return out;
  }
  // The `require` record of an ES module file, from its first line (esm.rs): the file's
  // `module`, holding its exports when it has any.
  hooks.moduleOf = function (path, namespace) {
    var module = modules.get(path) || record(path);
    if (namespace) module.exports = esModuleExports(namespace);
    return module;
  };
  function load(path) {
    var cached = modules.get(path);
    if (cached) return cached.exports;
    var module = record(path);
    if (RE_JSON_FILE.test(path)) {
      module.exports = JSON.parse(native.source(path));
    } else if (native.isModule(path)) {
      // ES module syntax: the file fills this record itself (hooks.moduleOf).
      native.importModule(path);
    } else {
      var fn = native.compile(path);
      fn.call(module.exports, requireFrom(path), module, module.exports, path, dirname(path));
    }
    module.loaded = true;
    return module.exports;
  }
  function requireFrom(from) {
    return function require(spec) {
      if (typeof spec !== 'string') throw new TypeError('require() takes a path string');
      return load(native.resolve(from, spec));
    };
  }
  hooks.load = load;
  hooks.requireFrom = requireFrom;

  // ---- data paths, as setData keys write them ------------------------------------------
  // The platform's path rules live in Rust (`native.setData` gives back the paths it parsed;
  // `native.parsePath` parses an observer's field): this side only applies them.
  // An observer's field: `**` (anything), `a.b` (that field, what is under it, what is above
  // it), `a.b.**` (anything under it); a field that is no path never matches.
  function observedField(text) {
    var field = text.trim();
    var deep = RE_DEEP.test(field);
    var path = null;
    if (field !== '**') {
      try {
        path = native.parsePath(deep ? field.slice(0, -3) : field);
      } catch (e) {
        console.warn('observers: `' + field + '` is not a data path (' + e.message + ')');
      }
    }
    return { all: field === '**', path: path };
  }
  function isIndex(k) {
    return RE_INDEX.test(k);
  }
  function setPath(target, path, value) {
    var node = target;
    for (var i = 0; i < path.length - 1; i++) {
      var k = path[i];
      var next = node[k];
      if (next === null || typeof next !== 'object') {
        next = isIndex(path[i + 1]) ? [] : {};
        node[k] = next;
      }
      node = next;
    }
    node[path[path.length - 1]] = value;
  }

  // Loops below walk own keys only (`Object.keys`): a script that pollutes Object.prototype
  // must not change what the framework copies or sends.

  // ---- behaviors -------------------------------------------------------------------------
  var LIFETIMES = ['created', 'attached', 'ready', 'moved', 'detached', 'error'];
  var PAGE_HOOKS = [
    'onLoad',
    'onShow',
    'onReady',
    'onHide',
    'onUnload',
    'onPullDownRefresh',
    'onReachBottom',
    'onPageScroll',
    'onResize',
    'onTabItemTap',
    'onShareAppMessage',
    'onShareTimeline',
    'onAddToFavorites',
  ];
  function isBehavior(b) {
    return b && b.__behavior === true;
  }
  G.Behavior = function (options) {
    var b = Object.assign({}, options || {});
    Object.defineProperty(b, '__behavior', { value: true });
    return b;
  };
  function deepMerge(into, from) {
    for (const k of Object.keys(Object(from))) {
      var a = into[k],
        b = from[k];
      if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b))
        deepMerge(a, b);
      else into[k] = b;
    }
    return into;
  }
  // Flattens behaviors the way the platform does: a behavior's own behaviors first, later
  // ones win for data and methods, and every lifetime of every behavior runs, in order.
  function flatten(def) {
    var out = { data: {}, methods: {}, lifetimes: {}, rest: {}, properties: {}, observers: [], pageLifetimes: {} };
    function apply(d) {
      (d.behaviors || []).forEach(function (b) {
        if (isBehavior(b)) apply(b);
      });
      if (d.data) deepMerge(out.data, JSON.parse(JSON.stringify(d.data)));
      var props = d.properties || {};
      for (const p of Object.keys(Object(props))) out.properties[p] = props[p];
      var observers = d.observers || {};
      for (const o of Object.keys(Object(observers))) {
        if (typeof observers[o] === 'function')
          out.observers.push({
            fields: o.split(',').map(observedField),
            fn: observers[o],
          });
      }
      var pl = d.pageLifetimes || {};
      ['show', 'hide', 'resize'].forEach(function (name) {
        if (typeof pl[name] !== 'function') return;
        if (!out.pageLifetimes[name]) out.pageLifetimes[name] = [];
        out.pageLifetimes[name].push(pl[name]);
      });
      var methods = d.methods || {};
      for (const m of Object.keys(Object(methods))) out.methods[m] = methods[m];
      var lifetimes = Object.assign({}, d.lifetimes || {});
      LIFETIMES.concat(PAGE_HOOKS).forEach(function (name) {
        var fn = lifetimes[name] || (typeof d[name] === 'function' ? d[name] : null);
        if (fn) {
          if (!out.lifetimes[name]) out.lifetimes[name] = [];
          out.lifetimes[name].push(fn);
        }
      });
      for (const k of Object.keys(Object(d))) {
        if (
          k === 'data' ||
          k === 'methods' ||
          k === 'lifetimes' ||
          k === 'behaviors' ||
          k === 'properties' ||
          k === 'observers' ||
          k === 'pageLifetimes'
        )
          continue;
        if (LIFETIMES.indexOf(k) >= 0 || PAGE_HOOKS.indexOf(k) >= 0) continue;
        out.rest[k] = d[k];
      }
    }
    apply(def);
    return out;
  }

  // ---- app and pages -------------------------------------------------------------------
  var app = null;
  var defining = null;
  var pageDefs = new Map();
  var stack = [];
  // The page on top of the stack, by id.
  function currentPageId() {
    var current = stack[stack.length - 1];
    return current ? current.__id : undefined;
  }
  var pagesById = new Map();

  G.App = function (options) {
    if (app) throw new Error('App() may be called only once');
    app = Object.assign({}, options || {});
    if (app.globalData === undefined) app.globalData = {};
  };
  G.getApp = function () {
    return app;
  };
  G.getCurrentPages = function () {
    return stack.slice();
  };
  G.Page = function (options) {
    if (!defining) throw new Error("Page() must be called by a page's own script");
    pageDefs.set(defining, { kind: 'page', options: options || {} });
  };
  G.Component = function (options) {
    // A page may be written with Component(); components proper come with their own issue.
    if (defining) pageDefs.set(defining, { kind: 'component', options: options || {} });
  };

  function callHook(target, name, args) {
    var fn = target && target[name];
    if (typeof fn === 'function') return fn.apply(target, args || []);
  }

  var launchOptions = {};
  hooks.launchApp = function (options) {
    launchOptions = options || {};
    var src = native.appScript();
    if (src) load(src);
    if (!app) app = { globalData: {} };
    callHook(app, 'onLaunch', [options]);
    callHook(app, 'onShow', [options]);
    tell('show', options);
  };
  // App-level listeners (`wx.onAppShow`, `wx.onError`, …) hear what App's own methods hear.
  var appListeners = { show: [], hide: [], error: [], pageNotFound: [], unhandledRejection: [] };
  function tell(kind, arg) {
    var list = appListeners[kind].slice();
    list.forEach(function (f) {
      f(arg);
    });
    return list.length > 0;
  }
  hooks.appShow = function (options) {
    callHook(app, 'onShow', [options]);
    tell('show', options);
  };
  hooks.appHide = function () {
    callHook(app, 'onHide');
    tell('hide');
  };
  hooks.appError = function (message) {
    var own = app && typeof app.onError === 'function';
    if (own) app.onError(message);
    return tell('error', message) || own;
  };
  hooks.pageNotFound = function (res) {
    var own = app && typeof app.onPageNotFound === 'function';
    if (own) app.onPageNotFound(res);
    return tell('pageNotFound', res) || own;
  };
  hooks.unhandledRejection = function (reason) {
    var own = app && typeof app.onUnhandledRejection === 'function';
    if (own) app.onUnhandledRejection({ reason: reason });
    return tell('unhandledRejection', { reason: reason }) || own;
  };

  function makePage(id, route, query) {
    var def = pageDefs.get(route);
    if (!def) {
      defining = route;
      try {
        // A W3C MiniApp page may have no script (a WeChat package without one is refused
        // before it runs): it is a page with no data and no handlers.
        if (native.hasFile(route + '.js')) load(route + '.js');
      } finally {
        defining = null;
      }
      def = pageDefs.get(route) || { kind: 'page', options: {} };
    }
    var options = def.options;
    var flat = flatten(
      def.kind === 'component'
        ? options
        : { behaviors: options.behaviors, data: options.data, lifetimes: {}, methods: {} },
    );
    var page = {};
    if (def.kind === 'page') {
      for (const k of Object.keys(Object(options))) {
        if (k === 'data' || k === 'behaviors') continue;
        page[k] = options[k];
      }
      for (const m of Object.keys(Object(flat.methods))) if (!(m in page)) page[m] = flat.methods[m];
    } else {
      for (const n of Object.keys(Object(flat.methods))) page[n] = flat.methods[n];
      for (const r of Object.keys(Object(flat.rest)))
        if (!(r in page) && typeof flat.rest[r] !== 'object') page[r] = flat.rest[r];
      // A Component used as a page: page hooks live in `methods` (or at the top level).
      PAGE_HOOKS.forEach(function (h) {
        var list = flat.lifetimes[h];
        if (list && !page[h])
          page[h] = function () {
            var a = arguments,
              self = this;
            list.forEach(function (f) {
              f.apply(self, a);
            });
          };
      });
    }
    page.data = flat.data;
    if (def.kind === 'page' && options.data) deepMerge(page.data, JSON.parse(JSON.stringify(options.data)));
    Object.defineProperty(page, '__id', { value: id });
    Object.defineProperty(page, '__kind', { value: def.kind });
    Object.defineProperty(page, '__lifetimes', { value: flat.lifetimes });
    page.route = route;
    page.__route__ = route;
    // The rendering backend: the web view's (libraries choose their template by it).
    page.renderer = 'webview';
    page.options = query;
    page.setData = function (data, callback) {
      setData(this, id, data, callback);
    };
    page.groupSetData = groupSetData;
    page.createSelectorQuery = function () {
      return createSelectorQuery(id);
    };
    page.createIntersectionObserver = function (options) {
      return createIntersectionObserver(id, options);
    };
    page.selectComponent = function (selector) {
      return selectComponents(id, selector)[0] || null;
    };
    page.selectAllComponents = function (selector) {
      return selectComponents(id, selector);
    };
    if (def.kind === 'component') Object.defineProperty(page, '__observers', { value: flat.observers });
    pagesById.set(id, page);
    return page;
  }

  // setData on a page or a component: the host checks the keys and renders first (a key it
  // refuses leaves this.data as it was), then this.data changes, then what the render did to
  // components is carried out, then data observers run.
  var observerDepth = 0;
  function showFormField(comp) {
    if (!comp.__def || !comp.__def.formField) return;
    native.setHostAttrs(
      comp.__id,
      JSON.stringify({ 'form-field': true, name: comp.data.name, value: comp.data.value }),
    );
  }
  // groupSetData(fn): the setData calls fn makes, on this or any other page or component,
  // reach the view as one update of each page, drawn together.
  function groupSetData(fn) {
    native.groupUpdates(true);
    try {
      if (typeof fn === 'function') fn.call(this);
    } finally {
      native.groupUpdates(false);
    }
  }
  function setData(target, id, data, callback) {
    if (data === null || typeof data !== 'object') throw new TypeError('setData takes an object');
    // Read as JSON.stringify would write it, checked, parsed and rendered in Rust: it gives
    // back the paths it parsed and copies of the values for this.data.
    var result = native.setData(id, data);
    var paths = result[1];
    var copies = result[2];
    for (var i = 0; i < paths.length; i++) setPath(target.data, paths[i], copies[i]);
    for (const k2 of Object.keys(Object(data)))
      if (data[k2] === undefined) console.warn('setData: `' + k2 + '` is undefined and was not set');
    componentChanges(result[0]);
    showFormField(target);
    runObservers(target, paths);
    if (typeof callback === 'function')
      Promise.resolve().then(function () {
        callback.call(target);
      });
  }

  // ---- custom components -------------------------------------------------------------------
  // The renderer reports components appearing, their properties changing and their leaving;
  // each appearing one gets an instance here, renders with its definition's data (which may
  // create the components inside it), runs `created`, then takes the owner's properties and
  // renders what they changed. `attached` runs once the batch is in,
  // outermost first; `ready` after the page's first frame (or at once, on a ready page).
  // By id in a plain object: QuickJS hashes small integer Map keys into few buckets, which
  // makes Map lookups linear in the number of components.
  function IdMap() {
    this.items = Object.create(null);
  }
  IdMap.prototype.get = function (id) {
    return this.items[id];
  };
  IdMap.prototype.has = function (id) {
    return id in this.items;
  };
  IdMap.prototype.set = function (id, v) {
    this.items[id] = v;
  };
  IdMap.prototype.delete = function (id) {
    var had = id in this.items;
    delete this.items[id];
    return had;
  };
  IdMap.prototype.forEach = function (f) {
    for (var k in this.items) f(this.items[k], Number(k));
  };
  var componentsById = new IdMap();
  var readyPages = new Set();
  var attaching = null;
  var pendingReady = [];
  function componentChanges(json) {
    if (!json) return;
    var outermost = attaching === null;
    if (outermost) attaching = [];
    try {
      JSON.parse(json).forEach(function (c) {
        if (c.op === 'create') createComponent(c);
        else if (c.op === 'props') setProperties(c.id, c.props);
        else if (c.op === 'remove') removeComponent(c.id);
      });
    } finally {
      if (outermost) {
        var batch = attaching;
        attaching = null;
        batch.forEach(function (comp) {
          if (!componentsById.has(comp.__id)) return;
          lifetime(comp, 'attached');
          pendingReady.push(comp);
        });
        // Relations are linked once both ends are attached, children finding their parents.
        batch.forEach(function (comp) {
          if (componentsById.has(comp.__id)) linkRelations(comp);
        });
        var page = batch.length ? pagesById.get(batch[0].__page) : null;
        if (page && readyPages.has(page.__id))
          Promise.resolve().then(function () {
            flushReady(page.__id);
          });
      }
    }
  }
  hooks.componentChanges = componentChanges;
  function flushReady(pageId) {
    var now = pendingReady.filter(function (c) {
      return c.__page === pageId;
    });
    pendingReady = pendingReady.filter(function (c) {
      return c.__page !== pageId;
    });
    now.forEach(function (comp) {
      if (componentsById.has(comp.__id)) lifetime(comp, 'ready');
    });
  }

  function componentDef(path) {
    var def = pageDefs.get(path);
    if (!def) {
      var saved = defining;
      defining = path;
      try {
        load(path + '.js');
      } finally {
        defining = saved;
      }
      def = pageDefs.get(path) || { kind: 'component', options: {} };
      pageDefs.set(path, def);
    }
    if (!def.flat) {
      def.flat = flatten(def.options);
      // The built-in behavior `wx://form-field`: `name` and `value` properties, shown to the
      // form around the component so its submit includes them.
      def.formField = (def.options.behaviors || []).indexOf('wx://form-field') >= 0;
      if (def.formField) {
        if (!('name' in def.flat.properties)) def.flat.properties.name = String;
        if (!('value' in def.flat.properties)) def.flat.properties.value = null;
      }
      def.emptyData = Object.keys(def.flat.data).length === 0;
      def.props = {};
      for (const name of Object.keys(def.flat.properties)) def.props[name] = propertyDef(def.flat.properties[name]);
    }
    return def;
  }
  var TYPES = [String, Number, Boolean, Object, Array];
  function propertyDef(p) {
    var d = p === null || TYPES.indexOf(p) >= 0 ? { type: p } : Object.assign({}, p);
    if (d.type === undefined) d.type = null;
    d.types = [d.type].concat(Array.isArray(d.optionalTypes) ? d.optionalTypes : []);
    if (!('value' in d)) {
      d.value =
        d.type === String ? '' : d.type === Number ? 0 : d.type === Boolean ? false : d.type === Array ? [] : null;
    }
    return d;
  }
  function typeMatches(type, v) {
    if (type === null) return true;
    if (type === String) return typeof v === 'string';
    if (type === Number) return typeof v === 'number';
    if (type === Boolean) return typeof v === 'boolean';
    if (type === Array) return Array.isArray(v);
    if (type === Object) return v !== null && typeof v === 'object';
    return false;
  }
  // A passed value of another type is converted as the platform converts it.
  function coerce(d, v) {
    if (v === undefined) return clone(d.value);
    if (
      d.types.some(function (t) {
        return typeMatches(t, v);
      })
    )
      return v;
    switch (d.type) {
      case String:
        return v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
      case Number: {
        var n = Number(v);
        return Number.isFinite(n) ? n : 0;
      }
      case Boolean:
        return !!v;
      case Array:
        return [];
      case Object:
        return null;
    }
    return v;
  }
  function clone(v) {
    return v === undefined ? undefined : JSON.parse(JSON.stringify(v));
  }
  function sameValue(a, b) {
    return a === b || JSON.stringify(a) === JSON.stringify(b);
  }

  // What every instance of a definition shares: its methods and the component API, on a
  // prototype made once; an instance holds only its own state.
  function componentProto(def) {
    if (def.proto) return def.proto;
    var proto = {};
    for (const m of Object.keys(Object(def.flat.methods))) proto[m] = def.flat.methods[m];
    var api = {
      setData: function (d, callback) {
        setData(this, this.__id, d, callback);
      },
      groupSetData: groupSetData,
      triggerEvent: function (name, detail, options) {
        triggerEvent(this.__id, String(name), detail, options || {});
      },
      selectComponent: function (selector) {
        return selectComponents(this.__id, selector)[0] || null;
      },
      selectAllComponents: function (selector) {
        return selectComponents(this.__id, selector);
      },
      selectOwnerComponent: function () {
        return componentsById.get(this.__owner) || pagesById.get(this.__owner) || null;
      },
      getPageId: function () {
        return 'pageId:' + this.__page;
      },
      getRelationNodes: function (key) {
        var path = relationPath(this.is, String(key));
        return (this.__links || [])
          .filter(function (l) {
            return l.relation.path === path || l.relation.key === key;
          })
          .map(function (l) {
            return l.target;
          });
      },
      createSelectorQuery: function () {
        return createSelectorQuery(this.__page, this.__shadow);
      },
      createIntersectionObserver: function (options) {
        return createIntersectionObserver(this.__page, options, this.__shadow, this.__id);
      },
    };
    for (const k of Object.keys(api)) if (!(k in proto)) proto[k] = api[k];
    Object.defineProperty(proto, '__kind', { value: 'component' });
    Object.defineProperty(proto, '__lifetimes', { value: def.flat.lifetimes });
    Object.defineProperty(proto, '__observers', { value: def.flat.observers });
    Object.defineProperty(proto, '__def', { value: def });
    def.proto = proto;
    return proto;
  }
  function createComponent(c) {
    var def = componentDef(c.path);
    var comp = Object.create(componentProto(def), {
      __id: { value: c.id },
      __page: { value: c.page },
      __owner: { value: c.owner },
      __shadow: { value: c.shadow },
    });
    var data = def.emptyData ? {} : clone(def.flat.data);
    for (const name of Object.keys(def.props)) {
      var initial = def.props[name].value;
      data[name] = initial !== null && typeof initial === 'object' ? clone(initial) : initial;
    }
    comp.data = data;
    comp.properties = data;
    comp.is = c.path;
    comp.renderer = 'webview';
    comp.id = c.elementId || '';
    comp.dataset = c.dataset || {};
    var id = c.id;
    componentsById.set(id, comp);
    // The platform's order: the template is instantiated with the definition's data (its
    // child components created), then `created` runs, then the owner's property values
    // arrive with their observers and render — unless the component asks for its properties
    // before `created` (`options.propertyEarlyInit`).
    attaching.push(comp);
    var opts = Object(def.options.options);
    var early = opts.propertyEarlyInit === true;
    if (early) propertiesTaken(comp, takeProperties(comp, c.props));
    var isolation =
      typeof opts.styleIsolation === 'string' ? opts.styleIsolation : opts.addGlobalClass ? 'apply-shared' : '';
    // virtualHost: the component's element makes no box of its own; its content lays out
    // in the owner's (a flex row of components, as UI libraries write them). Without an
    // isolation in its options, the one its JSON declares still holds (the view's default).
    if (opts.virtualHost) isolation = isolation ? isolation + ' virtual-host' : 'virtual-host';
    Object.defineProperty(comp, '__external', { value: externalOf(def, c.props), writable: true });
    function mount() {
      if (componentsById.has(id))
        componentChanges(native.mount(id, JSON.stringify(comp.data), isolation, JSON.stringify(comp.__external)));
    }
    // The owner's properties, after `created`: the names that changed.
    function properties() {
      if (early || !componentsById.has(id)) return [];
      var taken = takeProperties(comp, c.props);
      propertiesTaken(comp, taken);
      return taken.names;
    }
    if (c.leaf === true) {
      // A template that can hold no components cannot show when it was instantiated:
      // mounted once, after the properties, it saves a render per component.
      if (componentsById.has(id)) lifetime(comp, 'created');
      properties();
      mount();
    } else {
      mount();
      if (componentsById.has(id)) lifetime(comp, 'created');
      var names = properties();
      if (names.length && componentsById.has(id)) {
        var changed = {};
        names.forEach(function (name) {
          changed[name] = comp.data[name];
        });
        componentChanges(native.setData(id, changed)[0]);
      }
    }
    if (!componentsById.has(id)) return;
    showFormField(comp);
  }
  // The owner's property values into a component's data, coerced to their types: the names
  // that changed and their old values. Their observers run in propertiesTaken, once all are in.
  function takeProperties(comp, props) {
    var defs = comp.__def.props;
    var taken = { names: [], olds: {} };
    for (const name of Object.keys(Object(props))) {
      if (!(name in defs)) continue;
      var v = coerce(defs[name], props[name]);
      if (sameValue(v, comp.data[name])) continue;
      taken.olds[name] = comp.data[name];
      comp.data[name] = v;
      taken.names.push(name);
    }
    return taken;
  }
  function propertiesTaken(comp, taken) {
    taken.names.forEach(function (name) {
      if (componentsById.has(comp.__id)) propertyObserver(comp, name, comp.data[name], taken.olds[name]);
    });
    if (taken.names.length && componentsById.has(comp.__id))
      runObservers(
        comp,
        taken.names.map(function (name) {
          return [name];
        }),
      );
  }
  // externalClasses: ['custom-class'] — the classes the owner passes as `custom-class`.
  function camel(name) {
    return name.replace(RE_DASHED, function (_, c) {
      return c.toUpperCase();
    });
  }
  function externalOf(def, props) {
    var out = {};
    var names = def.options.externalClasses;
    if (!Array.isArray(names)) return out;
    names.forEach(function (n) {
      var v = props[camel(String(n))];
      if (typeof v === 'string' && v) out[String(n)] = v;
    });
    return out;
  }
  function propertyObserver(comp, name, value, old) {
    var observer = comp.__def.props[name].observer;
    if (typeof observer === 'string') observer = comp[observer];
    if (typeof observer === 'function') observer.call(comp, value, old, [name]);
  }
  function setProperties(id, props) {
    var comp = componentsById.get(id);
    if (!comp) return;
    var external = comp.__def.options.externalClasses;
    if (
      Array.isArray(external) &&
      external.some(function (n) {
        return camel(String(n)) in Object(props);
      })
    ) {
      var merged = {};
      external.forEach(function (n) {
        var k = camel(String(n));
        merged[k] = k in props ? props[k] : comp.__external[String(n)] || '';
      });
      comp.__external = externalOf(comp.__def, merged);
      componentChanges(native.setExternalClasses(id, JSON.stringify(comp.__external)));
    }
    var taken = takeProperties(comp, props);
    if (!taken.names.length) return;
    var changed = {};
    taken.names.forEach(function (n) {
      changed[n] = comp.data[n];
    });
    componentChanges(native.setData(id, changed)[0]);
    showFormField(comp);
    propertiesTaken(comp, taken);
  }
  // relations: {'./child': {type: 'child', linked, unlinked}} on one side and the matching
  // parent (or ancestor / descendant) relation on the other; linked when the child sits in
  // the parent in the rendered tree (in its template or its slot).
  function relationPath(from, key) {
    var parts = key.charAt(0) === '/' ? [] : dirname(from).split('/').filter(Boolean);
    key.split('/').forEach(function (p) {
      if (p === '..') parts.pop();
      else if (p && p !== '.') parts.push(p);
    });
    return parts.join('/');
  }
  function relationsOf(comp) {
    var out = [];
    var rel = Object(comp.__def.options.relations);
    for (const key of Object.keys(rel)) {
      var r = rel[key] || {};
      out.push({ key: key, path: relationPath(comp.is, key), type: r.type, spec: r });
    }
    return out;
  }
  var UP = { parent: 'child', ancestor: 'descendant' };
  function linkRelations(comp) {
    var ancestors = null;
    relationsOf(comp).forEach(function (mine) {
      if (!UP[mine.type]) return;
      if (ancestors === null) {
        ancestors = JSON.parse(native.componentAncestors(comp.__id))
          .map(function (id) {
            return componentsById.get(id);
          })
          .filter(Boolean);
      }
      var candidates = mine.type === 'parent' ? ancestors.slice(0, 1) : ancestors;
      for (var i = 0; i < candidates.length; i++) {
        var other = candidates[i];
        if (other.is !== mine.path) continue;
        var theirs = relationsOf(other).filter(function (r) {
          return r.type === UP[mine.type] && r.path === comp.is;
        })[0];
        if (!theirs) continue;
        link(comp, mine, other);
        link(other, theirs, comp);
        if (typeof mine.spec.linked === 'function') mine.spec.linked.call(comp, other);
        if (typeof theirs.spec.linked === 'function') theirs.spec.linked.call(other, comp);
        break;
      }
    });
  }
  function link(comp, relation, target) {
    if (!comp.__links) Object.defineProperty(comp, '__links', { value: [] });
    var links = comp.__links;
    links.push({ relation: relation, target: target });
  }
  function unlinkRelations(comp) {
    (comp.__links || []).slice().forEach(function (l) {
      var other = l.target;
      comp.__links.splice(comp.__links.indexOf(l), 1);
      var back = (other.__links || []).filter(function (b) {
        return b.target === comp;
      });
      back.forEach(function (b) {
        other.__links.splice(other.__links.indexOf(b), 1);
      });
      if (typeof l.relation.spec.unlinked === 'function') l.relation.spec.unlinked.call(comp, other);
      back.forEach(function (b) {
        if (typeof b.relation.spec.unlinked === 'function') b.relation.spec.unlinked.call(other, comp);
      });
    });
  }
  function removeComponent(id) {
    var comp = componentsById.get(id);
    if (!comp) return;
    componentsById.delete(id);
    unlinkRelations(comp);
    lifetime(comp, 'detached');
    viewListeners.forEach(function (l, seq) {
      if (l.owner === id) viewListeners.delete(seq);
    });
  }
  // `observers: {'a, b.c': fn}`: runs when setData (or the owner) sets a field it names, a
  // field under it, or one above it; `x.**` is anything under x, `**` anything.
  function runObservers(target, paths) {
    var list = target.__observers;
    if (!list || !list.length) return;
    if (observerDepth > 32) {
      console.error('observers: more than 32 nested setData calls; stopped');
      return;
    }
    observerDepth++;
    try {
      list.forEach(function (o) {
        var hit = o.fields.some(function (field) {
          if (field.all) return true;
          var fp = field.path;
          return (
            fp !== null &&
            paths.some(function (p) {
              var n = Math.min(p.length, fp.length);
              for (var i = 0; i < n; i++) if (p[i] !== fp[i]) return false;
              return true;
            })
          );
        });
        if (!hit) return;
        var args = o.fields.map(function (field) {
          if (field.all) return target.data;
          var v = target.data;
          var fp = field.path || [];
          for (var i = 0; i < fp.length && v !== undefined && v !== null; i++) v = v[fp[i]];
          return field.path ? v : undefined;
        });
        o.fn.apply(target, args);
      });
    } finally {
      observerDepth--;
    }
  }
  function triggerEvent(id, name, detail, options) {
    var plan = JSON.parse(
      native.trigger(
        id,
        name,
        JSON.stringify({
          bubbles: !!options.bubbles,
          composed: !!options.composed,
          capturePhase: !!options.capturePhase,
        }),
      ),
    );
    plan.calls.forEach(function (call) {
      callHandler(call.owner, call.handler, {
        type: name,
        timeStamp: Date.now(),
        target: call.target,
        currentTarget: call.currentTarget,
        detail: detail === undefined ? {} : detail,
        mark: plan.mark || {},
        touches: [],
        changedTouches: [],
      });
    });
  }
  // What a selected component gives: its `export()` result when it defines one.
  function selectComponents(owner, selector) {
    return JSON.parse(native.selectComponents(owner, String(selector)))
      .map(function (id) {
        return componentsById.get(id);
      })
      .filter(Boolean)
      .map(function (comp) {
        var exported = comp.__def.options.export;
        return typeof exported === 'function' ? exported.call(comp) : comp;
      });
  }
  function pageLifetime(pageId, name, args) {
    componentsById.forEach(function (comp) {
      if (comp.__page !== pageId) return;
      var list = comp.__def.flat.pageLifetimes[name];
      if (list)
        list.forEach(function (f) {
          f.apply(comp, args || []);
        });
    });
  }

  function lifetime(page, name, args) {
    if (page.__kind === 'component') {
      var list = page.__lifetimes[name];
      if (list)
        list.forEach(function (f) {
          f.apply(page, args || []);
        });
      return;
    }
    callHook(page, name, args);
  }

  // The runtime drives page lifecycles; these return the page's data for the first render.
  hooks.createPage = function (id, route, query) {
    var page = makePage(id, route, query);
    // The page a navigateTo opens takes the oldest channel still waiting.
    var link = openerChannels.shift();
    var channel = link ? link.channel.opened : channelEnd();
    if (!link) Object.defineProperty(channel, 'peer', { value: channelEnd() });
    page.getOpenerEventChannel = function () {
      return channel;
    };
    stack.push(page);
    if (page.__kind === 'component') {
      lifetime(page, 'created');
      lifetime(page, 'attached');
    }
    return JSON.stringify(page.data);
  };
  hooks.pageLifecycle = function (id, name, arg) {
    var page = pagesById.get(id);
    if (!page) return;
    if (name === 'onLoad')
      return page.__kind === 'component' ? page.onLoad && page.onLoad(arg) : callHook(page, 'onLoad', [arg]);
    if (name === 'onShow') pageLifetime(id, 'show');
    if (name === 'onHide') pageLifetime(id, 'hide');
    if (name === 'onResize') pageLifetime(id, 'resize', [arg]);
    if (name === 'onReady') {
      flushReady(id);
      readyPages.add(id);
    }
    if (name === 'onUnload') {
      if (page.__kind === 'component') lifetime(page, 'detached');
      callHook(page, 'onUnload');
      componentsById.forEach(function (comp, cid) {
        if (comp.__page === id) {
          componentsById.delete(cid);
          lifetime(comp, 'detached');
        }
      });
      pendingReady = pendingReady.filter(function (c) {
        return c.__page !== id;
      });
      readyPages.delete(id);
      // The view drops the page's observers with the page; their callbacks go too.
      viewListeners.forEach(function (l, seq) {
        if (l.page === id) viewListeners.delete(seq);
      });
      pagesById.delete(id);
      var at = stack.indexOf(page);
      if (at >= 0) stack.splice(at, 1);
      return;
    }
    if (page.__kind === 'component' && name === 'onReady') lifetime(page, 'ready');
    return callHook(page, name, arg === undefined ? [] : [arg]);
  };
  // For the developer tools: a page by id, and any value as the console shows it.
  hooks.pageObject = function (id) {
    return pagesById.get(id) || componentsById.get(id);
  };
  hooks.inspect = function (v) {
    return show(v);
  };
  hooks.pageData = function (id) {
    var page = pagesById.get(id);
    return page ? JSON.stringify(page.data) : 'null';
  };
  function callHandler(id, handler, event) {
    var owner = pagesById.get(id) || componentsById.get(id);
    if (!owner) return;
    var fn = owner[handler];
    if (typeof fn !== 'function') {
      console.warn(
        'Component "' +
          (owner.is || owner.route) +
          '" does not have a method "' +
          handler +
          '" to handle event "' +
          event.type +
          '".',
      );
      return;
    }
    fn.call(owner, event);
  }
  hooks.callHandler = callHandler;
  hooks.stackOrder = function (ids) {
    stack = ids
      .map(function (id) {
        return pagesById.get(id);
      })
      .filter(Boolean);
  };

  // ---- wx ------------------------------------------------------------------------------
  var navSeq = 0;
  var navCallbacks = new Map();
  function navigation(kind) {
    return function (options) {
      options = options || {};
      var name = kind;
      var seq = ++navSeq;
      var promise = null,
        resolve,
        reject;
      var wantsPromise =
        typeof options.success !== 'function' &&
        typeof options.fail !== 'function' &&
        typeof options.complete !== 'function';
      if (wantsPromise)
        promise = new Promise(function (res, rej) {
          resolve = res;
          reject = rej;
        });
      // navigateTo links the two pages by an event channel (`events` are the opener's
      // listeners); the opened page reaches it through getOpenerEventChannel().
      var channel = null;
      if (kind === 'navigateTo') {
        channel = eventChannels(options.events);
        openerChannels.push({ seq: seq, channel: channel });
      }
      navCallbacks.set(seq, function (errMsg) {
        openerChannels = openerChannels.filter(function (c) {
          return c.seq !== seq;
        });
        var result = { errMsg: errMsg };
        if (channel && RE_OK.test(errMsg)) result.eventChannel = channel.opener;
        var ok = RE_OK.test(errMsg);
        if (ok) {
          if (options.success) options.success(result);
          if (resolve) resolve(result);
        } else {
          if (options.fail) options.fail(result);
          if (reject) reject(result);
        }
        if (options.complete) options.complete(result);
      });
      var target = kind === 'navigateBack' ? String(options.delta === undefined ? 1 : options.delta) : options.url;
      var error = native.navigate(seq, name, target === undefined ? '' : String(target));
      if (error) {
        var cb = navCallbacks.get(seq);
        navCallbacks.delete(seq);
        Promise.resolve().then(function () {
          cb(name + ':fail ' + error);
        });
      }
      return promise || undefined;
    };
  }
  var openerChannels = [];
  function channelEnd() {
    var listeners = {};
    var end = {
      on: function (name, f) {
        if (typeof f !== 'function') return;
        if (!listeners[name]) listeners[name] = [];
        listeners[name].push({ f: f });
      },
      once: function (name, f) {
        if (typeof f !== 'function') return;
        if (!listeners[name]) listeners[name] = [];
        listeners[name].push({ f: f, once: true });
      },
      off: function (name, f) {
        listeners[name] =
          f === undefined
            ? []
            : (listeners[name] || []).filter(function (l) {
                return l.f !== f;
              });
      },
      emit: function (name) {
        var args = Array.prototype.slice.call(arguments, 1);
        var list = end.peer.__listeners[name] || [];
        end.peer.__listeners[name] = list.filter(function (l) {
          return !l.once;
        });
        list.forEach(function (l) {
          l.f.apply(undefined, args);
        });
      },
    };
    Object.defineProperty(end, '__listeners', { value: listeners });
    return end;
  }
  function eventChannels(events) {
    var opener = channelEnd(),
      opened = channelEnd();
    Object.defineProperty(opener, 'peer', { value: opened });
    Object.defineProperty(opened, 'peer', { value: opener });
    for (const name of Object.keys(Object(events))) opener.on(name, events[name]);
    return { opener: opener, opened: opened };
  }
  hooks.navigationDone = function (seq, errMsg) {
    var cb = navCallbacks.get(seq);
    navCallbacks.delete(seq);
    if (cb) cb(errMsg);
  };
  // APIs the view carries out (toast, modal, navigation bar, …): the bridge's surface lists
  // them (`view: true`) with the rest; each goes to the host as a view call, which the host
  // checks against the API's schema and answers. The caller's object goes as the bridge's
  // calls go (own properties, functions dropped).
  var viewSeq = 0;
  function nextViewSeq() {
    return ++viewSeq;
  }
  var viewCallbacks = new Map();
  // `onOk` hears a successful answer before the caller does.
  function viewApi(name, onOk) {
    return function (options) {
      options = options || {};
      var seq = ++viewSeq;
      var resolve, reject;
      var wantsPromise =
        typeof options.success !== 'function' &&
        typeof options.fail !== 'function' &&
        typeof options.complete !== 'function';
      var promise = wantsPromise
        ? new Promise(function (res, rej) {
            resolve = res;
            reject = rej;
          })
        : null;
      viewCallbacks.set(seq, function (result) {
        if (RE_OK.test(result.errMsg)) {
          if (onOk) onOk(result);
          if (options.success) options.success(result);
          if (resolve) resolve(result);
        } else {
          if (options.fail) options.fail(result);
          if (reject) reject(result);
        }
        if (options.complete) options.complete(result);
      });
      var prepared;
      try {
        prepared = prepare(name, options);
      } catch (_e) {
        prepared = {};
      }
      native.viewCall(seq, name, JSON.stringify(prepared));
      return promise || undefined;
    };
  }
  // Selector queries and intersection observers live in a part (parts/query.js).
  var viewListeners = new Map();
  function createSelectorQuery(pageId, root) {
    return part('query').createSelectorQuery(pageId, root);
  }
  function createIntersectionObserver(pageId, options, root, owner) {
    return part('query').createIntersectionObserver(pageId, options, root, owner);
  }
  // wx.createAnimation() lives in a part (parts/animation.js).
  function createAnimation(defaults) {
    return part('animation').createAnimation(defaults);
  }
  hooks.viewReply = function (seq, result) {
    var listener = viewListeners.get(seq);
    if (listener) {
      if (RE_OK.test(result.errMsg)) {
        delete result.errMsg;
        var self = pagesById.get(listener.owner) || componentsById.get(listener.owner);
        if (typeof listener.callback === 'function') listener.callback.call(self, result);
      } else {
        viewListeners.delete(seq);
        if (typeof listener.refused === 'function') listener.refused(result.errMsg);
        else console.error((listener.what || 'IntersectionObserver.observe') + ': ' + result.errMsg);
      }
      return;
    }
    var cb = viewCallbacks.get(seq);
    viewCallbacks.delete(seq);
    if (cb) cb(result);
  };
  hooks.setModel = function (id, path, value) {
    var page = pagesById.get(id);
    if (!page) return;
    var change = {};
    change[path] = value;
    page.setData(change);
  };
  // Performance entries the runtime measured (appLaunch, route, firstRender).
  var perfEntries = [];
  var perfObservers = [];
  hooks.perfEntry = function (entry) {
    perfEntries.push(entry);
    perfObservers.forEach(function (o) {
      if (o.types.indexOf(entry.entryType) >= 0) {
        try {
          o.callback({
            getEntries: function () {
              return [entry];
            },
          });
        } catch (e) {
          console.error(e);
        }
      }
    });
  };
  var performance = {
    now: function () {
      return Date.now();
    },
    getEntries: function () {
      return perfEntries.slice();
    },
    getEntriesByType: function (type) {
      return perfEntries.filter(function (e) {
        return e.entryType === type;
      });
    },
    getEntriesByName: function (name, type) {
      return perfEntries.filter(function (e) {
        return e.name === name && (type === undefined || e.entryType === type);
      });
    },
    createObserver: function (callback) {
      var o = { callback: callback, types: [] };
      return {
        observe: function (options) {
          o.types = (options && options.entryTypes) || [];
          if (perfObservers.indexOf(o) < 0) perfObservers.push(o);
        },
        disconnect: function () {
          var at = perfObservers.indexOf(o);
          if (at >= 0) perfObservers.splice(at, 1);
        },
      };
    },
  };
  // Theme changes come from the host (the simulator's developer tools, a device setting).
  var themeListeners = [];
  hooks.themeChange = function (theme) {
    var result = { theme: theme };
    if (app && typeof app.onThemeChange === 'function') app.onThemeChange(result);
    themeListeners.slice().forEach(function (f) {
      f(result);
    });
  };
  var updateManager = {
    onCheckForUpdate: function (f) {
      if (typeof f === 'function')
        Promise.resolve().then(function () {
          f({ hasUpdate: false });
        });
    },
    onUpdateReady: function () {},
    onUpdateFailed: function () {},
    applyUpdate: function () {
      console.warn('applyUpdate: no update is waiting');
    },
  };
  // wx.onAppShow / offAppShow and the like: each adds to or takes from one of the app's
  // listener lists (`off` without a function empties it).
  function onApp(kind) {
    return function (f) {
      if (typeof f === 'function') appListeners[kind].push(f);
    };
  }
  function offApp(kind) {
    return function (f) {
      appListeners[kind] =
        f === undefined
          ? []
          : appListeners[kind].filter(function (g) {
              return g !== f;
            });
    };
  }
  // Audio contexts and the background audio manager live in a part (parts/media.js).
  function audioContext(what, extra) {
    return part('media').audioContext(what, extra);
  }
  var wx = {
    getPerformance: function () {
      return performance;
    },
    createSelectorQuery: function () {
      return createSelectorQuery();
    },
    createAnimation: createAnimation,
    // wx.createInnerAudioContext(): an audio element in the view, driven from here; its
    // events come back as further replies to the call that made it.
    createInnerAudioContext: function () {
      return audioContext('InnerAudioContext');
    },
    // wx.createVideoContext(id, component): the view plays the `<video>` with that id.
    createVideoContext: function (id, component) {
      var page =
        component && component.__page !== undefined
          ? component.__page
          : component && component.__id !== undefined
            ? component.__id
            : undefined;
      if (page === undefined) {
        var current = stack[stack.length - 1];
        page = current ? current.__id : undefined;
      }
      var root = component && component.__shadow !== undefined ? component.__shadow : undefined;
      function action(name) {
        return function () {
          native.viewCall(
            ++viewSeq,
            'videoControl',
            JSON.stringify({
              page: page,
              root: root,
              id: String(id),
              action: name,
              args: Array.prototype.slice.call(arguments),
            }),
          );
        };
      }
      var ctx = {};
      ['play', 'pause', 'stop', 'seek', 'playbackRate', 'requestFullScreen', 'exitFullScreen'].forEach(function (n) {
        ctx[n] = action(n);
      });
      ctx.sendDanmu = function () {
        console.warn('VideoContext.sendDanmu: not supported');
      };
      return ctx;
    },
    createIntersectionObserver: function (component, options) {
      if (!component || component.__id === undefined) return createIntersectionObserver(undefined, component);
      if (component.__shadow !== undefined)
        return createIntersectionObserver(component.__page, options, component.__shadow, component.__id);
      return createIntersectionObserver(component.__id, options);
    },
    onThemeChange: function (f) {
      if (typeof f === 'function') themeListeners.push(f);
    },
    offThemeChange: function (f) {
      themeListeners =
        f === undefined
          ? []
          : themeListeners.filter(function (g) {
              return g !== f;
            });
    },
    navigateTo: navigation('navigateTo'),
    redirectTo: navigation('redirectTo'),
    navigateBack: navigation('navigateBack'),
    reLaunch: navigation('reLaunch'),
    switchTab: navigation('switchTab'),
    nextTick: function (fn) {
      Promise.resolve().then(fn);
    },
    getLaunchOptionsSync: function () {
      return JSON.parse(JSON.stringify(launchOptions));
    },
    getAccountInfoSync: function () {
      return { miniProgram: { appId: native.appId(), envVersion: 'develop', version: '' }, plugin: {} };
    },
    // The package running is the package there is: no update is ever waiting.
    getUpdateManager: function () {
      return updateManager;
    },
    onAppShow: onApp('show'),
    offAppShow: offApp('show'),
    onAppHide: onApp('hide'),
    offAppHide: offApp('hide'),
    onError: onApp('error'),
    offError: offApp('error'),
    onPageNotFound: onApp('pageNotFound'),
    offPageNotFound: offApp('pageNotFound'),
    onUnhandledRejection: onApp('unhandledRejection'),
    offUnhandledRejection: offApp('unhandledRejection'),
    getEnterOptionsSync: function () {
      return JSON.parse(JSON.stringify(launchOptions));
    },
    canIUse: function (schema) {
      if (typeof schema !== 'string') return false;
      var parts = schema.split('.');
      var node = wx;
      for (var i = 0; i < parts.length; i++) {
        if (node === null || node === undefined || !(parts[i] in Object(node))) return false;
        node = node[parts[i]];
      }
      return true;
    },
  };
  // The bridge's APIs: `wx.name(options)` (callbacks or a Promise) and, where the API has
  // one, `wx.nameSync(...)`, which throws on failure. Storage keeps Dates as Dates.
  function encodeDates(value) {
    return JSON.parse(
      JSON.stringify({ v: value }, function (k, v) {
        var raw = this[k];
        return raw instanceof Date ? { __capsuleDate: raw.getTime() } : v;
      }),
    ).v;
  }
  function decodeDates(value) {
    return JSON.parse(JSON.stringify(value), function (_key, v) {
      return v && typeof v === 'object' && Object.keys(v).length === 1 && typeof v.__capsuleDate === 'number'
        ? new Date(v.__capsuleDate)
        : v;
    });
  }
  // Own properties only, read once: a polluted prototype or a getter that changes its answer
  // cannot change what the host sees.
  function prepare(name, options) {
    var args = {};
    var keys = Object.keys(Object(options));
    for (var i = 0; i < keys.length; i++) {
      var k = keys[i];
      if (k === '__proto__') continue;
      var v = options[k];
      if (typeof v !== 'function') args[k] = isBytes(v) ? bytesOut(v) : v;
    }
    if (RE_STORAGE.test(name) && 'data' in args) args.data = encodeDates(args.data);
    return args;
  }
  function finish(name, result) {
    if (RE_GET_STORAGE.test(name) && result && 'data' in result) result.data = decodeDates(result.data);
    else if (result && result.data && typeof result.data === 'object' && typeof result.data.__capsuleBytes === 'string')
      result.data = bytesIn(result.data);
    return result;
  }
  // Bytes cross to the host as {__capsuleBytes: base64} and come back as ArrayBuffers.
  var B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  function isBytes(v) {
    return v instanceof ArrayBuffer || ArrayBuffer.isView(v);
  }
  function bytesOut(v) {
    var b = v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    var out = [];
    for (var i = 0; i < b.length; i += 3) {
      var n = (b[i] << 16) | ((b[i + 1] || 0) << 8) | (b[i + 2] || 0);
      out.push(
        B64[n >> 18],
        B64[(n >> 12) & 63],
        i + 1 < b.length ? B64[(n >> 6) & 63] : '=',
        i + 2 < b.length ? B64[n & 63] : '=',
      );
    }
    return { __capsuleBytes: out.join('') };
  }
  function bytesIn(v) {
    var s = String(v.__capsuleBytes).replace(RE_PADDING, '');
    var bytes = new Uint8Array(Math.floor((s.length * 3) / 4));
    var j = 0;
    for (var i = 0; i < s.length; i += 4) {
      var n = 0;
      for (var k = 0; k < 4; k++) n = (n << 6) | (i + k < s.length ? B64.indexOf(s[i + k]) : 0);
      bytes[j++] = n >> 16;
      if (i + 2 < s.length) bytes[j++] = (n >> 8) & 255;
      if (i + 3 < s.length) bytes[j++] = n & 255;
    }
    return bytes.buffer.slice(0, j);
  }
  var apiSeq = 0;
  var apiCallbacks = new IdMap();
  var apiEvents = new IdMap();
  hooks.apiReply = function (seq, result) {
    var cb = apiCallbacks.get(seq);
    apiCallbacks.delete(seq);
    if (cb) cb(result);
  };
  hooks.apiEvent = function (seq, name, data) {
    var listener = apiEvents.get(seq);
    if (data && typeof data.data === 'object' && data.data !== null && typeof data.data.__capsuleBytes === 'string')
      data.data = bytesIn(data.data);
    if (listener) listener(name, data);
  };
  // An async call through the bridge: callbacks or a Promise, as every wx API.
  function bridgeCall(name, shown, options, onResult, noPromise) {
    options = options || {};
    var seq = ++apiSeq;
    var resolve, reject;
    var wantsPromise =
      !noPromise &&
      typeof options.success !== 'function' &&
      typeof options.fail !== 'function' &&
      typeof options.complete !== 'function';
    var promise = wantsPromise
      ? new Promise(function (res, rej) {
          resolve = res;
          reject = rej;
        })
      : null;
    apiCallbacks.set(seq, function (result) {
      result = finish(name, result);
      if (onResult) onResult(result);
      if (RE_OK.test(result.errMsg)) {
        if (options.success) options.success(result);
        if (resolve) resolve(result);
      } else {
        if (options.fail) options.fail(result);
        if (reject) reject(result);
      }
      if (options.complete) options.complete(result);
    });
    var prepared;
    try {
      prepared = prepare(shown, options);
    } catch {
      prepared = {};
    }
    return {
      seq: seq,
      promise: promise,
      send: function (extra) {
        native.apiCall(seq, name, JSON.stringify(Object.assign(prepared, extra || {})));
      },
    };
  }
  function syncCall(name, args) {
    return JSON.parse(native.apiCallSync(name, JSON.stringify(args)));
  }
  function listenerSet() {
    var list = [];
    return {
      on: function (f) {
        if (typeof f === 'function') list.push(f);
      },
      off: function (f) {
        list =
          f === undefined
            ? []
            : list.filter(function (g) {
                return g !== f;
              });
      },
      emit: function (v) {
        list.slice().forEach(function (f) {
          f(v);
        });
      },
    };
  }
  // Network tasks (parts/tasks.js).
  forward('tasks', [
    'request',
    'downloadFile',
    'uploadFile',
    'connectSocket',
    'sendSocketMessage',
    'closeSocket',
    'onSocketOpen',
    'onSocketMessage',
    'onSocketError',
    'onSocketClose',
  ]);
  // The motion sensors (parts/sensors.js).
  forward('sensors', [
    'startAccelerometer',
    'stopAccelerometer',
    'onAccelerometerChange',
    'offAccelerometerChange',
    'startCompass',
    'stopCompass',
    'onCompassChange',
    'offCompassChange',
  ]);
  var networkListeners = listenerSet();
  wx.onNetworkStatusChange = networkListeners.on;
  wx.offNetworkStatusChange = networkListeners.off;
  wx.env = { USER_DATA_PATH: 'wxfile://usr' };
  // wx.getFileSystemManager(): the `fs` group of the bridge's APIs, with Sync variants; stat
  // gives Stats objects.
  var fsManager = null;
  function statsOf(raw) {
    var s = Object.assign({}, raw);
    s.isDirectory = function () {
      return (raw.mode & 0xf000) === 0x4000;
    };
    s.isFile = function () {
      return (raw.mode & 0xf000) === 0x8000;
    };
    return s;
  }
  function fsResult(name, result) {
    if (name === 'stat' && result && result.stats !== undefined) {
      result.stats = Array.isArray(result.stats)
        ? result.stats.map(function (e) {
            return { path: e.path, stats: statsOf(e.stats) };
          })
        : statsOf(result.stats);
    }
    return result;
  }
  // Made the first time it is asked for, from the bridge's `fs` group.
  wx.getFileSystemManager = function () {
    if (fsManager) return fsManager;
    fsManager = {};
    JSON.parse(native.apiGroup('fs')).forEach(function (api) {
      var short = api.name.slice(3);
      fsManager[short] = function (options) {
        var call = bridgeCall(api.name, short, options, function (r) {
          fsResult(short, r);
        });
        call.send();
        return call.promise || undefined;
      };
      if (api.sync)
        fsManager[short + 'Sync'] = function () {
          var args = {};
          for (var i = 0; i < api.positional.length; i++)
            if (i < arguments.length && arguments[i] !== undefined)
              args[api.positional[i]] = isBytes(arguments[i]) ? bytesOut(arguments[i]) : arguments[i];
          var result = fsResult(short, finish(api.name, syncCall(api.name, args)));
          if (!RE_OK.test(result.errMsg)) throw new Error(result.errMsg);
          if (api.returns) return result[api.returns];
        };
    });
    return fsManager;
  };
  // The function the bridge's surface makes `wx[name]`, or undefined: an API the view carries
  // out, a plain one answered at once, an async one (callbacks or a Promise) or its sync form,
  // which throws on failure. Made the first time a script reads the name (see `wx` below), so
  // an instance holds the APIs its scripts use and no others.
  function bridgeApi(name) {
    var entry = native.apiEntry(name);
    if (typeof entry !== 'string') return undefined;
    var api = JSON.parse(entry);
    if (api.view) return viewApi(api.name);
    if (api.plain)
      return function () {
        var result = JSON.parse(native.apiCallSync(api.name, '{}'));
        if (!RE_OK.test(result.errMsg)) throw new Error(result.errMsg);
        delete result.errMsg;
        return result;
      };
    if (name !== api.name)
      return function () {
        var args = {};
        for (var i = 0; i < api.positional.length; i++)
          if (i < arguments.length) args[api.positional[i]] = arguments[i];
        var result = JSON.parse(native.apiCallSync(api.name, JSON.stringify(prepare(api.name, args))));
        if (!RE_OK.test(result.errMsg)) {
          // A missing key reads as an empty string, as on the platform.
          if (api.name === 'getStorage' && RE_NOT_FOUND.test(result.errMsg)) return '';
          throw new Error(result.errMsg);
        }
        if (api.name === 'getStorage') result = finish('getStorage', result);
        if (api.returns) return result[api.returns];
        delete result.errMsg;
        return Object.keys(result).length ? result : undefined;
      };
    return function (options) {
      var call = bridgeCall(api.name, api.name, options);
      call.send();
      return call.promise || undefined;
    };
  }
  // An API answered here answers as the platform's did: `NAME:ok`, or `NAME:fail reason`.
  function answer(name, options, result, error) {
    options = options || {};
    var r = Object.assign({ errMsg: name + (error ? ':fail ' + error : ':ok') }, result || {});
    var wantsPromise =
      typeof options.success !== 'function' &&
      typeof options.fail !== 'function' &&
      typeof options.complete !== 'function';
    Promise.resolve().then(function () {
      if (!error && options.success) options.success(r);
      if (error && options.fail) options.fail(r);
      if (options.complete) options.complete(r);
    });
    if (wantsPromise) return error ? Promise.reject(r) : Promise.resolve(r);
  }
  // The background audio manager and the older play / pause / seek / stop family.
  forward('media', [
    'getBackgroundAudioManager',
    'playBackgroundAudio',
    'pauseBackgroundAudio',
    'stopBackgroundAudio',
    'seekBackgroundAudio',
    'getBackgroundAudioPlayerState',
    'onBackgroundAudioPlay',
    'onBackgroundAudioPause',
    'onBackgroundAudioStop',
  ]);

  // ---- share menu ------------------------------------------------------------------------
  // Each page's share menu: shown when the page defines onShareAppMessage, until
  // wx.showShareMenu / hideShareMenu change it. The view shows it in the capsule button's
  // menu; a person choosing "share" there calls the page's onShareAppMessage (the `share`
  // hook), and the view shows what it gave.
  var shareMenus = new IdMap();
  function shareMenuOf(page) {
    var menu = shareMenus.get(page.__id);
    if (!menu) {
      var menus = [];
      if (typeof page.onShareAppMessage === 'function') menus.push('shareAppMessage');
      if (typeof page.onShareTimeline === 'function') menus.push('shareTimeline');
      menu = { menus: menus, withShareTicket: false };
      shareMenus.set(page.__id, menu);
    }
    return menu;
  }
  // The menu changes once the host accepted the call (its arguments checked).
  function shareMenuApi(name, change) {
    return function (options) {
      options = options || {};
      var page = stack[stack.length - 1];
      if (!page) return answer(name, options, null, 'no page is shown');
      var next = JSON.parse(JSON.stringify(shareMenuOf(page)));
      change(next, options);
      var call = viewApi(name, function () {
        shareMenus.set(page.__id, next);
      });
      return call(Object.assign({}, options, { page: page.__id, menu: next }));
    };
  }
  var SHARE_MENUS = ['shareAppMessage', 'shareTimeline'];
  function menusOf(options) {
    return Array.isArray(options.menus)
      ? options.menus.filter(function (m) {
          return SHARE_MENUS.indexOf(m) >= 0;
        })
      : null;
  }
  var shareMenuApis = {
    showShareMenu: shareMenuApi('showShareMenu', function (menu, options) {
      (menusOf(options) || ['shareAppMessage']).forEach(function (m) {
        if (menu.menus.indexOf(m) < 0) menu.menus.push(m);
      });
      if ('withShareTicket' in options) menu.withShareTicket = !!options.withShareTicket;
    }),
    hideShareMenu: shareMenuApi('hideShareMenu', function (menu, options) {
      var hide = menusOf(options) || SHARE_MENUS;
      menu.menus = menu.menus.filter(function (m) {
        return hide.indexOf(m) < 0;
      });
    }),
    updateShareMenu: shareMenuApi('updateShareMenu', function (menu, options) {
      for (const k of Object.keys(Object(options)))
        if (typeof options[k] !== 'function' && k !== 'menus') menu[k] = options[k];
    }),
  };
  hooks.share = function (id, hook) {
    var page = pagesById.get(id);
    if (!page) return;
    var kind = hook === 'onShareTimeline' ? 'shareTimeline' : 'shareAppMessage';
    var menu = shareMenuOf(page);
    function report(content, refused) {
      var r = { page: id, kind: kind };
      if (refused) r.refused = refused;
      else {
        content = Object(content);
        if (typeof content.title === 'string') r.title = content.title;
        if (typeof content.imageUrl === 'string') r.imageUrl = content.imageUrl;
        if (kind === 'shareTimeline') r.query = typeof content.query === 'string' ? content.query : '';
        else r.path = typeof content.path === 'string' ? content.path : '/' + page.route + queryText(page.options);
      }
      native.viewCall(++viewSeq, 'shareResult', JSON.stringify(r));
    }
    if (menu.menus.indexOf(kind) < 0)
      return report(null, 'the page has no ' + kind + ' in its share menu (wx.showShareMenu adds it)');
    // Moments need the page's own onShareTimeline; a message has the platform's defaults.
    if (typeof page[hook] !== 'function') {
      if (kind === 'shareTimeline') return report(null, 'the page defines no onShareTimeline');
      return report({});
    }
    var content = page[hook].call(page, { from: 'menu' });
    // A `promise` in what it returns may give the content within 3 s, as on the platform.
    if (content && content.promise && typeof content.promise.then === 'function') {
      var done = false;
      var timer = setTimeout(function () {
        if (!done) report(content);
        done = true;
      }, 3000);
      content.promise.then(
        function (later) {
          if (done) return;
          done = true;
          clearTimeout(timer);
          report(Object.assign({}, content, Object(later)));
        },
        function () {
          if (done) return;
          done = true;
          clearTimeout(timer);
          report(content);
        },
      );
      return;
    }
    report(content);
  };
  function queryText(query) {
    var keys = Object.keys(Object(query));
    return keys.length
      ? '?' +
          keys
            .map(function (k) {
              return k + '=' + query[k];
            })
            .join('&')
      : '';
  }
  // The script-side objects whose calls the view carries out exist when those calls do (the
  // surface lists them in the object's group), so `canIUse` stays honest.
  var viewObjects = {
    SelectorQuery: ['createSelectorQuery'],
    IntersectionObserver: ['createIntersectionObserver'],
    InnerAudioContext: [
      'createInnerAudioContext',
      'getBackgroundAudioManager',
      'playBackgroundAudio',
      'pauseBackgroundAudio',
      'seekBackgroundAudio',
      'stopBackgroundAudio',
      'getBackgroundAudioPlayerState',
      'onBackgroundAudioPlay',
      'onBackgroundAudioPause',
      'onBackgroundAudioStop',
    ],
    VideoContext: ['createVideoContext'],
  };
  Object.keys(viewObjects).forEach(function (group) {
    if (!native.hasViewApi(group))
      viewObjects[group].forEach(function (name) {
        delete wx[name];
      });
  });
  // The share menu's APIs replace the plain view calls the surface made of them.
  Object.keys(shareMenuApis).forEach(function (name) {
    if (typeof native.apiEntry(name) === 'string') wx[name] = shareMenuApis[name];
  });
  // Every other API the platform declares fails the way its APIs fail,
  // `name:fail not supported`, instead of being `not a function`. Such a name is not `in wx`
  // (so `wx.canIUse` says false) and not among its keys; only reading it finds it, through
  // the prototype, at no cost to the APIs wx has.
  var unsupported = Object.create(null);
  var warned = Object.create(null);
  function notSupported(name) {
    var errMsg = name + ':fail not supported';
    function warn() {
      if (warned[name]) return;
      warned[name] = true;
      console.warn('wx.' + name + ' is not supported by Capsule');
    }
    // Listeners are taken and never called; what makes an object or answers at once throws.
    if (RE_LISTENER.test(name))
      return function () {
        warn();
      };
    if (RE_AT_ONCE.test(name))
      return function () {
        warn();
        throw new Error(errMsg);
      };
    return function (options) {
      warn();
      var result = { errMsg: errMsg };
      var o = Object(options);
      if (typeof o.success !== 'function' && typeof o.fail !== 'function' && typeof o.complete !== 'function')
        return Promise.reject(result);
      Promise.resolve().then(function () {
        if (typeof o.fail === 'function') o.fail(result);
        if (typeof o.complete === 'function') o.complete(result);
      });
    };
  }
  // `wx` as scripts see it: the framework's own APIs, and each of the bridge's made when a
  // script first reads it (`in`, `Object.keys` and `canIUse` count them all the same).
  var own = wx;
  var hasOwn = Object.prototype.hasOwnProperty;
  function make(name) {
    if (typeof name !== 'string' || hasOwn.call(own, name)) return;
    var f = bridgeApi(name);
    if (f !== undefined) own[name] = f;
  }
  var surfaceNames = null;
  wx = new Proxy(own, {
    get: function (target, name, receiver) {
      if (typeof name === 'string' && !(name in target)) {
        make(name);
        if (!hasOwn.call(target, name) && native.platformApi(name)) {
          if (!unsupported[name]) unsupported[name] = notSupported(name);
          return unsupported[name];
        }
      }
      return Reflect.get(target, name, receiver);
    },
    has: function (target, name) {
      return name in target || (typeof name === 'string' && typeof native.apiEntry(name) === 'string');
    },
    ownKeys: function (target) {
      if (!surfaceNames) surfaceNames = JSON.parse(native.apiNames());
      var keys = Reflect.ownKeys(target);
      surfaceNames.forEach(function (name) {
        if (!hasOwn.call(target, name)) keys.push(name);
      });
      return keys;
    },
    getOwnPropertyDescriptor: function (target, name) {
      make(name);
      return Reflect.getOwnPropertyDescriptor(target, name);
    },
  });
  Object.assign(core, {
    ownInterval: function (fn, ms) {
      return addTimer(fn, ms, [], true, true);
    },
    clearTimer: clearTimer,
    RE_API_NAME: RE_API_NAME,
    RE_FAIL_PREFIX: RE_FAIL_PREFIX,
    RE_OK: RE_OK,
    answer: answer,
    apiCallbacks: apiCallbacks,
    apiEvents: apiEvents,
    bridgeCall: bridgeCall,
    currentPageId: currentPageId,
    listenerSet: listenerSet,
    native: native,
    nextViewSeq: nextViewSeq,
    prepare: prepare,
    syncCall: syncCall,
    viewApi: viewApi,
    viewListeners: viewListeners,
  });
  Object.defineProperty(G, 'wx', { value: wx, enumerable: true });
});
