Page({
  data: {
    user: { id: 7, name: 'Ada', tags: ['admin', 'editor'] },
    a: 2,
    b: 3,
    count: 1,
    active: true,
    color: '#3b7ddd',
    list: [1, 2, 3]
  },
  onMore() {
    this.setData({ count: this.data.count + 1 })
  }
})
