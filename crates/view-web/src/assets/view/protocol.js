// The view protocol, the browser's side: the socket to the host (reconnecting with backoff),
// what the host sends dispatched by its `type`, and what the view sends, versioned. The
// host's side is capsule_view_web::protocol (`ToView` down, `FromView` up); every `type` of
// `ToView` has a case here. A person's answers go over HTTP with the run's secret instead
// (`answerHost`).
import { applyPatches } from './tree.js';
import { reset, openPage, closePage, setStack, changeWindow, setTabBar, stopRefresh, pages, stack } from './pages.js';
import { webViewAnswer } from './controls.js';
import { audioContext, audioControl, loadFontFace, videoControl } from './media.js';
import { answerSelectorQuery, observe, unobserve, pageScrollTo } from './queries.js';
import {
  showToast,
  showModal,
  showActionSheet,
  showPrompt,
  showSettings,
  previewImage,
  showOverlay,
} from './sheets.js';
import { deviceRequest, deviceProfile, vibrate } from './device.js';
import { shareMenu, shareResult } from './capsule-button.js';

var PROTOCOL = 1;
var statusEl = document.getElementById('capsule-connection');
var socket = null;
var retry = 200;

// This run's secret, which the host wants with a person's answers (prompts, settings,
// device sheets) and the simulator's own controls; the page carries it, no other origin
// can read it.
var SECRET = (document.querySelector('meta[name="capsule-secret"]') || {}).content || '';
export function hostFetch(path, options) {
  options = options || {};
  options.headers = Object.assign({ 'X-Capsule-Secret': SECRET }, options.headers || {});
  return fetch(path, options);
}
export function answerHost(path, body) {
  return hostFetch(path, { method: 'POST', body: JSON.stringify(body) });
}

// ---- connection --------------------------------------------------------------------
export function connect() {
  var ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws');
  socket = ws;
  ws.onopen = function () {
    retry = 200;
    statusEl.textContent = '';
    statusEl.className = '';
  };
  ws.onmessage = function (e) {
    var msg;
    try {
      msg = JSON.parse(e.data);
    } catch {
      return;
    }
    if (msg.v !== PROTOCOL) return;
    handle(msg);
  };
  ws.onclose = function () {
    statusEl.textContent = 'reconnecting…';
    statusEl.className = 'down';
    setTimeout(connect, retry);
    retry = Math.min(retry * 2, 5000);
  };
}
export function send(msg) {
  msg.v = PROTOCOL;
  if (socket && socket.readyState === 1) socket.send(JSON.stringify(msg));
}
// For a person at the browser's console: what the view holds, and a way to talk to the host.
window.__capsule = {
  send: send,
  pages: function () {
    return pages;
  },
  stack: function () {
    return stack;
  },
};

function handle(msg) {
  switch (msg.type) {
    // The app and its pages.
    case 'reset':
      reset(msg);
      break;
    case 'page':
      openPage(msg);
      break;
    case 'patches':
      applyPatches(msg);
      break;
    case 'close':
      closePage(msg.page);
      break;
    case 'stack':
      setStack(msg.pages);
      break;
    case 'window':
      changeWindow(msg);
      break;
    case 'tabBar':
      setTabBar(msg.tabBar);
      break;
    case 'overlay':
      showOverlay(msg.text, msg.ended);
      break;
    case 'deviceProfile':
      deviceProfile(msg);
      break;
    case 'theme':
      document.documentElement.style.setProperty('--capsule-theme', msg.theme);
      break;
    // What the app asks the view to do.
    case 'toast':
      showToast(msg);
      break;
    case 'modal':
      showModal(msg);
      break;
    case 'actionSheet':
      showActionSheet(msg);
      break;
    case 'pageScrollTo':
      pageScrollTo(msg);
      break;
    case 'stopPullDownRefresh':
      stopRefresh();
      break;
    case 'previewImage':
      previewImage(msg);
      break;
    case 'selectorQuery':
      answerSelectorQuery(msg);
      break;
    case 'observe':
      observe(msg);
      break;
    case 'disconnect':
      unobserve(msg.observer);
      break;
    case 'loadFontFace':
      loadFontFace(msg);
      break;
    case 'audio':
      audioContext(msg);
      break;
    case 'audioControl':
      audioControl(msg);
      break;
    case 'videoControl':
      videoControl(msg);
      break;
    case 'vibrate':
      vibrate(msg.duration);
      break;
    case 'shareMenu':
      shareMenu(msg);
      break;
    case 'shareResult':
      shareResult(msg);
      break;
    case 'webViewAnswer':
      webViewAnswer(msg);
      break;
    // What a person answers (over HTTP).
    case 'prompt':
      showPrompt(msg);
      break;
    case 'settings':
      showSettings(msg);
      break;
    case 'device':
      deviceRequest(msg);
      break;
    // The host could not use something this view sent.
    case 'refused':
      console.warn('capsule: the host refused a message from this view: ' + msg.reason);
      break;
  }
}
