// A request to a local server (README.md starts one on port 8787; in development the
// simulator lets an app reach 127.0.0.1 on any port but its own) and the device's location
// (the simulator's "Location…" button moves it).
Page({
  data: {
    url: 'http://127.0.0.1:8787/sitemap.json',
    request: 'not sent yet',
    location: 'not asked yet'
  },
  onUrl(e) {
    this.setData({ url: e.detail.value })
  },
  onRequest() {
    this.setData({ request: 'sending…' })
    wx.request({
      url: this.data.url,
      success: r => this.setData({ request: 'status ' + r.statusCode + ': ' + JSON.stringify(r.data).slice(0, 120) }),
      fail: r => this.setData({ request: r.errMsg })
    })
  },
  onLocation() {
    wx.getLocation({
      type: 'wgs84',
      success: r => this.setData({ location: 'latitude ' + r.latitude + ', longitude ' + r.longitude }),
      fail: r => this.setData({ location: r.errMsg })
    })
  }
})
