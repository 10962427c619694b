// A part of the framework (framework.js), evaluated the first time a script reaches for it.
// Audio in the view: inner audio contexts, the background audio manager and the older
// background audio family.
(function (core) {
  'use strict';
  var RE_FAIL_PREFIX = core.RE_FAIL_PREFIX,
    answer = core.answer,
    listenerSet = core.listenerSet,
    native = core.native,
    nextViewSeq = core.nextViewSeq,
    viewListeners = core.viewListeners;
  var api = {};
  // An audio element in the view, driven from here; its events come back as further replies
  // to the call that made it. `what` names the object in errors; `extra` adds to the
  // events heard (the background audio manager's prev / next).
  function audioContext(what, extra) {
    var id = nextViewSeq();
    var NAMES = {
      canplay: 'Canplay',
      play: 'Play',
      pause: 'Pause',
      stop: 'Stop',
      ended: 'Ended',
      timeupdate: 'TimeUpdate',
      error: 'Error',
      waiting: 'Waiting',
      seeking: 'Seeking',
      seeked: 'Seeked',
    };
    var events = {};
    Object.keys(NAMES)
      .map(function (k) {
        return NAMES[k];
      })
      .concat(extra || [])
      .forEach(function (n) {
        events[n] = listenerSet();
      });
    var state = {
      src: '',
      startTime: 0,
      autoplay: false,
      loop: false,
      volume: 1,
      playbackRate: 1,
      duration: 0,
      currentTime: 0,
      paused: true,
      buffered: 0,
    };
    var destroyed = false;
    function control(action, args) {
      if (!destroyed)
        native.viewCall(nextViewSeq(), 'audioControl', JSON.stringify({ audio: id, action: action, args: args || [] }));
    }
    viewListeners.set(id, {
      what: what,
      callback: function (r) {
        state.duration = Number(r.duration) || 0;
        state.currentTime = Number(r.currentTime) || 0;
        state.paused = r.paused !== false;
        var name = NAMES[r.event];
        if (name)
          events[name].emit(
            r.event === 'error' ? { errMsg: r.message || 'MEDIA_ERR_SRC_NOT_SUPPORTED', errCode: 10004 } : undefined,
          );
      },
      // No view to play it (exec): the script hears an error, as for a file that cannot play.
      refused: function (errMsg) {
        destroyed = true;
        events.Error.emit({ errMsg: errMsg, errCode: 10001 });
      },
    });
    native.viewCall(id, 'audioContext', JSON.stringify({ audio: id }));
    var ctx = {};
    Object.defineProperty(ctx, '__state', { value: state });
    ['src', 'startTime', 'autoplay', 'loop', 'volume', 'playbackRate'].forEach(function (p) {
      Object.defineProperty(ctx, p, {
        enumerable: true,
        configurable: true,
        get: function () {
          return state[p];
        },
        set: function (v) {
          state[p] = v;
          var o = {};
          o[p] = v;
          control('set', [o]);
        },
      });
    });
    ['duration', 'currentTime', 'paused', 'buffered'].forEach(function (p) {
      Object.defineProperty(ctx, p, {
        enumerable: true,
        get: function () {
          return state[p];
        },
      });
    });
    ctx.play = function () {
      control('play');
    };
    ctx.pause = function () {
      control('pause');
    };
    ctx.stop = function () {
      control('stop');
    };
    ctx.seek = function (position) {
      control('seek', [Number(position) || 0]);
    };
    ctx.destroy = function () {
      control('destroy');
      destroyed = true;
      viewListeners.delete(id);
    };
    Object.keys(events).forEach(function (n) {
      ctx['on' + n] = events[n].on;
      ctx['off' + n] = events[n].off;
    });
    Object.defineProperty(ctx, '__events', { value: events });
    return ctx;
  }
  // ---- background audio ---------------------------------------------------------------
  // api.getBackgroundAudioManager(): one audio context for the whole app, which a page
  // closing does not stop; setting `src` starts playback, as on the platform. The older
  // play/pause/seek/stop family drives the same manager.
  var backgroundAudio = null;
  function backgroundAudioManager() {
    if (backgroundAudio) return backgroundAudio;
    var ctx = audioContext('BackgroundAudioManager', ['Prev', 'Next']);
    var state = ctx.__state;
    ['title', 'epname', 'singer', 'coverImgUrl', 'webUrl'].forEach(function (p) {
      state[p] = '';
    });
    state.protocol = 'http';
    ['title', 'epname', 'singer', 'coverImgUrl', 'webUrl', 'protocol'].forEach(function (p) {
      Object.defineProperty(ctx, p, {
        enumerable: true,
        get: function () {
          return state[p];
        },
        set: function (v) {
          state[p] = v === undefined || v === null ? '' : String(v);
        },
      });
    });
    var setSrc = Object.getOwnPropertyDescriptor(ctx, 'src').set;
    var setStart = Object.getOwnPropertyDescriptor(ctx, 'startTime').set;
    Object.defineProperty(ctx, 'src', {
      enumerable: true,
      get: function () {
        return state.src;
      },
      set: function (v) {
        setSrc(v === undefined || v === null ? '' : String(v));
        if (state.src) ctx.play();
      },
    });
    // `startTime` is in seconds, read when `src` is set.
    Object.defineProperty(ctx, 'startTime', {
      enumerable: true,
      get: function () {
        return state.startTime;
      },
      set: function (v) {
        setStart(Number(v) || 0);
      },
    });
    // The manager has no autoplay, loop or volume of its own, and cannot be destroyed.
    delete ctx.autoplay;
    delete ctx.loop;
    delete ctx.volume;
    delete ctx.destroy;
    delete ctx.offPrev;
    delete ctx.offNext;
    state.stopped = true;
    ctx.onPlay(function () {
      state.stopped = false;
    });
    ctx.onStop(function () {
      state.stopped = true;
    });
    ctx.onEnded(function () {
      state.stopped = true;
    });
    backgroundAudio = ctx;
    return ctx;
  }
  api.getBackgroundAudioManager = backgroundAudioManager;
  // playBackgroundAudio answers once the audio plays or cannot.
  api.playBackgroundAudio = function (options) {
    options = options || {};
    if (typeof options.dataUrl !== 'string' || !options.dataUrl)
      return answer('playBackgroundAudio', options, null, 'parameter error: parameter.dataUrl should be String');
    var m = backgroundAudioManager();
    var wantsPromise =
      typeof options.success !== 'function' &&
      typeof options.fail !== 'function' &&
      typeof options.complete !== 'function';
    var settle;
    var promise = new Promise(function (resolve, reject) {
      settle = function (error) {
        m.offPlay(onPlay);
        m.offError(onError);
        var r = { errMsg: 'playBackgroundAudio' + (error ? ':fail ' + error : ':ok') };
        if (!error && options.success) options.success(r);
        if (error && options.fail) options.fail(r);
        if (options.complete) options.complete(r);
        if (error) reject(r);
        else resolve(r);
      };
    });
    function onPlay() {
      settle();
    }
    function onError(e) {
      settle(String(e.errMsg).replace(RE_FAIL_PREFIX, ''));
    }
    m.onPlay(onPlay);
    m.onError(onError);
    m.title = options.title;
    m.coverImgUrl = options.coverImgUrl;
    m.src = options.dataUrl;
    if (wantsPromise) return promise;
    promise.catch(function () {});
  };
  ['pause', 'stop'].forEach(function (action) {
    var name = action + 'BackgroundAudio';
    api[name] = function (options) {
      backgroundAudioManager()[action]();
      return answer(name, options);
    };
  });
  api.seekBackgroundAudio = function (options) {
    options = options || {};
    if (typeof options.position !== 'number')
      return answer('seekBackgroundAudio', options, null, 'parameter error: parameter.position should be Number');
    backgroundAudioManager().seek(options.position);
    return answer('seekBackgroundAudio', options);
  };
  // status: 0 paused, 1 playing, 2 nothing playing.
  api.getBackgroundAudioPlayerState = function (options) {
    var m = backgroundAudioManager();
    var status = !m.src || m.__state.stopped ? 2 : m.paused ? 0 : 1;
    return answer('getBackgroundAudioPlayerState', options, {
      duration: m.duration,
      currentPosition: m.currentTime,
      status: status,
      downloadPercent: m.duration ? 100 : 0,
      dataUrl: m.src,
    });
  };
  ['Play', 'Pause', 'Stop'].forEach(function (kind) {
    api['onBackgroundAudio' + kind] = function (f) {
      backgroundAudioManager()['on' + kind](f);
    };
  });
  api.audioContext = audioContext;
  return api;
});
