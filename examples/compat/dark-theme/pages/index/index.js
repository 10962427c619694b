Page({
  data: { theme: '' },
  onLoad() {
    this.setData({ theme: getApp().globalData.theme });
    wx.onThemeChange(({ theme }) => this.setData({ theme }));
  },
});
