// A part of the framework (framework.js), evaluated the first time a script reaches for it.
// wx.createAnimation(): steps of style and transform changes, exported as data the view plays.
(function (_core) {
  'use strict';
  // wx.createAnimation(): steps of style and transform changes, exported as data the view
  // plays when it is bound to an element's `animation` attribute.
  var ANIMATABLE = [
    'opacity',
    'backgroundColor',
    'width',
    'height',
    'top',
    'left',
    'bottom',
    'right',
    'rotate',
    'rotateX',
    'rotateY',
    'rotateZ',
    'rotate3d',
    'scale',
    'scaleX',
    'scaleY',
    'scaleZ',
    'scale3d',
    'translate',
    'translateX',
    'translateY',
    'translateZ',
    'translate3d',
    'skew',
    'skewX',
    'skewY',
    'matrix',
    'matrix3d',
  ];
  function createAnimation(defaults) {
    defaults = defaults || {};
    function number(v, fallback) {
      return Number.isFinite(v) && v >= 0 ? v : fallback;
    }
    var base = {
      duration: number(defaults.duration, 400),
      timingFunction: String(defaults.timingFunction || 'linear'),
      delay: number(defaults.delay, 0),
      transformOrigin: String(defaults.transformOrigin || '50% 50% 0'),
    };
    var actions = [];
    var current = [];
    var animation = {
      step: function (options) {
        options = options || {};
        actions.push({
          animates: current,
          option: {
            transition: {
              duration: number(options.duration, base.duration),
              timingFunction: String(options.timingFunction || base.timingFunction),
              delay: number(options.delay, base.delay),
            },
            transformOrigin: String(options.transformOrigin || base.transformOrigin),
          },
        });
        current = [];
        return animation;
      },
      export: function () {
        var out = { actions: actions };
        actions = [];
        return out;
      },
    };
    ANIMATABLE.forEach(function (type) {
      animation[type] = function () {
        current.push({ type: type, args: Array.prototype.slice.call(arguments) });
        return animation;
      };
    });
    return animation;
  }
  return { createAnimation: createAnimation };
});
