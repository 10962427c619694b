globalThis.next = function (i) { if (i > 8) return 0; globalThis.levels = i; require('../../m' + i + '.js'); return 0 };
Page({ onLoad() { globalThis.next(1); this.setData({ levels: globalThis.levels }) } })
