// A part of the framework (framework.js), evaluated the first time a script reaches for it.
// Network tasks: wx.request, downloadFile, uploadFile and sockets, each call's task object.
(function (core) {
  'use strict';
  var RE_API_NAME = core.RE_API_NAME,
    RE_OK = core.RE_OK,
    apiCallbacks = core.apiCallbacks,
    apiEvents = core.apiEvents,
    bridgeCall = core.bridgeCall,
    listenerSet = core.listenerSet,
    prepare = core.prepare,
    syncCall = core.syncCall;
  var api = {};
  // Tasks (RequestTask, DownloadTask, UploadTask, SocketTask): listeners for the events a
  // call sends, and methods that reach the running call by its task id. As on the platform,
  // these calls return their task, never a Promise.
  // Task ids are unique across instances of an app (a relaunch starts its call numbers
  // over): a random base, plus the call's number.
  var taskBase = Math.floor(Math.random() * 0x7fffffff) * 0x100000;
  function taskApi(name, build) {
    return function (options) {
      var call = bridgeCall(name, name, options, null, true);
      var task = build(call.seq);
      apiEvents.set(call.seq, function (event, data) {
        if (task.__events[event]) task.__events[event].emit(data);
      });
      call.send({ taskId: taskBase + call.seq });
      if (name !== 'connectSocket') {
        var done = apiCallbacks.get(call.seq);
        apiCallbacks.set(call.seq, function (r) {
          apiEvents.delete(call.seq);
          done(r);
        });
      }
      return task;
    };
  }
  function httpTask(seq, kinds) {
    var events = {};
    var task = {
      __events: events,
      abort: function () {
        syncCall('task.abort', { taskId: taskBase + seq });
      },
    };
    Object.defineProperty(task, '__events', { value: events, enumerable: false });
    kinds.forEach(function (kind) {
      var set = listenerSet();
      events[kind] = set;
      var cap = kind.charAt(0).toUpperCase() + kind.slice(1);
      task['on' + (kind === 'progress' ? 'ProgressUpdate' : cap)] = set.on;
      task['off' + (kind === 'progress' ? 'ProgressUpdate' : cap)] = set.off;
    });
    return task;
  }
  var sockets = [];
  function socketTask(seq) {
    var events = {};
    var task = {};
    Object.defineProperty(task, '__events', { value: events, enumerable: false });
    ['open', 'message', 'error', 'close'].forEach(function (kind) {
      var set = listenerSet();
      events[kind] = set;
      task['on' + kind.charAt(0).toUpperCase() + kind.slice(1)] = set.on;
    });
    task.readyState = 0;
    events.open.on(function () {
      task.readyState = 1;
    });
    events.close.on(function () {
      task.readyState = 3;
      apiEvents.delete(seq);
      sockets = sockets.filter(function (s) {
        return s !== task;
      });
    });
    function method(internal, shown) {
      return function (options) {
        options = options || {};
        var args = prepare(shown, options);
        args.taskId = taskBase + seq;
        var result = syncCall(internal, args);
        result.errMsg = result.errMsg.replace(RE_API_NAME, shown);
        if (RE_OK.test(result.errMsg)) {
          if (options.success) options.success(result);
        } else if (options.fail) options.fail(result);
        if (options.complete) options.complete(result);
      };
    }
    task.send = method('task.send', 'sendSocketMessage');
    task.close = method('task.close', 'closeSocket');
    sockets.push(task);
    return task;
  }
  api.request = taskApi('request', function (seq) {
    return httpTask(seq, ['headersReceived']);
  });
  api.downloadFile = taskApi('downloadFile', function (seq) {
    return httpTask(seq, ['headersReceived', 'progress']);
  });
  api.uploadFile = taskApi('uploadFile', function (seq) {
    return httpTask(seq, ['headersReceived', 'progress']);
  });
  api.connectSocket = taskApi('connectSocket', socketTask);
  // The older single-socket API works on the latest socket.
  function lastSocket() {
    return sockets[sockets.length - 1];
  }
  api.sendSocketMessage = function (o) {
    var s = lastSocket();
    if (s) s.send(o);
    else if (o && o.fail) o.fail({ errMsg: 'sendSocketMessage:fail WebSocket is not connected' });
  };
  api.closeSocket = function (o) {
    var s = lastSocket();
    if (s) s.close(o);
    else if (o && o.fail) o.fail({ errMsg: 'closeSocket:fail WebSocket is not connected' });
  };
  ['Open', 'Message', 'Error', 'Close'].forEach(function (kind) {
    api['onSocket' + kind] = function (f) {
      var s = lastSocket();
      if (s) s['on' + kind](f);
    };
  });
  return api;
});
