// A part of the framework (framework.js), evaluated the first time a script reaches for it.
// The motion sensors, sampled from the simulated device.
(function (core) {
  'use strict';
  var RE_OK = core.RE_OK,
    listenerSet = core.listenerSet,
    syncCall = core.syncCall,
    ownInterval = core.ownInterval,
    clearTimer = core.clearTimer;
  var api = {};
  // The motion sensors: sampled from the simulated device at the interval asked for
  // (`game` 20 ms, `ui` 60 ms, `normal` 200 ms); registering a listener starts them.
  function sensor(name, shape) {
    var state = { timer: null, listeners: listenerSet() };
    var intervals = { game: 20, ui: 60, normal: 200 };
    function start(options) {
      options = options || {};
      if (state.timer === null) {
        state.timer = ownInterval(function () {
          var r = syncCall('device.sensors', {});
          if (RE_OK.test(r.errMsg)) state.listeners.emit(shape(r));
        }, intervals[options.interval] || 200);
      }
      var result = { errMsg: 'start' + name + ':ok' };
      if (options.success) options.success(result);
      if (options.complete) options.complete(result);
      return options.success || options.complete ? undefined : Promise.resolve(result);
    }
    function stop(options) {
      options = options || {};
      if (state.timer !== null) {
        clearTimer(state.timer);
        state.timer = null;
      }
      var result = { errMsg: 'stop' + name + ':ok' };
      if (options.success) options.success(result);
      if (options.complete) options.complete(result);
      return options.success || options.complete ? undefined : Promise.resolve(result);
    }
    api['start' + name] = start;
    api['stop' + name] = stop;
    api['on' + name + 'Change'] = function (f) {
      state.listeners.on(f);
      start({});
    };
    api['off' + name + 'Change'] = state.listeners.off;
  }
  sensor('Accelerometer', function (r) {
    return { x: r.x, y: r.y, z: r.z };
  });
  sensor('Compass', function (r) {
    return { direction: r.direction, accuracy: r.accuracy };
  });
  return api;
});
