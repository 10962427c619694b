Page({ onLoad() { const a = []; try { for (;;) a.push(new Array(10000).fill(1)) } catch (e) {} for (;;) a.push(1) } })
