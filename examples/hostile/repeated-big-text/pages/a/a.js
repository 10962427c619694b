Page({ data: { n: 0, big: '' }, onLoad() { this.setData({ big: 'b'.repeat(900000) }); this.setData({ n: 10000 }) } })
