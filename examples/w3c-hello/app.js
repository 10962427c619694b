App({
  onLaunch() {
    this.globalData = { greeting: 'Hello' }
  }
})
