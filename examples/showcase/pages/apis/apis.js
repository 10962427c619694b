Page({
  data: { message: '', measured: 'not measured yet', seen: 'not seen yet', loading: false },
  onReady() {
    this.createIntersectionObserver().relativeToViewport().observe('#last', res => {
      this.setData({ seen: res.intersectionRatio > 0 ? 'in view' : 'out of view' })
    })
  },
  onSheet() {
    wx.showActionSheet({
      itemList: ['Share', 'Save', 'Report'],
      success: r => this.setData({ message: 'chose item ' + r.tapIndex }),
      fail: r => this.setData({ message: r.errMsg })
    })
  },
  onPreview() {
    wx.previewImage({ urls: ['/images/logo.png', '/images/logo.png'], current: '/images/logo.png' })
  },
  onLoading() {
    const loading = !this.data.loading
    this.setData({ loading })
    if (loading) wx.showNavigationBarLoading()
    else wx.hideNavigationBarLoading()
  },
  onMeasure() {
    this.createSelectorQuery().select('#box').boundingClientRect(rect => {
      this.setData({ measured: `${rect.width}×${rect.height} at ${Math.round(rect.left)}, ${Math.round(rect.top)} (${rect.dataset.kind})` })
    }).exec()
  },
  onScroll() { wx.pageScrollTo({ selector: '#last', duration: 300 }) }
})
