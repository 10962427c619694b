// What the app and the host show over the page: toast and loading, modal, action sheet,
// image preview, a permission prompt, the settings sheet, and the overlay of a package's
// errors. A modal's and an action sheet's answers go back over the socket; a person's
// answers to a prompt or the settings go over HTTP with the run's secret.
import { resolveSrc } from './tree.js';
import { top } from './pages.js';
import { send, answerHost } from './protocol.js';

// previewImage: the images full screen, one at a time; a tap closes it.
export function previewImage(msg) {
  var el = document.getElementById('capsule-preview');
  var img = el.querySelector('img');
  var t = top();
  var urls = msg.urls.map(function (u) {
    return resolveSrc({ __capsule: { page: t } }, u);
  });
  var at = Math.max(0, msg.urls.indexOf(msg.current));
  function show() {
    img.src = urls[at];
    img.setAttribute('data-url', msg.urls[at]);
    el.querySelector('.count').textContent = urls.length > 1 ? at + 1 + ' / ' + urls.length : '';
    el.querySelector('.prev').style.display = at > 0 ? '' : 'none';
    el.querySelector('.next').style.display = at < urls.length - 1 ? '' : 'none';
  }
  el.querySelector('.prev').onclick = function (e) {
    e.stopPropagation();
    at--;
    show();
  };
  el.querySelector('.next').onclick = function (e) {
    e.stopPropagation();
    at++;
    show();
  };
  el.onclick = function () {
    el.className = '';
  };
  show();
  el.className = 'show';
}

// The package's errors over the page, until the next reset; or why the app ended, with a
// button that runs it again.
var overlayEl = document.getElementById('capsule-overlay');
export function showOverlay(text, ended) {
  overlayEl.querySelector('.title').textContent = ended ? 'The mini-program ended' : 'The package has errors';
  overlayEl.querySelector('.hint').textContent = ended
    ? 'Relaunch it, or save a change: the app reloads.'
    : 'Fix them and save: the app reloads.';
  overlayEl.querySelector('pre').textContent = text || '';
  overlayEl.className = ended ? 'show ended' : 'show';
}
overlayEl.querySelector('.relaunch').onclick = function () {
  answerHost('/capsule-relaunch', {});
};
export function hideOverlay() {
  overlayEl.className = '';
}

// ---- toast and modal -------------------------------------------------------------------
var toastEl = document.getElementById('capsule-toast');
var toastTimer = null;
export function showToast(msg) {
  clearTimeout(toastTimer);
  if (!msg.show) {
    toastEl.className = '';
    return;
  }
  toastEl.textContent = msg.title || '';
  toastEl.className = 'show' + (msg.icon === 'none' ? ' plain' : '') + (msg.loading ? ' loading' : '');
  if (msg.duration > 0)
    toastTimer = setTimeout(function () {
      toastEl.className = '';
    }, msg.duration);
}
var modalEl = document.getElementById('capsule-modal');
export function showModal(msg) {
  modalEl.querySelector('.title').textContent = msg.title || '';
  modalEl.querySelector('.content').textContent = msg.content || '';
  var cancel = modalEl.querySelector('.cancel');
  var confirm = modalEl.querySelector('.confirm');
  cancel.style.display = msg.showCancel === false ? 'none' : '';
  cancel.textContent = msg.cancelText || 'Cancel';
  confirm.textContent = msg.confirmText || 'OK';
  modalEl.className = 'show';
  function answer(ok) {
    modalEl.className = '';
    cancel.onclick = confirm.onclick = null;
    send({ type: 'modalAnswer', seq: msg.seq, confirm: ok });
  }
  cancel.onclick = function () {
    answer(false);
  };
  confirm.onclick = function () {
    answer(true);
  };
}

// showActionSheet: a list of choices from the bottom; Cancel answers with a failure.
export function showActionSheet(msg) {
  var sheet = document.getElementById('capsule-action-sheet');
  var list = sheet.querySelector('.list');
  list.innerHTML = '';
  (msg.itemList || []).forEach(function (item, i) {
    var row = document.createElement('button');
    row.textContent = item;
    row.setAttribute('data-index', i);
    if (msg.itemColor) row.style.color = msg.itemColor;
    row.onclick = function () {
      sheet.className = '';
      send({ type: 'actionSheetAnswer', seq: msg.seq, tapIndex: i });
    };
    list.appendChild(row);
  });
  sheet.className = 'show';
  sheet.querySelector('.cancel').onclick = function () {
    sheet.className = '';
    send({ type: 'actionSheetAnswer', seq: msg.seq, tapIndex: -1 });
  };
}

// A permission prompt: the app's reason and three choices.
export function showPrompt(msg) {
  var box = document.getElementById('capsule-prompt');
  box.querySelector('.title').textContent = 'Allow ' + msg.scope + '?';
  box.querySelector('.content').textContent = msg.reason || '';
  box.className = 'show';
  box.querySelectorAll('button').forEach(function (b) {
    b.onclick = function () {
      box.className = '';
      answerHost('/capsule-prompt/' + msg.seq, { answer: b.getAttribute('data-answer') });
    };
  });
}

// wx.openSetting: each decided scope with a switch; Done sends them back.
export function showSettings(msg) {
  var sheet = document.getElementById('capsule-settings');
  var list = sheet.querySelector('.list');
  list.innerHTML = '';
  Object.keys(msg.scopes).forEach(function (scope) {
    var row = document.createElement('label');
    var box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = !!msg.scopes[scope];
    box.setAttribute('data-scope', scope);
    row.appendChild(document.createTextNode(scope));
    row.appendChild(box);
    list.appendChild(row);
  });
  sheet.className = 'show';
  sheet.querySelector('.done').onclick = function () {
    var scopes = {};
    list.querySelectorAll('input').forEach(function (b) {
      scopes[b.getAttribute('data-scope')] = b.checked;
    });
    sheet.className = '';
    answerHost('/capsule-settings/' + msg.seq, { scopes: scopes });
  };
}
