Page({ onLoad() { const s = 'c'.repeat(16000); for (;;) console.log(s) } })
