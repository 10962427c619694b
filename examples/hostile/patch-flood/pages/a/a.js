Page({ data: { rows: [] }, onReady() { const s = 'p'.repeat(100000); for (let i = 0; ; i++) this.setData({ rows: [s + i, s, s, s, s, s, s, s] }) } })
