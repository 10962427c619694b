// A part of the framework (framework.js), evaluated the first time a script reaches for it.
// Selector queries (answered by the view from its real layout in one round trip) and
// intersection observers (the view watches with the browser's own observer).
(function (core) {
  'use strict';
  var currentPageId = core.currentPageId,
    native = core.native,
    nextViewSeq = core.nextViewSeq,
    viewApi = core.viewApi,
    viewListeners = core.viewListeners;
  // wx.createSelectorQuery(): requests gathered here, answered by the view from its real
  // layout in one round trip when `exec` is called.
  var FIELD_NAMES = ['id', 'dataset', 'rect', 'size', 'scrollOffset', 'properties', 'computedStyle'];
  // `root` is a component's shadow root: the query looks inside that component only.
  function createSelectorQuery(pageId, root) {
    var requests = [];
    var callbacks = [];
    var query = {
      in: function (component) {
        if (component && component.__shadow !== undefined) {
          pageId = component.__page;
          root = component.__shadow;
        }
        return query;
      },
      select: function (selector) {
        return nodesRef(String(selector), true, false);
      },
      selectAll: function (selector) {
        return nodesRef(String(selector), false, false);
      },
      selectViewport: function () {
        return nodesRef('', true, true);
      },
      exec: function (callback) {
        var page = pageId;
        if (page === undefined) page = currentPageId();
        var sent = requests.slice();
        var handlers = callbacks.slice();
        viewApi('selectorQuery')({
          page: page,
          root: root,
          requests: sent,
          success: function (reply) {
            var results = reply.results || [];
            handlers.forEach(function (f, i) {
              if (typeof f === 'function') f(results[i] === undefined ? null : results[i]);
            });
            if (typeof callback === 'function') callback(results);
          },
          fail: function (reply) {
            console.error('SelectorQuery.exec: ' + reply.errMsg);
          },
        });
        return query;
      },
    };
    function nodesRef(selector, single, viewport) {
      function add(fields, callback) {
        requests.push({ selector: selector, single: single, viewport: viewport, fields: fields });
        callbacks.push(callback);
        return query;
      }
      return {
        boundingClientRect: function (cb) {
          return add({ id: true, dataset: true, rect: true, size: true }, cb);
        },
        scrollOffset: function (cb) {
          return add({ id: true, dataset: true, scrollOffset: true }, cb);
        },
        fields: function (fields, cb) {
          var wanted = {};
          Object.keys(Object(fields)).forEach(function (k) {
            if (FIELD_NAMES.indexOf(k) >= 0) wanted[k] = fields[k];
            else if (fields[k]) console.warn('SelectorQuery: fields.' + k + ' is not supported');
          });
          return add(wanted, cb);
        },
      };
    }
    return query;
  }
  // wx.createIntersectionObserver(): the view watches with the browser's own observer and
  // reports each crossing of a threshold; the report arrives as a further reply to `observe`.
  function createIntersectionObserver(pageId, options, root, owner) {
    options = options || {};
    var relative = null;
    var seqs = [];
    var observer = {
      relativeTo: function (selector, margins) {
        relative = { selector: String(selector), margins: margins || {} };
        return observer;
      },
      relativeToViewport: function (margins) {
        relative = { viewport: true, margins: margins || {} };
        return observer;
      },
      observe: function (selector, callback) {
        var page = pageId;
        if (page === undefined) page = currentPageId();
        var seq = nextViewSeq();
        seqs.push(seq);
        viewListeners.set(seq, { page: page, owner: owner === undefined ? page : owner, callback: callback });
        native.viewCall(
          seq,
          'observeIntersection',
          JSON.stringify({
            page: page,
            root: root,
            selector: String(selector),
            relative: relative || { viewport: true, margins: {} },
            thresholds: Array.isArray(options.thresholds) ? options.thresholds.map(Number) : [0],
            initialRatio: Number(options.initialRatio) || 0,
            observeAll: !!options.observeAll,
          }),
        );
      },
      disconnect: function () {
        seqs.forEach(function (seq) {
          if (!viewListeners.delete(seq)) return;
          native.viewCall(nextViewSeq(), 'disconnectIntersection', JSON.stringify({ observer: seq }));
        });
        seqs = [];
      },
    };
    return observer;
  }
  return { createSelectorQuery: createSelectorQuery, createIntersectionObserver: createIntersectionObserver };
});
