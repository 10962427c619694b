App({
  onLaunch() {
    this.globalData.theme = wx.getSystemInfoSync().theme;
  },
  onThemeChange({ theme }) {
    this.globalData.theme = theme;
  },
  globalData: { theme: 'light' },
});
