Page({
  data: {
    text: '',
    busy: false,
    imageSize: ''
  },
  onInput(e) {
    this.setData({ text: e.detail.value })
  },
  onBusy() {
    this.setData({ busy: !this.data.busy })
  },
  onImageLoad(e) {
    this.setData({ imageSize: `${e.detail.width}x${e.detail.height}` })
  },
  onLower() {
    wx.showToast({ title: 'bottom reached', icon: 'none' })
  }
})
