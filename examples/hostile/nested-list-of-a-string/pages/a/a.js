Page({ data: { s: '' }, onLoad() { this.setData({ s: 'x'.repeat(3000) }) } })
