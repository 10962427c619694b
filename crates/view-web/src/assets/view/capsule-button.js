// The capsule button at the top right of every page (87 × 32 px, 7 px from the right edge,
// centred in the 44 px navigation bar: where wx.getMenuButtonBoundingClientRect says), and
// its "…" menu: the page's share menu as wx.showShareMenu / hideShareMenu left it. Choosing
// a share item asks the page (its onShareAppMessage / onShareTimeline, through the host) and
// shows what it gave.
import { top } from './pages.js';
import { send } from './protocol.js';

var ITEMS = [
  { kind: 'shareAppMessage', hook: 'onShareAppMessage', label: 'Send to a friend' },
  { kind: 'shareTimeline', hook: 'onShareTimeline', label: 'Share to Moments' },
];
// The share menu of each page the host told of; a page it did not is the framework's
// default (shown when the page defines onShareAppMessage), which it decides when asked.
var menus = new Map();

export function shareMenu(msg) {
  menus.set(msg.page, msg.menu || {});
}

var sheet = document.getElementById('capsule-menu');
document.getElementById('capsule-menu-button').onclick = function () {
  var page = top();
  if (!page) return;
  var menu = menus.get(page.id);
  var list = sheet.querySelector('.list');
  list.innerHTML = '';
  ITEMS.forEach(function (item) {
    var row = document.createElement('button');
    row.textContent = item.label;
    row.setAttribute('data-kind', item.kind);
    var shown = !menu || (menu.menus || []).indexOf(item.kind) >= 0;
    if (!shown) {
      row.disabled = true;
      row.title = 'hidden by wx.hideShareMenu, or never shown by wx.showShareMenu';
    }
    row.onclick = function () {
      sheet.className = '';
      send({ type: 'pageEvent', page: page.id, hook: item.hook, arg: { from: 'menu' } });
    };
    list.appendChild(row);
  });
  var ticket = sheet.querySelector('.ticket');
  ticket.textContent = menu && menu.withShareTicket ? 'shares carry a share ticket' : '';
  sheet.className = 'show';
};
sheet.querySelector('.cancel').onclick = function () {
  sheet.className = '';
};
// The close button leaves the mini-program on the platform; here there is nothing to leave to.
document.getElementById('capsule-close-button').onclick = function () {
  console.info('capsule: the close button leaves the mini-program on a phone; the simulator stays');
};

// What the page gave to share: the card a chat would show.
var result = document.getElementById('capsule-share');
export function shareResult(msg) {
  var box = result.querySelector('.body');
  box.innerHTML = '';
  function line(name, value) {
    var row = document.createElement('div');
    row.className = name;
    row.textContent = value;
    box.appendChild(row);
  }
  if (msg.refused) line('refused', 'Not shared: ' + msg.refused);
  else {
    line('kind', msg.kind === 'shareTimeline' ? 'Shared to Moments' : 'Sent to a friend');
    line('title', msg.title === undefined ? '(the mini-program’s name)' : msg.title);
    if (msg.kind === 'shareTimeline') line('query', 'query: ' + (msg.query || ''));
    else line('path', msg.path || '');
    line('image', msg.imageUrl ? 'image: ' + msg.imageUrl : 'image: a screenshot of the page');
  }
  result.className = 'show';
}
result.querySelector('.confirm').onclick = function () {
  result.className = '';
};
