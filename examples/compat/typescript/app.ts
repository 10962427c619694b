interface Globals {
  launchedAt: number;
}

App<{ globalData: Globals }>({
  globalData: { launchedAt: 0 },
  onLaunch() {
    this.globalData.launchedAt = Date.now();
  },
});
