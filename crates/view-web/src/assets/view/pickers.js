// `<picker>`: a sheet of choices over the page — a list (selector), columns
// (multiSelector), a date or time field, or the administrative regions — and the choice
// reported as the platform's `change`, `columnchange` and `cancel`.
import { attr, truthy } from './tree.js';
import { dispatch } from './events.js';

// A picker opens a sheet: a list of choices (selector), or a date or time field.
export function openPicker(picker) {
  if (truthy(attr(picker, 'disabled', false))) return;
  var sheet = document.getElementById('capsule-picker');
  var body = sheet.querySelector('.body');
  body.innerHTML = '';
  var mode = attr(picker, 'mode', 'selector');
  var choose;
  if (mode === 'date' || mode === 'time') {
    var field = document.createElement('input');
    field.type = mode;
    field.value = String(attr(picker, 'value', ''));
    body.appendChild(field);
    choose = function () {
      return field.value;
    };
  } else if (mode === 'selector') {
    var range = attr(picker, 'range', []) || [];
    var key = attr(picker, 'range-key', null);
    var selected = Number(attr(picker, 'value', 0)) || 0;
    range.forEach(function (item, i) {
      var row = document.createElement('div');
      row.className = 'option' + (i === selected ? ' selected' : '');
      row.setAttribute('data-index', i);
      row.textContent = key && item && typeof item === 'object' ? item[key] : String(item);
      row.onclick = function () {
        body.querySelectorAll('.option').forEach(function (o) {
          o.classList.remove('selected');
        });
        row.classList.add('selected');
        selected = i;
      };
      body.appendChild(row);
    });
    choose = function () {
      return selected;
    };
  } else if (mode === 'multiSelector') {
    // Columns side by side; each choice is reported as columnchange, and the page may
    // answer by changing the later columns' ranges.
    var initial = attr(picker, 'value', []);
    var chosen = (Array.isArray(initial) ? initial : []).map(function (v) {
      return Number(v) || 0;
    });
    var columns = document.createElement('div');
    columns.className = 'columns';
    body.appendChild(columns);
    var renderColumns = function () {
      var ranges = attr(picker, 'range', []) || [];
      var rangeKey = attr(picker, 'range-key', null);
      columns.innerHTML = '';
      chosen.length = ranges.length;
      ranges.forEach(function (column, c) {
        column = Array.isArray(column) ? column : [];
        if (!(chosen[c] >= 0 && chosen[c] < column.length)) chosen[c] = 0;
        var columnEl = document.createElement('div');
        columnEl.className = 'column';
        columnEl.setAttribute('data-column', c);
        column.forEach(function (item, i) {
          var row = document.createElement('div');
          row.className = 'option' + (i === chosen[c] ? ' selected' : '');
          row.setAttribute('data-index', i);
          row.textContent = rangeKey && item && typeof item === 'object' ? item[rangeKey] : String(item);
          row.onclick = function () {
            if (chosen[c] === i) return;
            chosen[c] = i;
            renderColumns();
            dispatch(picker, 'columnchange', { column: c, value: i });
          };
          columnEl.appendChild(row);
        });
        columns.appendChild(columnEl);
      });
    };
    renderColumns();
    picker.__rerender = renderColumns;
    choose = function () {
      return chosen.slice();
    };
  } else if (mode === 'region') {
    choose = regionColumns(picker, body);
  } else {
    console.warn('picker: mode `' + mode + '` is not supported');
    return;
  }
  sheet.className = 'show';
  function close() {
    sheet.className = '';
    picker.__rerender = null;
  }
  sheet.querySelector('.cancel').onclick = function () {
    close();
    dispatch(picker, 'cancel', {});
  };
  sheet.querySelector('.confirm').onclick = function () {
    close();
    var chosen = choose();
    if (mode === 'region') {
      picker.__value = chosen.value;
      dispatch(picker, 'change', chosen);
      return;
    }
    picker.__value = chosen;
    dispatch(picker, 'change', { value: picker.__value });
  };
}

// `mode="region"`: province, city and district columns over the divisions the simulator
// serves, each column following the choice in the one before; `custom-item` heads every
// column, and choosing it leaves only it in the columns after. The choice reports names
// and codes (`detail.value`, `detail.code`) down to `level`.
var regions = null;
function regionColumns(picker, body) {
  var depth = { province: 1, city: 2, region: 3, 'sub-district': 3 }[attr(picker, 'level', 'region')] || 3;
  var custom = attr(picker, 'custom-item', null);
  var wanted = attr(picker, 'value', []);
  wanted = Array.isArray(wanted) ? wanted.map(String) : [];
  var chosen = [];
  var lists = [];
  var columns = document.createElement('div');
  columns.className = 'columns';
  body.appendChild(columns);
  function options(c) {
    var parent = c === 0 ? { kids: regions } : lists[c - 1][chosen[c - 1]];
    var kids = parent && !parent.custom ? parent.kids || [] : [];
    var out = kids.map(function (k) {
      return { name: k[0], code: k[1], kids: k[2] };
    });
    if (custom !== null && custom !== undefined && custom !== '')
      out.unshift({ name: String(custom), code: '', custom: true });
    else if (parent && parent.custom) out.unshift({ name: parent.name, code: '', custom: true });
    return out;
  }
  function render() {
    columns.innerHTML = '';
    for (var c = 0; c < depth; c++) {
      lists[c] = options(c);
      if (!(chosen[c] >= 0 && chosen[c] < lists[c].length)) {
        var at = lists[c].findIndex(function (o) {
          return o.name === wanted[c];
        });
        chosen[c] = Math.max(at, 0);
      }
      var columnEl = document.createElement('div');
      columnEl.className = 'column';
      columnEl.setAttribute('data-column', c);
      lists[c].forEach(function (o, i) {
        var row = document.createElement('div');
        row.className = 'option' + (i === chosen[c] ? ' selected' : '');
        row.setAttribute('data-index', i);
        row.textContent = o.name;
        var column = c;
        row.onclick = function () {
          chosen[column] = i;
          for (var later = column + 1; later < depth; later++) chosen[later] = -1;
          wanted = [];
          render();
        };
        columnEl.appendChild(row);
      });
      columns.appendChild(columnEl);
    }
  }
  function ready() {
    render();
  }
  if (regions) ready();
  else
    fetch('/capsule/regions.json')
      .then(function (r) {
        return r.json();
      })
      .then(function (data) {
        regions = data;
        ready();
      });
  return function () {
    var value = [],
      code = [];
    for (var c = 0; c < depth; c++) {
      var o = lists[c] && lists[c][chosen[c]];
      value.push(o ? o.name : '');
      code.push(o ? o.code : '');
    }
    return { value: value, code: code };
  };
}
