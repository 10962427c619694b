// Media the app drives from its script: audio contexts (one audio element each, whose events
// go back as replies), a page's <video> through its video context, and fonts for the whole
// document.
import { resolveSrc } from './tree.js';
import { byId, top } from './pages.js';
import { scopeOf } from './queries.js';
import { send } from './protocol.js';

// wx.createInnerAudioContext: one audio element per context; its events go back to it.
var audios = new Map();
function audioOf(id) {
  var a = audios.get(id);
  if (a) return a;
  a = new Audio();
  a.preload = 'auto';
  audios.set(id, a);
  ['canplay', 'play', 'pause', 'ended', 'timeupdate', 'error', 'waiting', 'seeking', 'seeked'].forEach(function (ev) {
    a.addEventListener(ev, function () {
      audioEvent(id, a, ev);
    });
  });
  return a;
}
function audioEvent(id, a, ev) {
  send({
    type: 'audioEvent',
    seq: id,
    event: ev,
    currentTime: a.currentTime,
    duration: Number.isFinite(a.duration) ? a.duration : 0,
    paused: a.paused,
    message: ev === 'error' ? 'MEDIA_ERR_SRC_NOT_SUPPORTED' : undefined,
  });
}
// `audio`: a context the app made, with what it set so far (for a view that connects late).
export function audioContext(msg) {
  audioOf(msg.seq);
  if (msg.set) audioControl({ audio: msg.seq, action: 'set', args: [msg.set] });
}
export function audioControl(msg) {
  var a = audioOf(msg.audio);
  var args = msg.args || [];
  switch (msg.action) {
    case 'set': {
      var o = args[0] || {};
      if ('src' in o) a.src = resolveSrc({ __capsule: { page: top() } }, o.src);
      if ('loop' in o) a.loop = !!o.loop;
      if ('volume' in o) a.volume = Math.min(1, Math.max(0, Number(o.volume)));
      if ('playbackRate' in o) a.playbackRate = Number(o.playbackRate) || 1;
      if ('autoplay' in o) a.autoplay = !!o.autoplay;
      if ('startTime' in o) a.__start = Number(o.startTime) || 0;
      break;
    }
    case 'play':
      if (a.__start && a.currentTime === 0) a.currentTime = a.__start;
      a.play().catch(function () {});
      break;
    case 'pause':
      a.pause();
      break;
    case 'stop':
      a.pause();
      a.currentTime = 0;
      audioEvent(msg.audio, a, 'stop');
      break;
    case 'seek':
      a.currentTime = Math.max(0, Number(args[0]) || 0);
      break;
    case 'destroy':
      a.pause();
      a.removeAttribute('src');
      audios.delete(msg.audio);
      break;
  }
}

// wx.loadFontFace: the font for the whole document (components' shadow roots too).
export function loadFontFace(msg) {
  var url =
    /:\/\//.test(msg.url) || /^data:/.test(msg.url) ? msg.url : resolveSrc({ __capsule: { page: top() } }, msg.url);
  var desc = msg.desc || {};
  var face;
  try {
    face = new FontFace(String(msg.family), 'url("' + url.replace(/"/g, '%22') + '")', {
      style: desc.style || 'normal',
      weight: desc.weight || 'normal',
      variant: desc.variant || 'normal',
    });
  } catch (e) {
    send({ type: 'fontAnswer', seq: msg.seq, error: String(e.message || e) });
    return;
  }
  face.load().then(
    function (f) {
      document.fonts.add(f);
      send({ type: 'fontAnswer', seq: msg.seq });
    },
    function (e) {
      send({ type: 'fontAnswer', seq: msg.seq, error: 'the font could not be loaded: ' + ((e && e.message) || e) });
    },
  );
}

// wx.createVideoContext(id): play, pause, stop, seek, playbackRate, full screen.
export function videoControl(msg) {
  var page = byId.get(msg.page);
  if (!page) return;
  var el;
  try {
    el = scopeOf(page, msg.root).querySelector('#' + CSS.escape(String(msg.id)));
  } catch {
    el = null;
  }
  var v = el && el.__video;
  if (!v) return;
  var arg = msg.args && msg.args[0];
  switch (msg.action) {
    case 'play':
      v.play().catch(function () {});
      break;
    case 'pause':
      v.pause();
      break;
    case 'stop':
      v.pause();
      v.currentTime = 0;
      break;
    case 'seek':
      v.currentTime = Math.max(0, Number(arg) || 0);
      break;
    case 'playbackRate':
      v.playbackRate = Number(arg) || 1;
      break;
    case 'requestFullScreen':
      if (v.requestFullscreen) v.requestFullscreen().catch(function () {});
      break;
    case 'exitFullScreen':
      if (document.fullscreenElement) document.exitFullscreen().catch(function () {});
      break;
  }
}
