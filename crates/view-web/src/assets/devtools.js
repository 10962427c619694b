// The developer tools beside the phone: console, AppData, storage, network, permissions,
// resources and device panels over the host's /capsule-dev/ endpoints. The shown panel is
// refreshed while it is shown; the console keeps reading what is new.
import { hostFetch } from './view/protocol.js';

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
        ].forEach(function (v) {
          tr.appendChild(el('td', null, String(v)));
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
      Object.keys(p.setting || {}).forEach(function (scope) {
        var row = el('div', 'scope');
        row.setAttribute('data-scope', scope);
        row.appendChild(el('span', null, scope + ': ' + (p.setting[scope] ? 'granted' : 'denied')));
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
        [d.api, d.scope, d.granted ? 'yes' : 'no', d.reason].forEach(function (v) {
          tr.appendChild(el('td', null, String(v)));
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
          },
          'rotate',
        ),
      );
    });
    return Promise.resolve();
  },
};

function chart(name, values) {
  var max = Math.max.apply(null, values.concat([1]));
  var points = values
    .map(function (v, i) {
      return i * 4 + ',' + (40 - (38 * v) / max).toFixed(1);
    })
    .join(' ');
  return (
    '<figure><figcaption>' +
    name +
    '</figcaption><svg width="240" height="40"><polyline fill="none" stroke="#3b7ddd" points="' +
    points +
    '"/></svg></figure>'
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
