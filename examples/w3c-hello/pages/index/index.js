Page({
  data: {
    greeting: 'Hello',
    name: 'MiniApp'
  }
})
