// The built-in components' behaviour: their inner parts (an input's field, an image's img, a
// scroll-view's content, a swiper's track), what their attributes do, and the platform's
// events they send — inputs, media, scroll-view, swiper, movable-view, picker-view, form
// controls and forms, web-view — and what a tap does to a control. rich-text has a file of
// its own.
import { attr, truthy, resolveSrc, rpxToCss } from './tree.js';
import { renderRich } from './rich-text.js';
import { dispatch } from './events.js';
import { openPicker } from './pickers.js';
import { byId } from './pages.js';
import { send } from './protocol.js';

var pagesEl = document.getElementById('capsule-pages');

// Built-in components: their inner parts and what attributes do to them.
export function setup(el) {
  var tag = el.__capsule.tag;
  if (setupForm(el, tag)) return;
  if (tag === 'input' || tag === 'textarea') {
    var input = document.createElement(tag === 'textarea' ? 'textarea' : 'input');
    el.appendChild(input);
    el.__input = input;
    input.addEventListener('input', function () {
      if (tag === 'textarea') {
        if (truthy(attr(el, 'auto-height', false))) {
          input.style.height = 'auto';
          el.style.height = input.scrollHeight + 'px';
        }
        var lines = input.value.split('\n').length;
        if (lines !== el.__lines) {
          el.__lines = lines;
          var height = input.scrollHeight;
          dispatch(el, 'linechange', {
            height: height,
            heightRpx: Math.round((height * 750) / pagesEl.clientWidth),
            lineCount: lines,
          });
        }
      }
      var max = Number(attr(el, 'maxlength', 140));
      if (max >= 0 && input.value.length > max) input.value = input.value.slice(0, max);
      dispatch(el, 'input', { value: input.value, cursor: input.selectionStart, keyCode: 0 });
    });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' && tag === 'input') dispatch(el, 'confirm', { value: input.value });
    });
    input.addEventListener('focus', function () {
      dispatch(el, 'focus', { value: input.value, height: 0 });
    });
    input.addEventListener('blur', function () {
      dispatch(el, 'blur', { value: input.value });
    });
  } else if (tag === 'image' || tag === 'cover-image') {
    var img = document.createElement('img');
    img.addEventListener('load', function () {
      dispatch(el, 'load', { width: img.naturalWidth, height: img.naturalHeight });
    });
    img.addEventListener('error', function () {
      dispatch(el, 'error', { errMsg: 'GET ' + img.src + ' 404 (Not Found)' });
    });
    el.appendChild(img);
    el.__img = img;
    el.setAttribute('mode', 'scaleToFill');
  } else if (tag === 'video') {
    // A native video element; its events reach the page as the platform's.
    var video = document.createElement('video');
    video.controls = true;
    video.playsInline = true;
    el.__video = video;
    el.appendChild(video);
    video.addEventListener('play', function () {
      dispatch(el, 'play', {});
    });
    video.addEventListener('pause', function () {
      if (!video.ended) dispatch(el, 'pause', {});
    });
    video.addEventListener('ended', function () {
      dispatch(el, 'ended', {});
    });
    video.addEventListener('waiting', function () {
      dispatch(el, 'waiting', {});
    });
    video.addEventListener('timeupdate', function () {
      dispatch(el, 'timeupdate', { currentTime: video.currentTime, duration: video.duration || 0 });
    });
    video.addEventListener('loadedmetadata', function () {
      var start = Number(attr(el, 'initial-time', 0)) || 0;
      if (start > 0) video.currentTime = start;
      dispatch(el, 'loadedmetadata', {
        width: video.videoWidth,
        height: video.videoHeight,
        duration: video.duration || 0,
      });
    });
    video.addEventListener('error', function () {
      dispatch(el, 'error', { errMsg: 'MEDIA_ERR_SRC_NOT_SUPPORTED' });
    });
    video.addEventListener('seeked', function () {
      dispatch(el, 'seekcomplete', { position: video.currentTime });
    });
  } else if (tag === 'button') {
    var spinner = document.createElement('span');
    spinner.className = 'wx-loading';
    el.appendChild(spinner);
    var label = document.createElement('span');
    label.className = 'wx-button-label';
    el.appendChild(label);
    el.__content = label;
  } else if (tag === 'scroll-view') {
    var content = document.createElement('div');
    content.className = 'wx-scroll-content';
    el.appendChild(content);
    el.__content = content;
    var lastTop = 0,
      lastLeft = 0;
    el.addEventListener('scroll', function () {
      dispatch(el, 'scroll', {
        scrollLeft: el.scrollLeft,
        scrollTop: el.scrollTop,
        scrollHeight: el.scrollHeight,
        scrollWidth: el.scrollWidth,
        deltaX: el.scrollLeft - lastLeft,
        deltaY: el.scrollTop - lastTop,
      });
      var threshold = Number(attr(el, 'lower-threshold', 50));
      if (el.scrollTop > lastTop && el.scrollTop + el.clientHeight >= el.scrollHeight - threshold)
        dispatch(el, 'scrolltolower', { direction: 'bottom' });
      if (el.scrollTop < lastTop && el.scrollTop <= Number(attr(el, 'upper-threshold', 50)))
        dispatch(el, 'scrolltoupper', { direction: 'top' });
      lastTop = el.scrollTop;
      lastLeft = el.scrollLeft;
    });
  }
}

export function update(el, tag, name, value) {
  if (updateForm(el, tag, name, value)) return;
  if (tag === 'web-view' && name === 'src') {
    openWebView(el, value);
    return;
  }
  // A multi-column picker's page answers columnchange by changing `range` while it is open.
  if (tag === 'picker' && name === 'range' && el.__rerender) {
    el.__rerender();
    return;
  }
  if (tag === 'picker' && name === 'value') {
    el.__value = undefined;
    return;
  }
  if ((tag === 'input' || tag === 'textarea') && el.__input) {
    var input = el.__input;
    if (name === 'value') {
      if (input.value !== String(value == null ? '' : value)) input.value = value == null ? '' : value;
    } else if (name === 'placeholder') input.placeholder = value == null ? '' : value;
    else if (name === 'password' || name === 'type')
      input.type = truthy(attr(el, 'password', false))
        ? 'password'
        : attr(el, 'type', 'text') === 'number' || attr(el, 'type', 'text') === 'digit'
          ? 'number'
          : 'text';
    else if (name === 'disabled') input.disabled = truthy(value);
    else if (name === 'maxlength') input.maxLength = Number(value) >= 0 ? Number(value) : 524288;
    else if ((name === 'focus' || name === 'auto-focus') && truthy(value))
      setTimeout(function () {
        input.focus();
      }, 0);
  } else if ((tag === 'image' || tag === 'cover-image') && el.__img) {
    if (name === 'src') {
      if (value) el.__img.src = resolveSrc(el, value);
      else el.__img.removeAttribute('src');
    } else if (name === 'mode') el.setAttribute('mode', value || 'scaleToFill');
  } else if (tag === 'video' && el.__video) {
    var v = el.__video;
    if (name === 'src') {
      if (value) v.src = resolveSrc(el, value);
      else v.removeAttribute('src');
    } else if (name === 'poster') {
      if (value) v.poster = resolveSrc(el, value);
      else v.removeAttribute('poster');
    } else if (name === 'controls') v.controls = truthy(value);
    else if (name === 'autoplay') {
      v.autoplay = truthy(value);
      if (v.autoplay) v.play().catch(function () {});
    } else if (name === 'loop') v.loop = truthy(value);
    else if (name === 'muted') v.muted = truthy(value);
    else if (name === 'object-fit')
      v.style.objectFit = value === 'fill' ? 'fill' : value === 'cover' ? 'cover' : 'contain';
  } else if (tag === 'scroll-view') {
    if (name === 'scroll-top' && value != null) el.scrollTop = Number(value);
    else if (name === 'scroll-left' && value != null) el.scrollLeft = Number(value);
    else if (name === 'scroll-into-view' && value)
      setTimeout(function () {
        var target = el.querySelector('#' + CSS.escape(String(value)));
        if (target) el.scrollTop = target.offsetTop - el.offsetTop;
      }, 0);
  }
}
export function afterChildren(el) {
  if (el && el.__capsule && el.__capsule.tag === 'swiper' && el.__content) layoutSwiper(el);
}

// ---- form controls: switch, checkbox, radio, slider, progress, icon, form, label ---------
function checkedOf(el) {
  return el.classList.contains('wx-checked');
}
function setChecked(el, on) {
  el.classList.toggle('wx-checked', !!on);
}
// The template node holding `n`, through built-ins' inner elements (a scroll-view's content,
// a button's label); none past a component's shadow root, as on the platform, where a form
// or a label does not reach into another component.
function templateParent(n) {
  for (var e = n.parentNode; e && e !== document; e = e.parentNode) {
    if (e instanceof ShadowRoot) return null;
    if (e.__capsule) return e;
  }
  return null;
}
function closest(el, tag) {
  for (var e = templateParent(el); e; e = templateParent(e)) if (e.__capsule.tag === tag) return e;
  return null;
}
function descendants(root, tag) {
  var out = [];
  (function walk(n) {
    for (var i = 0; i < n.childNodes.length; i++) {
      var c = n.childNodes[i];
      if (c.__capsule && c.__capsule.tag === tag) out.push(c);
      if (c.childNodes) walk(c);
    }
  })(root);
  return out;
}
function groupValue(group, tag) {
  var values = descendants(group, tag)
    .filter(checkedOf)
    .map(function (c) {
      return String(attr(c, 'value', ''));
    });
  return tag === 'radio' ? values[0] || '' : values;
}
function toggle(el) {
  if (truthy(attr(el, 'disabled', false))) return;
  var tag = el.__capsule.tag;
  if (tag === 'switch') {
    setChecked(el, !checkedOf(el));
    dispatch(el, 'change', { value: checkedOf(el) });
  } else if (tag === 'checkbox') {
    setChecked(el, !checkedOf(el));
    var group = closest(el, 'checkbox-group');
    if (group) dispatch(group, 'change', { value: groupValue(group, 'checkbox') });
  } else if (tag === 'radio') {
    if (checkedOf(el)) return;
    var rgroup = closest(el, 'radio-group');
    if (rgroup)
      descendants(rgroup, 'radio').forEach(function (r) {
        setChecked(r, false);
      });
    setChecked(el, true);
    if (rgroup) dispatch(rgroup, 'change', { value: groupValue(rgroup, 'radio') });
  }
}
// A swiper: its items side by side in a track that slides to the current one.
function setupSwiper(el) {
  var track = document.createElement('div');
  track.className = 'wx-swiper-track';
  var dots = document.createElement('div');
  dots.className = 'wx-swiper-dots';
  el.appendChild(track);
  el.appendChild(dots);
  el.__content = track;
  el.__current = 0;
  var startX = null,
    startY = null;
  el.addEventListener('pointerdown', function (e) {
    startX = e.clientX;
    startY = e.clientY;
    // The finger may leave the swiper while it drags; the release still belongs here.
    try {
      el.setPointerCapture(e.pointerId);
    } catch {
      /* not capturable */
    }
  });
  el.addEventListener('pointerup', function (e) {
    if (startX === null) return;
    var vertical = truthy(attr(el, 'vertical', false));
    var delta = vertical ? e.clientY - startY : e.clientX - startX;
    startX = null;
    if (Math.abs(delta) > 40) swipeTo(el, el.__current + (delta < 0 ? 1 : -1), 'touch');
  });
}
function swiperItems(el) {
  return el.__content
    ? Array.prototype.filter.call(el.__content.childNodes, function (c) {
        return c.nodeType === 1;
      })
    : [];
}
function swipeTo(el, index, source) {
  var count = swiperItems(el).length;
  if (!count) return;
  if (truthy(attr(el, 'circular', false))) index = (index + count) % count;
  index = Math.max(0, Math.min(count - 1, index));
  if (index === el.__current && source) return;
  el.__current = index;
  layoutSwiper(el);
  if (source)
    dispatch(el, 'change', {
      current: index,
      currentItemId: attr(swiperItems(el)[index], 'item-id', '') || '',
      source: source,
    });
}
function layoutSwiper(el) {
  var vertical = truthy(attr(el, 'vertical', false));
  var duration = Number(attr(el, 'duration', 500));
  el.__content.style.flexDirection = vertical ? 'column' : 'row';
  el.__content.style.transition = 'transform ' + duration + 'ms';
  el.__content.style.transform = vertical
    ? 'translateY(' + -100 * el.__current + '%)'
    : 'translateX(' + -100 * el.__current + '%)';
  var dots = el.querySelector('.wx-swiper-dots');
  dots.innerHTML = '';
  if (truthy(attr(el, 'indicator-dots', false))) {
    swiperItems(el).forEach(function (_, i) {
      var d = document.createElement('i');
      if (i === el.__current) {
        d.className = 'active';
        d.style.background = attr(el, 'indicator-active-color', '#000');
      }
      dots.appendChild(d);
    });
  }
}
function autoplay(el) {
  clearInterval(el.__timer);
  if (truthy(attr(el, 'autoplay', false))) {
    el.__timer = setInterval(
      function () {
        if (!el.isConnected) {
          clearInterval(el.__timer);
          return;
        }
        var count = swiperItems(el).length;
        if (count > 1) swipeTo(el, (el.__current + 1) % count, 'autoplay');
      },
      Number(attr(el, 'interval', 5000)),
    );
  }
}

// A movable-view follows the finger inside its movable-area, along its `direction`, kept
// inside the area unless `out-of-bounds`; `change` reports each position with its source.
function setupMovable(el) {
  el.__x = 0;
  el.__y = 0;
  var grab = null;
  el.addEventListener('pointerdown', function (e) {
    if (truthy(attr(el, 'disabled', false)) || attr(el, 'direction', 'none') === 'none') return;
    grab = { x: e.clientX - el.__x, y: e.clientY - el.__y };
    try {
      el.setPointerCapture(e.pointerId);
    } catch {
      /* not capturable */
    }
  });
  el.addEventListener('pointermove', function (e) {
    if (!grab) return;
    var direction = attr(el, 'direction', 'none');
    moveTo(
      el,
      direction === 'vertical' ? el.__x : e.clientX - grab.x,
      direction === 'horizontal' ? el.__y : e.clientY - grab.y,
      'touch',
    );
  });
  function release() {
    grab = null;
  }
  el.addEventListener('pointerup', release);
  el.addEventListener('pointercancel', release);
}
function moveTo(el, x, y, source) {
  var area = closest(el, 'movable-area');
  if (area && !truthy(attr(el, 'out-of-bounds', false))) {
    x = Math.max(0, Math.min(x, Math.max(0, area.clientWidth - el.offsetWidth)));
    y = Math.max(0, Math.min(y, Math.max(0, area.clientHeight - el.offsetHeight)));
  }
  if (x === el.__x && y === el.__y) return;
  el.__x = x;
  el.__y = y;
  el.style.transform = 'translate(' + x + 'px, ' + y + 'px)';
  // Positions set while the element is built are where it starts, not a change.
  if (el.isConnected) dispatch(el, 'change', { x: x, y: y, source: source });
}

// picker-view: columns that scroll and snap; the row in the middle is the choice. A
// scroll that settles on another row sends `change` with every column's index.
function pickerColumns(pv) {
  return Array.prototype.filter.call(pv.childNodes, function (c) {
    return c.__capsule && c.__capsule.tag === 'picker-view-column';
  });
}
function rowHeight(column) {
  var first = Array.prototype.find.call(column.childNodes, function (c) {
    return c.nodeType === 1;
  });
  return (first && first.offsetHeight) || 34;
}
function layoutPickerView(pv, toValue) {
  var value = attr(pv, 'value', []);
  pickerColumns(pv).forEach(function (column, i) {
    var row = rowHeight(column);
    var pad = Math.max(0, (pv.clientHeight - row) / 2) + 'px';
    column.style.paddingTop = column.style.paddingBottom = pad;
    if (toValue && Array.isArray(value)) {
      column.__index = Number(value[i]) || 0;
      if (column.scrollTop !== column.__index * row) {
        column.__programmatic = true; // the data moved it, not a person: no pick events
        column.scrollTop = column.__index * row;
      }
    }
  });
}
function setupPickerColumn(column) {
  var settle = null;
  column.addEventListener('scroll', function () {
    var pv = column.parentNode;
    if (!pv || !pv.__capsule) return;
    clearTimeout(settle);
    if (column.__programmatic) {
      settle = setTimeout(function () {
        column.__programmatic = false;
      }, 120);
      return;
    }
    if (!column.__picking) {
      column.__picking = true;
      dispatch(pv, 'pickstart', {});
    }
    clearTimeout(settle);
    settle = setTimeout(function () {
      column.__picking = false;
      dispatch(pv, 'pickend', {});
      var index = Math.round(column.scrollTop / rowHeight(column));
      if (index === column.__index) return;
      column.__index = index;
      dispatch(pv, 'change', {
        value: pickerColumns(pv).map(function (c) {
          return Math.round(c.scrollTop / rowHeight(c));
        }),
      });
    }, 120);
  });
}

function setupForm(el, tag) {
  if (tag === 'swiper') {
    setupSwiper(el);
    return true;
  }
  if (tag === 'movable-view') {
    setupMovable(el);
    return true;
  }
  if (tag === 'picker-view-column') {
    setupPickerColumn(el);
    return true;
  }
  if (tag === 'slider') {
    var range = document.createElement('input');
    range.type = 'range';
    range.min = 0;
    range.max = 100;
    range.step = 1;
    range.value = 0;
    var shown = document.createElement('span');
    shown.className = 'wx-slider-value';
    el.appendChild(range);
    el.appendChild(shown);
    el.__range = range;
    range.addEventListener('input', function () {
      shown.textContent = range.value;
      dispatch(el, 'changing', { value: Number(range.value) });
    });
    range.addEventListener('change', function () {
      dispatch(el, 'change', { value: Number(range.value) });
    });
    return true;
  }
  if (tag === 'progress') {
    var bar = document.createElement('span');
    bar.className = 'wx-progress-bar';
    var fill = document.createElement('span');
    fill.className = 'wx-progress-fill';
    bar.appendChild(fill);
    var info = document.createElement('span');
    info.className = 'wx-progress-info';
    el.appendChild(bar);
    el.appendChild(info);
    el.__fill = fill;
    el.__info = info;
    return true;
  }
  return false;
}
// icon: the platform's shapes as inline SVG on a 24-unit grid, each with the platform's
// default colour; white parts are drawn over the coloured disc.
var WHITE = ' fill="none" stroke="#fff" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"';
var DISC = '<circle cx="12" cy="12" r="11" fill="currentColor"/>';
var CROSS = 'M8 8l8 8M16 8l-8 8';
var ICONS = {
  success: ['#09bb07', DISC + '<path d="M6.5 12.5l3.5 3.5 7.5-7.5"' + WHITE + '/>'],
  success_no_circle: [
    '#09bb07',
    '<path d="M3 12.5l6 6L21 6.5" fill="none" stroke="currentColor" stroke-width="2.4" stroke-linecap="round" stroke-linejoin="round"/>',
  ],
  info: ['#10aeff', DISC + '<path d="M12 10.5v7"' + WHITE + '/><circle cx="12" cy="7" r="1.4" fill="#fff"/>'],
  warn: ['#f76260', DISC + '<path d="M12 6.5v7"' + WHITE + '/><circle cx="12" cy="17" r="1.4" fill="#fff"/>'],
  waiting: ['#10aeff', DISC + '<path d="M12 6v6.5l4 2.5"' + WHITE + '/>'],
  cancel: ['#f43530', DISC + '<path d="' + CROSS + '"' + WHITE + '/>'],
  download: ['#09bb07', DISC + '<path d="M12 6v10M7.5 11.5L12 16l4.5-4.5"' + WHITE + '/>'],
  search: [
    '#b2b2b2',
    '<circle cx="10.5" cy="10.5" r="7" fill="none" stroke="currentColor" stroke-width="2"/><path d="M15.5 15.5L21 21" stroke="currentColor" stroke-width="2.4" stroke-linecap="round"/>',
  ],
  clear: ['#b2b2b2', DISC + '<path d="' + CROSS + '"' + WHITE + '/>'],
};
function drawIcon(el) {
  var icon = ICONS[String(attr(el, 'type', ''))];
  var size = String(attr(el, 'size', 23));
  if (/^-?\d*\.?\d+$/.test(size)) size += 'px';
  el.style.width = el.style.height = rpxToCss(size);
  el.style.color = attr(el, 'color', null) || (icon ? icon[0] : '');
  el.innerHTML = icon
    ? '<svg viewBox="0 0 24 24" width="100%" height="100%" aria-hidden="true">' + icon[1] + '</svg>'
    : '';
}
function updateForm(el, tag, name, value) {
  if (tag === 'picker-view' && name === 'value') {
    setTimeout(function () {
      layoutPickerView(el, true);
    }, 0);
    return true;
  }
  if (tag === 'movable-view' && (name === 'x' || name === 'y')) {
    // Only the coordinate that changed moves; the other stays where the finger left it.
    var to = Number(value) || 0;
    moveTo(el, name === 'x' ? to : el.__x, name === 'y' ? to : el.__y, '');
    return true;
  }
  if (tag === 'rich-text') {
    if (name === 'nodes') renderRich(el, value);
    return true;
  }
  if (tag === 'swiper' && el.__content) {
    if (name === 'current') swipeTo(el, Number(value) || 0, null);
    else if (name === 'autoplay' || name === 'interval') autoplay(el);
    else layoutSwiper(el);
    return true;
  }
  if ((tag === 'switch' || tag === 'checkbox' || tag === 'radio') && name === 'checked') {
    setChecked(el, truthy(value));
    return true;
  }
  if (tag === 'switch' && name === 'color') {
    el.style.setProperty('--wx-color', value || '');
    return true;
  }
  if (tag === 'slider' && el.__range) {
    var r = el.__range;
    if (name === 'min' || name === 'max' || name === 'step') r[name] = Number(value);
    else if (name === 'value') {
      r.value = Number(value);
      el.querySelector('.wx-slider-value').textContent = r.value;
    } else if (name === 'disabled') r.disabled = truthy(value);
    return true;
  }
  if (tag === 'progress' && el.__fill) {
    if (name === 'percent') {
      var pct = Math.max(0, Math.min(100, Number(value) || 0));
      el.__fill.style.width = pct + '%';
      el.__info.textContent = pct + '%';
    } else if (name === 'activeColor' || name === 'activecolor' || name === 'active-color')
      el.__fill.style.background = value;
    return true;
  }
  if (tag === 'icon' && (name === 'type' || name === 'size' || name === 'color')) {
    drawIcon(el);
    return true;
  }
  return false;
}
// A form's fields by name, as bindsubmit's detail.value gives them.
function formValues(form) {
  var value = {};
  (function walk(n) {
    for (var i = 0; i < n.childNodes.length; i++) {
      var c = n.childNodes[i];
      if (c.__capsule) {
        var t = c.__capsule.tag,
          key = attr(c, 'name', null);
        if (key !== null && key !== '') {
          if (t === 'input' || t === 'textarea') value[key] = c.__input ? c.__input.value : '';
          else if (t === 'switch' || (t === 'checkbox' && !closest(c, 'checkbox-group'))) value[key] = checkedOf(c);
          else if (t === 'checkbox-group') value[key] = groupValue(c, 'checkbox');
          else if (t === 'radio-group') value[key] = groupValue(c, 'radio');
          else if (t === 'slider') value[key] = c.__range ? Number(c.__range.value) : 0;
          else if (t === 'picker') value[key] = c.__value !== undefined ? c.__value : attr(c, 'value', null);
          else if (attr(c, 'form-field', false)) value[key] = attr(c, 'value', null);
        }
      }
      if (c.childNodes) walk(c);
    }
  })(form);
  return value;
}
function formReset(form) {
  descendants(form, 'input')
    .concat(descendants(form, 'textarea'))
    .forEach(function (c) {
      if (c.__input) c.__input.value = '';
    });
  ['switch', 'checkbox', 'radio'].forEach(function (t) {
    descendants(form, t).forEach(function (c) {
      setChecked(c, truthy(attr(c, 'checked', false)));
    });
  });
  descendants(form, 'slider').forEach(function (c) {
    if (c.__range) c.__range.value = Number(attr(c, 'value', 0));
  });
}
// web-view: the page at `src` in a frame over the whole page, once the host has said its
// origin is one the app may show; otherwise a notice, and `error` to the page.
function openWebView(el, src) {
  var frame = el.__frame;
  if (!frame) {
    frame = el.__frame = document.createElement('iframe');
    frame.addEventListener('load', function () {
      if (frame.src) dispatch(el, 'load', { src: frame.src });
    });
    el.__notice = document.createElement('div');
    el.__notice.className = 'wx-web-view-notice';
    el.appendChild(frame);
    el.appendChild(el.__notice);
  }
  el.__notice.textContent = '';
  frame.removeAttribute('src');
  if (!src) return;
  send({ type: 'webView', page: el.__capsule.page.id, node: el.__capsule.id, src: String(src) });
}
export function webViewAnswer(msg) {
  var page = byId.get(msg.page);
  var el = page && page.nodes.get(msg.node);
  if (!el || !el.__frame || String(attr(el, 'src', '')) !== msg.src) return;
  if (!msg.allowed) {
    el.__notice.textContent = 'This page cannot be opened here: ' + (msg.reason || 'not allowed');
    dispatch(el, 'error', { url: msg.src, fullUrl: msg.src });
    return;
  }
  var url = new URL(msg.src, location.href);
  // A page from the simulator's own origin gets no access to it.
  var sameOrigin = url.origin === location.origin;
  el.__frame.setAttribute(
    'sandbox',
    'allow-scripts allow-forms allow-popups' + (sameOrigin ? '' : ' allow-same-origin'),
  );
  el.__frame.src = url.href;
}

// What a tap does to a control, after the tap itself was reported.
export function controlTap(node) {
  for (var n = node; n; n = templateParent(n)) {
    var tag = n.__capsule.tag;
    if (tag === 'picker') {
      openPicker(n);
      return;
    }
    if (tag === 'switch' || tag === 'checkbox' || tag === 'radio') {
      toggle(n);
      return;
    }
    if (tag === 'button') {
      var type = attr(n, 'form-type', null);
      var form = type && closest(n, 'form');
      if (form && type === 'submit') dispatch(form, 'submit', { value: formValues(form) });
      if (form && type === 'reset') {
        formReset(form);
        dispatch(form, 'reset', {});
      }
      return;
    }
    if (tag === 'label') {
      var target = attr(n, 'for', null);
      var control = target ? n.__capsule.page.el.querySelector('#' + CSS.escape(String(target))) : null;
      if (!control) {
        var inner = ['switch', 'checkbox', 'radio']
          .map(function (t) {
            return descendants(n, t)[0];
          })
          .filter(Boolean);
        control = inner[0] || null;
      }
      if (control && control.__capsule) {
        if (control.__input) control.__input.focus();
        else toggle(control);
      }
      return;
    }
  }
}
