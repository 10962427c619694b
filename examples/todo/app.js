const store = require('./utils/store.js')

App({
  onLaunch() {
    this.globalData.todos = store.load()
  },
  globalData: {
    todos: []
  }
})
