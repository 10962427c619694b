const store = require('../../utils/store.js')

Page({
  data: {
    total: 0,
    done: 0
  },

  onShow() {
    this.refresh()
  },

  onPullDownRefresh() {
    this.refresh()
    wx.stopPullDownRefresh()
  },

  refresh() {
    const todos = store.load()
    this.setData({ total: todos.length, done: todos.filter(t => t.done).length })
  },

  onClearDone() {
    store.save(store.load().filter(t => !t.done))
    this.refresh()
  }
})
