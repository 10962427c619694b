Page({
  data: { tab: 0, count: 2, submitted: '', greeting: 'hello from the page' },
  onTab(e) { this.setData({ tab: e.detail.index }) },
  onCount(e) { this.setData({ count: e.detail.value }) },
  onSubmit(e) { this.setData({ submitted: JSON.stringify(e.detail.value) }) }
})
