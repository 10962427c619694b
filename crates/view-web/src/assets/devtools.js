// The developer tools beside the phone: console, WXML, AppData, storage, network,
// permissions, resources and device panels, over the host's /capsule-dev/ endpoints (the
// WXML panel reads the phone's DOM in this same document). The shown panel is refreshed
// while it is shown; the console keeps reading what is new. The panel area is resized by
// its grips, and the phone is zoomed to fit the window.
import { hostFetch } from './view/protocol.js';
import { top } from './view/pages.js';

var root = document.getElementById('capsule-devtools');
var body = root.querySelector('.panel');
var current = 'console';
var consoleLines = [],
  consoleSeq = 0,
  networkCalls = [],
  networkSeq = 0;
var heapHistory = [],
  cpuHistory = [];

// The host answers these routes only with this run's secret, which hostFetch sends.
function get(path) {
  return hostFetch('/capsule-dev/' + path).then(function (r) {
    return r.json();
  });
}
function post(path, value) {
  return hostFetch('/capsule-dev/' + path, { method: 'POST', body: JSON.stringify(value) }).then(function (r) {
    return r.status === 204 ? null : r.json();
  });
}
function el(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
// What a person typed in a value field: JSON when it reads as JSON, else the text itself.
function jsonOrText(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function button(text, onclick, cls) {
  var b = el('button', cls, text);
  b.onclick = onclick;
  return b;
}
function show(v) {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

root.querySelectorAll('.tabs button').forEach(function (b) {
  b.onclick = function () {
    current = b.getAttribute('data-panel');
    if (current !== 'wxml') {
      setInspecting(false);
      outline(null);
    }
    root.querySelectorAll('.tabs button').forEach(function (o) {
      o.classList.toggle('on', o === b);
    });
    body.innerHTML = '';
    built = null;
    refresh();
  };
});

// Each panel builds its frame once (so inputs keep their text) and fills a part of it.
var built = null;
function frame(name, make) {
  if (built !== name) {
    body.innerHTML = '';
    make(body);
    built = name;
  }
}

var panels = {
  wxml: function () {
    frame('wxml', function (b) {
      var box = el('div', 'wxml');
      var bar = el('div', 'bar');
      bar.appendChild(
        button(
          'Inspect',
          function () {
            setInspecting(!wxml.inspecting);
          },
          'inspect' + (wxml.inspecting ? ' on' : ''),
        ),
      );
      bar.appendChild(el('span', 'hint', 'point at an element in the phone to select it'));
      box.appendChild(bar);
      box.appendChild(el('div', 'wxml-tree'));
      var details = el('div', 'wxml-details');
      var filter = el('input', 'style-filter');
      filter.placeholder = 'Filter computed style (every property)';
      filter.oninput = drawDetails;
      details.appendChild(el('div', 'parts'));
      details.appendChild(filter);
      box.appendChild(details);
      b.appendChild(box);
      wxml.drawn = '';
    });
    drawWxml();
    return Promise.resolve();
  },
  console: function () {
    frame('console', function (b) {
      var bar = el('div', 'bar');
      var filter = el('input', 'filter');
      filter.placeholder = 'Filter';
      filter.oninput = drawConsole;
      var allow = el('input');
      allow.type = 'checkbox';
      allow.className = 'allow-eval';
      var label = el('label', 'toggle');
      label.appendChild(allow);
      label.appendChild(document.createTextNode(' evaluate'));
      bar.appendChild(filter);
      bar.appendChild(label);
      b.appendChild(bar);
      b.appendChild(el('div', 'lines'));
      var input = el('input', 'eval');
      input.placeholder = 'An expression, run with this = the shown page';
      input.disabled = true;
      allow.onchange = function () {
        input.disabled = !allow.checked;
      };
      input.onkeydown = function (e) {
        if (e.key !== 'Enter' || !input.value) return;
        var expression = input.value;
        input.value = '';
        consoleLines.push({ level: 'input', text: '> ' + expression, seq: -1 });
        post('eval', { expression: expression }).then(function (r) {
          consoleLines.push(
            r && r.error !== undefined
              ? { level: 'error', text: '< ' + r.error }
              : { level: 'result', text: '< ' + (r ? r.result : '') },
          );
          drawConsole();
        });
      };
      b.appendChild(input);
    });
    return get('console?since=' + consoleSeq).then(function (r) {
      (r.lines || []).forEach(function (l) {
        consoleLines.push(l);
        consoleSeq = Math.max(consoleSeq, l.seq);
      });
      if (consoleLines.length > 1000) consoleLines.splice(0, consoleLines.length - 1000);
      drawConsole();
    });
  },
  data: function () {
    frame('data', function (b) {
      b.appendChild(el('div', 'pages'));
    });
    return get('data').then(function (pages) {
      var box = body.querySelector('.pages');
      if (!box || (document.activeElement && box.contains(document.activeElement))) return;
      box.innerHTML = '';
      (pages || []).forEach(function (p) {
        var section = el('section', 'page');
        section.setAttribute('data-page', p.page);
        section.appendChild(el('h4', null, p.route + ' (' + p.page + ')'));
        section.appendChild(el('pre', 'json', JSON.stringify(p.data, null, 2)));
        var path = el('input', 'path');
        path.placeholder = 'path, e.g. list[0].title';
        var value = el('input', 'value');
        value.placeholder = 'value as JSON';
        section.appendChild(path);
        section.appendChild(value);
        section.appendChild(
          button(
            'setData',
            function () {
              post('data', { page: p.page, path: path.value, value: jsonOrText(value.value) }).then(refresh);
            },
            'set',
          ),
        );
        box.appendChild(section);
      });
    });
  },
  storage: function () {
    frame('storage', function (b) {
      b.appendChild(el('div', 'quota'));
      b.appendChild(el('table', 'keys'));
      var key = el('input', 'key');
      key.placeholder = 'key';
      var value = el('input', 'value');
      value.placeholder = 'value as JSON';
      b.appendChild(key);
      b.appendChild(value);
      b.appendChild(
        button(
          'Set',
          function () {
            post('storage', { op: 'set', key: key.value, value: jsonOrText(value.value) }).then(refresh);
          },
          'set',
        ),
      );
    });
    return get('storage').then(function (s) {
      body.querySelector('.quota').textContent =
        'Used ' + (s.currentSize || 0) + ' KB of ' + (s.limitSize || 0) + ' KB';
      var table = body.querySelector('.keys');
      table.innerHTML = '<tr><th>key</th><th>size</th><th>value</th><th></th></tr>';
      (s.keys || []).forEach(function (k) {
        var tr = el('tr');
        tr.setAttribute('data-key', k.key);
        tr.appendChild(el('td', 'k', k.key));
        tr.appendChild(el('td', null, String(k.size)));
        tr.appendChild(el('td', 'v', show(k.value)));
        var td = el('td');
        td.appendChild(
          button(
            'Delete',
            function () {
              post('storage', { op: 'remove', key: k.key }).then(refresh);
            },
            'delete',
          ),
        );
        tr.appendChild(td);
        table.appendChild(tr);
      });
    });
  },
  network: function () {
    frame('network', function (b) {
      b.appendChild(el('table', 'calls'));
    });
    return get('network?since=' + networkSeq).then(function (r) {
      (r.calls || []).forEach(function (c) {
        networkCalls.push(c);
        networkSeq = Math.max(networkSeq, c.seq);
      });
      var table = body.querySelector('.calls');
      table.innerHTML =
        '<tr><th>api</th><th>method</th><th>url</th><th>status</th><th>ms</th><th>bytes</th><th>allowed</th></tr>';
      networkCalls.slice(-200).forEach(function (c) {
        var tr = el('tr', c.allowed ? (c.error ? 'failed' : '') : 'refused');
        [
          c.api,
          c.method,
          c.url,
          c.status === undefined || c.status === null ? c.error || '' : c.status,
          c.ms === undefined ? '' : c.ms,
          c.bytes === undefined || c.bytes === null ? '' : c.bytes,
          c.allowed ? 'yes' : 'no: ' + c.error,
        ].forEach(function (v, i) {
          tr.appendChild(el('td', i === 2 ? 'url' : i === 3 || i === 6 ? 'v' : null, String(v)));
        });
        table.appendChild(tr);
      });
    });
  },
  permissions: function () {
    frame('permissions', function (b) {
      b.appendChild(el('div', 'setting'));
      b.appendChild(el('table', 'decisions'));
    });
    return get('permissions').then(function (p) {
      var setting = body.querySelector('.setting');
      setting.innerHTML = '';
      // Every scope with a setting or a decision, whatever the decision was (an "allow
      // once" or a refusal leaves no setting): each can be granted or revoked from here.
      var scopes = Object.keys(p.setting || {});
      (p.decisions || []).forEach(function (d) {
        if (typeof d.scope === 'string' && d.scope.indexOf('scope.') === 0 && scopes.indexOf(d.scope) < 0)
          scopes.push(d.scope);
      });
      scopes.forEach(function (scope) {
        var row = el('div', 'scope');
        row.setAttribute('data-scope', scope);
        var state = (p.setting || {})[scope];
        row.appendChild(
          el('span', null, scope + ': ' + (state === undefined ? 'not decided' : state ? 'granted' : 'denied')),
        );
        row.appendChild(
          button(
            'Grant',
            function () {
              post('permissions', { scope: scope, granted: true }).then(refresh);
            },
            'grant',
          ),
        );
        row.appendChild(
          button(
            'Revoke',
            function () {
              post('permissions', { scope: scope, granted: false }).then(refresh);
            },
            'revoke',
          ),
        );
        row.appendChild(
          button(
            'Ask again',
            function () {
              post('permissions', { scope: scope, granted: null }).then(refresh);
            },
            'forget',
          ),
        );
        setting.appendChild(row);
      });
      var table = body.querySelector('.decisions');
      table.innerHTML = '<tr><th>api</th><th>scope</th><th>granted</th><th>why</th></tr>';
      (p.decisions || []).slice(-200).forEach(function (d) {
        var tr = el('tr');
        [d.api, d.scope, d.granted ? 'yes' : 'no', d.reason].forEach(function (v, i) {
          tr.appendChild(el('td', i === 3 ? 'v' : null, String(v)));
        });
        table.appendChild(tr);
      });
    });
  },
  resources: function () {
    frame('resources', function (b) {
      b.appendChild(el('div', 'numbers'));
      b.appendChild(el('div', 'charts'));
      b.appendChild(el('ul', 'breaches'));
    });
    return get('resources').then(function (m) {
      heapHistory.push(m.heap || 0);
      cpuHistory.push(m.cpuMs || 0);
      if (heapHistory.length > 60) {
        heapHistory.shift();
        cpuHistory.shift();
      }
      var limits = m.limits || {};
      body.querySelector('.numbers').innerHTML = '';
      [
        ['heap', Math.round((m.heap || 0) / 1024) + ' KiB (peak ' + Math.round((m.heapPeak || 0) / 1024) + ')'],
        [
          'held by the host',
          Math.round((m.hostBytes || 0) / 1024) +
            ' KiB of ' +
            Math.round((m.hostBudget || 0) / 1048576) +
            ' MiB (data ' +
            Math.round((m.hostData || 0) / 1024) +
            ', outputs ' +
            Math.round((m.hostOutputs || 0) / 1024) +
            ', inputs ' +
            Math.round((m.hostInputs || 0) / 1024) +
            ' KiB)',
        ],
        ['CPU this minute', Math.round(m.cpuMs || 0) + ' ms'],
        ['setData per second', (m.setDataPerSecond || 0) + ' (limit ' + limits.setDataPerSecond + ')'],
        ['patches per second', String(m.patchesPerSecond || 0)],
        ['largest setData', (m.setDataMaxBytes || 0) + ' bytes (limit ' + limits.setDataBytes + ')'],
        ['nodes', (m.nodes || 0) + ' (limit ' + limits.nodes + ')'],
        // The framework's parts this app's scripts reached for so far (the rest never loaded).
        ['framework parts', (m.frameworkParts || []).join(', ') || 'none'],
      ].forEach(function (row) {
        var line = el('div', 'metric');
        line.appendChild(el('span', 'name', row[0]));
        line.appendChild(el('span', 'value', row[1]));
        body.querySelector('.numbers').appendChild(line);
      });
      var charts = body.querySelector('.charts');
      charts.innerHTML = chart('heap', heapHistory) + chart('CPU ms', cpuHistory);
      var list = body.querySelector('.breaches');
      list.innerHTML = '';
      (m.breaches || []).forEach(function (b) {
        list.appendChild(el('li', null, b));
      });
      if (!(m.breaches || []).length) list.appendChild(el('li', 'none', 'No limit breached.'));
    });
  },
  device: function () {
    frame('device', function (b) {
      var select = el('select', 'profile');
      select.onchange = function () {
        post('device', { name: select.value });
      };
      b.appendChild(select);
      get('device').then(function (d) {
        (d.devices || []).forEach(function (name) {
          var o = el('option', null, name);
          o.value = name;
          if (name === d.current) o.selected = true;
          select.appendChild(o);
        });
      });
      b.appendChild(
        button(
          'Light',
          function () {
            post('theme', { theme: 'light' });
          },
          'light',
        ),
      );
      b.appendChild(
        button(
          'Dark',
          function () {
            post('theme', { theme: 'dark' });
          },
          'dark',
        ),
      );
      b.appendChild(
        button(
          'Location…',
          function () {
            document.getElementById('capsule-set-location').click();
          },
          'location',
        ),
      );
      b.appendChild(
        button(
          'Rotate',
          function () {
            var s = document.documentElement.style;
            var css = getComputedStyle(document.documentElement);
            var w = css.getPropertyValue('--device-width'),
              h = css.getPropertyValue('--device-height');
            s.setProperty('--device-width', h.trim());
            s.setProperty('--device-height', w.trim());
            fit();
          },
          'rotate',
        ),
      );
    });
    return Promise.resolve();
  },
};

// A line from the first sample on (one sample is a dot), the latest value marked.
function chart(name, values) {
  var max = Math.max.apply(null, values.concat([1]));
  var xy = values.map(function (v, i) {
    return [i * 4, (40 - (38 * v) / max).toFixed(1)];
  });
  var last = xy[xy.length - 1];
  var points = xy
    .map(function (p) {
      return p[0] + ',' + p[1];
    })
    .join(' ');
  return (
    '<figure><figcaption>' +
    name +
    (values.length ? ': ' + Math.round(values[values.length - 1]) : '') +
    '</figcaption><svg width="244" height="42" viewBox="-2 -1 244 42"><polyline fill="none" stroke="#3b7ddd" points="' +
    points +
    '"/>' +
    (last ? '<circle r="2" fill="#3b7ddd" cx="' + last[0] + '" cy="' + last[1] + '"/>' : '') +
    '</svg></figure>'
  );
}

function drawConsole() {
  var box = body.querySelector('.lines');
  if (!box) return;
  var filter = (body.querySelector('.filter') || {}).value || '';
  box.innerHTML = '';
  consoleLines.forEach(function (l) {
    var text = l.text + (l.source ? '  (' + l.source + ')' : '');
    if (filter && text.toLowerCase().indexOf(filter.toLowerCase()) < 0) return;
    var line = el('div', 'line ' + l.level, text);
    if (l.stack) line.appendChild(el('pre', 'stack', l.stack));
    box.appendChild(line);
  });
  box.scrollTop = box.scrollHeight;
}

// ---- WXML -----------------------------------------------------------------------------
// The shown page's tree as the view holds it (the DOM the host's patches keep current):
// elements the template made carry `__capsule` ({id, tag, attrs}) and are in their page's
// `nodes` map, built-ins' inner elements are not; a custom component's shadow root is a
// node of its own. Selecting a node outlines it in the phone and shows its attributes,
// dataset, box and computed style (the browser's own getComputedStyle and layout).
var wxml = { page: null, selected: null, expanded: new Set(), inspecting: false, drawn: '' };
// biome-ignore format: a list of names, wrapped rather than one a line
var COMMON_STYLE = [
  'display', 'position', 'box-sizing', 'width', 'height', 'margin', 'padding', 'border', 'color',
  'background-color', 'font-size', 'font-weight', 'font-family', 'line-height', 'text-align',
  'flex-direction', 'justify-content', 'align-items', 'flex', 'overflow', 'opacity', 'z-index',
  'top', 'left', 'transform', 'visibility',
];

function treeNodes(page) {
  return new Set(page.nodes.values());
}
function isShadow(n) {
  return n instanceof ShadowRoot;
}
// A node's children in the tree: its shadow root first, then what the page put in it
// (through the built-ins' inner elements, which are not nodes of the tree).
function childrenOf(node, known) {
  var out = [];
  if (node.nodeType === 1 && node.shadowRoot && known.has(node.shadowRoot)) out.push(node.shadowRoot);
  (function collect(parent) {
    parent.childNodes.forEach(function (c) {
      if (known.has(c)) {
        if (c.nodeType !== 3 || c.textContent.trim()) out.push(c);
      } else if (c.nodeType === 1) collect(c);
    });
  })(node);
  return out;
}
// The tree node holding `n` (an element, text or shadow root), or null at the page.
function parentOf(n, known) {
  for (var p = isShadow(n) ? n.host : n.parentNode; p; p = isShadow(p) && !known.has(p) ? p.host : p.parentNode) {
    if (known.has(p)) return p;
  }
  return null;
}
function quote(v, max) {
  var s = show(v);
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}
function labelOf(n) {
  if (n.nodeType === 3) return '"' + quote(n.textContent.trim(), 60) + '"';
  if (isShadow(n)) return '#shadow-root';
  var info = n.__capsule;
  var attrs = info.attrs || {};
  var names = Object.keys(attrs).filter(function (k) {
    return attrs[k] !== null && attrs[k] !== undefined;
  });
  names.sort(function (a, b) {
    var rank = function (k) {
      return k === 'id' ? 0 : k === 'class' ? 1 : 2;
    };
    return rank(a) - rank(b);
  });
  return (
    '<' +
    info.tag +
    names
      .map(function (k) {
        return ' ' + k + '="' + quote(attrs[k], 40) + '"';
      })
      .join('') +
    '>'
  );
}
function nodeId(n) {
  return n.nodeType === 3 ? '' : String(n.__capsule.id);
}
// The element whose box a node has (a shadow root: its host).
function boxOf(n) {
  return isShadow(n) ? n.host : n;
}
function rectOf(n) {
  if (n.nodeType === 3) {
    var range = document.createRange();
    range.selectNodeContents(n);
    return range.getBoundingClientRect();
  }
  return boxOf(n).getBoundingClientRect();
}

function select(n, reveal) {
  wxml.selected = n;
  if (reveal) {
    var known = treeNodes(wxml.page);
    for (var p = parentOf(n, known); p; p = parentOf(p, known)) wxml.expanded.add(p);
  }
  drawWxml();
  if (reveal) {
    var row = body.querySelector('.wxml-tree .node.selected');
    if (row) row.scrollIntoView({ block: 'nearest' });
  }
}

function drawTree() {
  var box = body.querySelector('.wxml-tree');
  if (!box) return;
  var page = wxml.page;
  if (!page) {
    box.textContent = 'No page is shown.';
    wxml.drawn = '';
    return;
  }
  var known = treeNodes(page);
  var rows = [];
  (function walk(n, depth) {
    var kids = childrenOf(n, known);
    var open = wxml.expanded.has(n);
    rows.push({ node: n, depth: depth, kids: kids.length > 0, open: open, label: labelOf(n) });
    if (open)
      kids.forEach(function (k) {
        walk(k, depth + 1);
      });
  })(page.el, 0);
  if (wxml.selected && !known.has(wxml.selected) && wxml.selected !== page.el) wxml.selected = null;
  var sig = rows
    .map(function (r) {
      return r.depth + (r.open ? '-' : r.kids ? '+' : ' ') + (r.node === wxml.selected ? '*' : '') + r.label;
    })
    .join('\n');
  if (sig === wxml.drawn) return;
  wxml.drawn = sig;
  var scroll = box.scrollTop;
  box.innerHTML = '';
  rows.forEach(function (r) {
    var row = el('div', 'node' + (r.node === wxml.selected ? ' selected' : ''));
    row.style.paddingLeft = 4 + r.depth * 14 + 'px';
    row.setAttribute('data-id', nodeId(r.node));
    if (r.node.nodeType === 3) row.classList.add('text');
    if (isShadow(r.node)) row.classList.add('shadow');
    var twisty = el('span', 'twisty', r.kids ? (r.open ? '▾' : '▸') : '');
    twisty.onclick = function (e) {
      e.stopPropagation();
      if (wxml.expanded.has(r.node)) wxml.expanded.delete(r.node);
      else wxml.expanded.add(r.node);
      drawWxml();
    };
    row.appendChild(twisty);
    row.appendChild(el('span', 'label', r.label));
    row.onclick = function () {
      select(r.node, false);
    };
    row.onmouseenter = function () {
      outline(r.node);
    };
    row.onmouseleave = function () {
      outline(wxml.selected);
    };
    box.appendChild(row);
  });
  box.scrollTop = scroll;
}

function table(cls, head, rows) {
  var t = el('table', cls);
  var tr = el('tr');
  head.forEach(function (h) {
    tr.appendChild(el('th', null, h));
  });
  t.appendChild(tr);
  rows.forEach(function (r) {
    var row = el('tr');
    row.setAttribute('data-name', r[0]);
    r.forEach(function (v, i) {
      row.appendChild(el('td', i === 0 ? 'k' : 'v', v));
    });
    t.appendChild(row);
  });
  return t;
}
// `data-foo-bar` is `dataset.fooBar`, as the platform names it.
function datasetOf(attrs) {
  var out = [];
  Object.keys(attrs).forEach(function (k) {
    if (k.indexOf('data-') !== 0 || attrs[k] === null || attrs[k] === undefined) return;
    var key = k
      .slice(5)
      .toLowerCase()
      .replace(/-([a-z])/g, function (_, c) {
        return c.toUpperCase();
      });
    out.push([key, show(attrs[k])]);
  });
  return out;
}
function px(v) {
  return String(Math.round(parseFloat(v) * 100) / 100 || 0);
}

function drawDetails() {
  var box = body.querySelector('.wxml-details');
  if (!box) return;
  var n = wxml.selected;
  var parts = box.querySelector('.parts');
  parts.innerHTML = '';
  box.querySelector('.style-filter').style.display = n && n.nodeType === 1 ? '' : 'none';
  if (!n) {
    parts.appendChild(el('div', 'hint', 'Select a node, or press Inspect and point at the phone.'));
    return;
  }
  parts.appendChild(el('div', 'selected-label', labelOf(n)));
  if (n.nodeType === 3) {
    parts.appendChild(el('pre', 'json', n.textContent));
  } else {
    var attrs = n.__capsule.attrs || {};
    var names = Object.keys(attrs).filter(function (k) {
      return attrs[k] !== null && attrs[k] !== undefined;
    });
    parts.appendChild(el('h4', null, 'Attributes'));
    parts.appendChild(
      table(
        'attrs',
        ['name', 'value'],
        names.map(function (k) {
          return [k, show(attrs[k])];
        }),
      ),
    );
    parts.appendChild(el('h4', null, 'Dataset'));
    parts.appendChild(table('dataset', ['key', 'value'], datasetOf(attrs)));
  }
  var target = n.nodeType === 3 ? null : boxOf(n);
  var r = rectOf(n);
  var screen = document.getElementById('capsule-screen').getBoundingClientRect();
  var zoom = phoneZoom();
  parts.appendChild(el('h4', null, 'Box'));
  var rows = [
    ['size', px(r.width / zoom) + ' × ' + px(r.height / zoom)],
    ['position', px((r.left - screen.left) / zoom) + ', ' + px((r.top - screen.top) / zoom)],
  ];
  if (target) {
    var cs = getComputedStyle(target);
    ['margin', 'border', 'padding'].forEach(function (k) {
      var suffix = k === 'border' ? '-width' : '';
      rows.push([
        k,
        ['top', 'right', 'bottom', 'left']
          .map(function (side) {
            return px(cs.getPropertyValue(k + '-' + side + suffix));
          })
          .join(' '),
      ]);
    });
  }
  parts.appendChild(table('box', ['', 'top right bottom left / px'], rows));
  if (!target) return;
  var filter = box.querySelector('.style-filter').value.trim().toLowerCase();
  var style = getComputedStyle(target);
  var props = filter
    ? Array.prototype.filter.call(style, function (p) {
        return p.indexOf(filter) >= 0;
      })
    : COMMON_STYLE;
  parts.appendChild(el('h4', null, 'Computed style'));
  parts.appendChild(
    table(
      'computed',
      ['property', 'value'],
      props.map(function (p) {
        return [p, style.getPropertyValue(p)];
      }),
    ),
  );
}

// The outline in the phone: the margin box, the border box and a label with the size.
var outlineEl = null;
function outline(n) {
  if (!outlineEl) {
    outlineEl = el('div');
    outlineEl.id = 'capsule-wxml-outline';
    outlineEl.innerHTML = '<i class="margin"></i><i class="box"></i><span class="tip"></span>';
    document.body.appendChild(outlineEl);
  }
  if (!n || current !== 'wxml' || !(n.isConnected || (isShadow(n) && n.host.isConnected))) {
    outlineEl.style.display = 'none';
    return;
  }
  var r = rectOf(n);
  var zoom = phoneZoom();
  var m = [0, 0, 0, 0];
  if (n.nodeType !== 3) {
    var cs = getComputedStyle(boxOf(n));
    m = ['top', 'right', 'bottom', 'left'].map(function (s) {
      return (parseFloat(cs.getPropertyValue('margin-' + s)) || 0) * zoom;
    });
  }
  outlineEl.style.display = 'block';
  var place = function (e, left, top, width, height) {
    e.style.left = left + 'px';
    e.style.top = top + 'px';
    e.style.width = Math.max(0, width) + 'px';
    e.style.height = Math.max(0, height) + 'px';
  };
  place(outlineEl.querySelector('.box'), r.left, r.top, r.width, r.height);
  place(outlineEl.querySelector('.margin'), r.left - m[3], r.top - m[0], r.width + m[1] + m[3], r.height + m[0] + m[2]);
  var tip = outlineEl.querySelector('.tip');
  tip.textContent =
    (n.nodeType === 3 ? '#text' : isShadow(n) ? '#shadow-root' : n.__capsule.tag) +
    '  ' +
    px(r.width / zoom) +
    ' × ' +
    px(r.height / zoom);
  tip.style.left = r.left + 'px';
  tip.style.top = (r.top > 24 ? r.top - 22 : r.bottom + 2) + 'px';
}
function keepOutline() {
  outline(wxml.selected);
  if (wxml.selected && current === 'wxml') requestAnimationFrame(keepOutline);
}

function drawWxml() {
  var shown = top();
  if (shown !== wxml.page) {
    wxml.page = shown || null;
    wxml.selected = null;
    wxml.expanded = new Set(shown ? [shown.el] : []);
    wxml.drawn = '';
  }
  drawTree();
  drawDetails();
  var was = outlineEl && outlineEl.style.display === 'block';
  outline(wxml.selected);
  if (wxml.selected && !was) requestAnimationFrame(keepOutline);
}

// Inspect mode: the element under the pointer in the phone is selected; a click there ends
// the mode and does not reach the app.
function inspectTarget(e) {
  var pages = document.getElementById('capsule-pages');
  if (!wxml.page || !pages.contains(e.target)) return null;
  var known = treeNodes(wxml.page);
  var path = e.composedPath();
  for (var i = 0; i < path.length; i++) if (known.has(path[i])) return path[i];
  return null;
}
function setInspecting(on) {
  wxml.inspecting = on;
  document.body.classList.toggle('capsule-inspecting', on);
  var b = body.querySelector('button.inspect');
  if (b) b.classList.toggle('on', on);
}
window.addEventListener(
  'pointermove',
  function (e) {
    if (!wxml.inspecting) return;
    var n = inspectTarget(e);
    if (n && n !== wxml.selected) select(n, true);
  },
  true,
);
['pointerdown', 'pointerup', 'mousedown', 'mouseup', 'touchstart', 'touchend', 'click'].forEach(function (type) {
  window.addEventListener(
    type,
    function (e) {
      if (!wxml.inspecting || !document.getElementById('capsule-pages').contains(e.target)) return;
      e.preventDefault();
      e.stopImmediatePropagation();
      if (type === 'click') {
        var n = inspectTarget(e);
        if (n) select(n, true);
        setInspecting(false);
      }
    },
    { capture: true, passive: false },
  );
});

// ---- the panel area and the phone's size ----------------------------------------------
function phoneZoom() {
  return parseFloat(document.getElementById('capsule-phone').style.zoom) || 1;
}
// Zooms the phone out when the device is taller (or, rotated, wider) than the window.
function fit() {
  var phone = document.getElementById('capsule-phone');
  var css = getComputedStyle(document.documentElement);
  var w = parseFloat(css.getPropertyValue('--device-width')) || 375;
  var h = parseFloat(css.getPropertyValue('--device-height')) || 667;
  var scale = Math.min(1, (window.innerHeight - 48) / h, (window.innerWidth - 48) / w);
  scale = Math.max(0.3, Math.floor(scale * 100) / 100);
  var value = scale < 1 ? String(scale) : '';
  if (phone.style.zoom !== value) phone.style.zoom = value;
}
window.addEventListener('resize', fit);
new MutationObserver(fit).observe(document.getElementById('capsule-device'), {
  childList: true,
  characterData: true,
  subtree: true,
});
new MutationObserver(fit).observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
fit();

// The grips: the left edge sets the width, the bottom edge the height (kept for next time).
function grip(cls, apply) {
  var g = el('div', 'grip ' + cls);
  g.onpointerdown = function (e) {
    e.preventDefault();
    g.setPointerCapture(e.pointerId);
    var css = getComputedStyle(root);
    var start = { x: e.clientX, y: e.clientY, w: parseFloat(css.width), h: parseFloat(css.height) };
    g.onpointermove = function (m) {
      apply(start, m);
    };
    g.onpointerup = function () {
      g.onpointermove = null;
      try {
        localStorage.setItem('capsule-devtools-size', JSON.stringify([root.style.width, root.style.height]));
      } catch {}
    };
  };
  root.appendChild(g);
}
grip('width', function (start, m) {
  root.style.width = Math.max(280, start.w + start.x - m.clientX) + 'px';
});
grip('height', function (start, m) {
  root.style.height = Math.max(240, start.h + m.clientY - start.y) + 'px';
});
try {
  var size = JSON.parse(localStorage.getItem('capsule-devtools-size') || 'null');
  if (size) {
    root.style.width = size[0] || '';
    root.style.height = size[1] || '';
  }
} catch {}

var busy = false;
function refresh() {
  if (busy) return;
  busy = true;
  Promise.resolve(panels[current]())
    .catch(function () {})
    .then(function () {
      busy = false;
    });
}
setInterval(refresh, 700);
refresh();
