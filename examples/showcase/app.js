App({
  onLaunch(options) {
    this.globalData.launchPath = options && options.path
  },
  globalData: {
    launchPath: ''
  }
})
