// rich-text: nodes as an HTML string or an array of {name, attrs, children} / {type: 'text',
// text}, sanitised: only ordinary tags and attributes, no scripts, no event attributes, no
// javascript: URLs.
import { rpxToCss } from './tree.js';

// biome-ignore format: a list of names, wrapped rather than one a line
var RICH_TAGS = [
  'a', 'abbr', 'b', 'br', 'code', 'col', 'colgroup', 'dd', 'del', 'div', 'dl', 'dt', 'em', 'fieldset', 'h1',
  'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'i', 'img', 'ins', 'label', 'legend', 'li', 'ol', 'p', 'q', 'span',
  'strong', 'sub', 'sup', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'ul', 'blockquote', 'pre',
  'small', 'big', 'u', 's',
];
// biome-ignore format: a list of names, wrapped rather than one a line
var RICH_ATTRS = [
  'class', 'style', 'src', 'alt', 'width', 'height', 'href', 'title', 'colspan', 'rowspan', 'align', 'start',
  'type',
];
function safeUrl(v) {
  return !/^\s*(javascript|vbscript|data:text\/html)/i.test(String(v));
}
function richNode(node) {
  if (node === null || node === undefined) return null;
  if (node.type === 'text') return document.createTextNode(String(node.text || ''));
  var name = String(node.name || '').toLowerCase();
  if (RICH_TAGS.indexOf(name) < 0) return null;
  var el = document.createElement(name);
  var attrs = node.attrs || {};
  Object.keys(attrs).forEach(function (k) {
    var key = k.toLowerCase();
    if (RICH_ATTRS.indexOf(key) < 0) return;
    if ((key === 'href' || key === 'src') && !safeUrl(attrs[k])) return;
    el.setAttribute(key, key === 'style' ? rpxToCss(attrs[k]) : String(attrs[k]));
  });
  (node.children || []).forEach(function (c) {
    var child = richNode(c);
    if (child) el.appendChild(child);
  });
  return el;
}
function htmlToNodes(html) {
  // Parsed inert: a template's content runs no script and loads nothing.
  var template = document.createElement('template');
  template.innerHTML = String(html);
  function convert(n) {
    if (n.nodeType === 3) return { type: 'text', text: n.data };
    if (n.nodeType !== 1) return null;
    var attrs = {};
    for (var i = 0; i < n.attributes.length; i++) attrs[n.attributes[i].name] = n.attributes[i].value;
    return {
      name: n.tagName.toLowerCase(),
      attrs: attrs,
      children: Array.prototype.map.call(n.childNodes, convert).filter(Boolean),
    };
  }
  return Array.prototype.map.call(template.content.childNodes, convert).filter(Boolean);
}
export function renderRich(el, nodes) {
  el.innerHTML = '';
  var list = typeof nodes === 'string' ? htmlToNodes(nodes) : Array.isArray(nodes) ? nodes : [];
  list.forEach(function (n) {
    var c = richNode(n);
    if (c) el.appendChild(c);
  });
}
