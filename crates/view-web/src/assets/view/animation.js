import { rpxToCss } from './tree.js';

// The `animation` attribute: the steps wx.createAnimation exported, played one after
// another as CSS transitions. A transform keeps what earlier steps set, except a function
// of the same name, which the later step replaces.
var STYLE_STEPS = {
  opacity: 'opacity',
  backgroundColor: 'background-color',
  width: 'width',
  height: 'height',
  top: 'top',
  left: 'left',
  bottom: 'bottom',
  right: 'right',
};
function cssLength(v) {
  return typeof v === 'number' ? v + 'px' : rpxToCss(String(v));
}
function cssAngle(v) {
  return typeof v === 'number' ? v + 'deg' : String(v);
}
function transformCss(type, args) {
  var a = args.map(function (v) {
    return v;
  });
  switch (type) {
    case 'rotate':
    case 'rotateX':
    case 'rotateY':
    case 'rotateZ':
    case 'skewX':
    case 'skewY':
      return type + '(' + cssAngle(a[0]) + ')';
    case 'rotate3d':
      return 'rotate3d(' + [a[0], a[1], a[2]].map(Number).join(', ') + ', ' + cssAngle(a[3]) + ')';
    case 'skew':
      return 'skew(' + cssAngle(a[0]) + ', ' + cssAngle(a[1] === undefined ? 0 : a[1]) + ')';
    case 'scale':
      return 'scale(' + Number(a[0]) + ', ' + Number(a[1] === undefined ? a[0] : a[1]) + ')';
    case 'scaleX':
    case 'scaleY':
    case 'scaleZ':
      return type + '(' + Number(a[0]) + ')';
    case 'scale3d':
      return 'scale3d(' + [a[0], a[1], a[2]].map(Number).join(', ') + ')';
    case 'translate':
      return 'translate(' + cssLength(a[0]) + ', ' + cssLength(a[1] === undefined ? 0 : a[1]) + ')';
    case 'translateX':
    case 'translateY':
    case 'translateZ':
      return type + '(' + cssLength(a[0]) + ')';
    case 'translate3d':
      return 'translate3d(' + [a[0], a[1], a[2]].map(cssLength).join(', ') + ')';
    case 'matrix':
    case 'matrix3d':
      return type + '(' + a.map(Number).join(', ') + ')';
  }
  return null;
}
export function animate(el, data) {
  if (!data || !Array.isArray(data.actions) || !data.actions.length) return;
  el.__animation = (el.__animation || 0) + 1;
  var token = el.__animation;
  if (!el.__transforms) el.__transforms = [];
  var transforms = el.__transforms;
  var i = 0;
  void el.offsetWidth; // the current style is where the first transition starts
  (function next() {
    if (token !== el.__animation || i >= data.actions.length) return;
    var action = data.actions[i++] || {};
    var option = action.option || {};
    var t = option.transition || {};
    var duration = Number(t.duration) || 0,
      delay = Number(t.delay) || 0;
    el.style.transition = 'all ' + duration + 'ms ' + (t.timingFunction || 'linear') + ' ' + delay + 'ms';
    if (option.transformOrigin) el.style.transformOrigin = option.transformOrigin;
    (action.animates || []).forEach(function (m) {
      var args = Array.isArray(m.args) ? m.args : [];
      if (STYLE_STEPS[m.type]) {
        var v = args[0];
        el.style.setProperty(
          STYLE_STEPS[m.type],
          m.type === 'opacity' ? String(Number(v)) : m.type === 'backgroundColor' ? String(v) : cssLength(v),
        );
        return;
      }
      var css = transformCss(m.type, args);
      if (css === null) return;
      var at = transforms.findIndex(function (x) {
        return x[0] === m.type;
      });
      if (at >= 0) transforms[at][1] = css;
      else transforms.push([m.type, css]);
    });
    el.style.transform = transforms
      .map(function (x) {
        return x[1];
      })
      .join(' ');
    setTimeout(next, duration + delay);
  })();
}
