Page({ onLoad() { const r = (() => { try { wx.setStorageSync('k'.repeat(5 << 20), 1); return 'stored' } catch (e) { return e.message } })(); console.log(r.slice(0, 80)) } })
