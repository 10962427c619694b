// Engine behaviour published mini-programs rely on that QuickJS lacks, put in place in every
// instance before the framework: the legacy RegExp statics (`RegExp.$1`…) and `Intl` with the
// `toLocale*String` and `localeCompare` methods that go through it. `loadIntl` is the host's:
// it evaluates intl.js, which this calls only the first time a script formats or compares
// something or touches `Intl`.
(function (loadIntl) {
  'use strict';
  var G = globalThis;

  // ---- RegExp legacy statics -----------------------------------------------------------
  // Browsers keep the last successful match of any regular expression on `RegExp` itself.
  // `test`, `match`, `matchAll`, `replace`, `search` and `split` all call `exec` (QuickJS
  // looks the method up, as the spec says), so remembering its result here is enough; the
  // statics are computed from it only when read.
  var nativeExec = RegExp.prototype.exec;
  var last = null;
  var input = null;
  // Expressions the framework uses for itself: their matches are not the script's, so they
  // leave the statics as the script's last match set them.
  var quiet = new WeakSet();
  Object.defineProperty(RegExp, Symbol.for('capsule.quiet'), {
    value: function (re) {
      quiet.add(re);
      return re;
    },
  });
  RegExp.prototype.exec = function exec(string) {
    var match = nativeExec.call(this, string);
    if (match !== null && !quiet.has(this)) {
      last = match;
      input = null;
    }
    return match;
  };
  function define(names, get, set) {
    var descriptor = { get: get, set: set || function () {}, enumerable: false, configurable: true };
    names.forEach(function (name) {
      Object.defineProperty(RegExp, name, descriptor);
    });
  }
  function group(i) {
    return function () {
      var v = last !== null && i < last.length ? last[i] : undefined;
      return v === undefined ? '' : v;
    };
  }
  define(
    ['input', '$_'],
    function () {
      return input !== null ? input : last !== null ? last.input : '';
    },
    function (v) {
      input = String(v);
    },
  );
  define(['lastMatch', '$&'], group(0));
  define(['lastParen', '$+'], function () {
    return last !== null && last.length > 1 ? group(last.length - 1)() : '';
  });
  define(['leftContext', '$`'], function () {
    return last !== null ? last.input.slice(0, last.index) : '';
  });
  define(['rightContext', "$'"], function () {
    return last !== null ? last.input.slice(last.index + last[0].length) : '';
  });
  for (var i = 1; i <= 9; i++) define(['$' + i], group(i));

  // ---- Intl, on first use ----------------------------------------------------------------
  var loaded = null;
  function intl() {
    if (loaded === null) loaded = loadIntl();
    return loaded;
  }
  function settle(value) {
    Object.defineProperty(G, 'Intl', { value: value, writable: true, enumerable: false, configurable: true });
  }
  Object.defineProperty(G, 'Intl', {
    get: function () {
      var value = intl().Intl;
      settle(value);
      return value;
    },
    set: settle,
    enumerable: false,
    configurable: true,
  });

  // Replaces a built-in method, keeping its name and its length of 0.
  function replace(proto, name, f) {
    Object.defineProperty(f, 'name', { value: name });
    Object.defineProperty(proto, name, { value: f, writable: true, enumerable: false, configurable: true });
  }
  var numberValue = Number.prototype.valueOf;
  var timeValue = Date.prototype.getTime;
  replace(Number.prototype, 'toLocaleString', function () {
    var x = numberValue.call(this);
    return new (intl().Intl.NumberFormat)(arguments[0], arguments[1]).format(x);
  });
  // QuickJS compares code units: 'B' before 'a', 'é' after 'z'.
  replace(String.prototype, 'localeCompare', function (that) {
    if (this === null || this === undefined) {
      throw new TypeError('String.prototype.localeCompare called on null or undefined');
    }
    return intl().localeCompare(String(this), String(that), arguments[1], arguments[2]);
  });
  // What each method shows when no field is asked for, as ToDateTimeOptions has it.
  function dateMethod(required, defaults) {
    return function () {
      var t = timeValue.call(this);
      if (Number.isNaN(t)) return 'Invalid Date';
      return intl().dateTime(arguments[0], arguments[1], required, defaults).format(t);
    };
  }
  replace(Date.prototype, 'toLocaleString', dateMethod('any', 'all'));
  replace(Date.prototype, 'toLocaleDateString', dateMethod('date', 'date'));
  replace(Date.prototype, 'toLocaleTimeString', dateMethod('time', 'time'));
});
