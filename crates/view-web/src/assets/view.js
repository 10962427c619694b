// The web view: applies the host's patches to the DOM and reports what the user does.
// Rendering, diffing and event propagation all happen in the host; this page only mirrors the
// tree it is sent and tells the host which node an event hit. Its modules, under view/:
//
// - protocol.js — the socket, the dispatch of what the host sends, what the view sends;
// - pages.js — the live pages, the stack, navigation and tab bars, page scroll and refresh;
// - tree.js — each page's mirror tree: snapshots, patches, shadow roots, attributes;
// - events.js — pointer input as touches, taps and long presses; navigators;
// - controls.js — the built-in components' behaviour (inputs, swiper, forms, web-view, …);
// - pickers.js — the picker sheet (lists, columns, dates, regions);
// - rich-text.js — rich-text nodes, sanitised;
// - animation.js — the `animation` attribute;
// - queries.js — selector queries, intersection observers, pageScrollTo;
// - sheets.js — toast, modal, action sheet, image preview, prompts, settings, the overlay;
// - capsule-button.js — the capsule button, its menu (the share menu) and what a share gave;
// - media.js — audio contexts, video contexts, fonts;
// - device.js — device sheets, the device's location, its profile, vibration.
import { connect } from './view/protocol.js';
import './view/events.js';

connect();
